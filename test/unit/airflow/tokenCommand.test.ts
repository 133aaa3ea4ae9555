import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { AirflowError } from '../../../server/src/airflow/errors';
import { commandToken, expiryOf, forgetCommandToken } from '../../../server/src/airflow/tokenCommand';
import { scratch } from '../../integration/deploy/fixtures';

const jwt = (payload: object): string => ['{"alg":"HS256","typ":"JWT"}', JSON.stringify(payload)].map((p) => Buffer.from(p).toString('base64url')).join('.') + '.c2lnbmF0dXJl';

/** A node script as a token command: prints what `body` computes, counts its runs in `counter`. */
function script(dir: string, name: string, body: string): string[] {
  const file = path.join(dir, `${name}.mjs`);
  writeFileSync(file, `import { appendFileSync } from 'node:fs';\nappendFileSync(${JSON.stringify(path.join(dir, `${name}.runs`))}, 'x');\n${body}\n`);
  return [process.execPath, file];
}
const runs = (dir: string, name: string): number => readFileSync(path.join(dir, `${name}.runs`), 'utf8').length;

test('a JWT is reused until shortly before its exp; another token for the TTL', () => {
  const now = Date.parse('2026-12-04T12:00:00Z');
  const exp = now / 1000 + 3600;
  assert.equal(expiryOf(jwt({ sub: 'a', exp }), now, 60_000), exp * 1000 - 30_000);
  assert.equal(expiryOf('opaque-token-from-gcloud', now, 60_000), now + 60_000);
  assert.equal(expiryOf(jwt({ sub: 'no exp' }), now, 5_000), now + 5_000);
  assert.equal(expiryOf('a.b!.c', now, 5_000), now + 5_000, 'three parts that are not a JWT');
});

test('the command runs once while its token is valid, again after it expires or Airflow rejected it', async () => {
  const dir = scratch('token-cache');
  const exp = Math.floor(Date.now() / 1000) + 3600;
  const command = { argv: script(dir, 'jwt', `process.stdout.write(${JSON.stringify(jwt({ exp }))} + '\\n');`) };
  const first = await commandToken(command);
  assert.equal(await commandToken(command), first);
  assert.equal(runs(dir, 'jwt'), 1, 'cached until exp');
  assert.equal(await commandToken(command, (exp - 10) * 1000), first);
  assert.equal(runs(dir, 'jwt'), 2, 'within 30 s of exp a fresh token is fetched');
  forgetCommandToken(command);
  await commandToken(command);
  assert.equal(runs(dir, 'jwt'), 3);

  const opaque = { argv: script(dir, 'opaque', `process.stdout.write('ya29.opaque-token');`), ttlMs: 60_000 };
  assert.equal(await commandToken(opaque), 'ya29.opaque-token');
  await commandToken(opaque, Date.now() + 61_000);
  assert.equal(runs(dir, 'opaque'), 2, 'a token that is no JWT lives for the TTL');
});

test('a failing command is a clear credentials error that never shows its standard output', async () => {
  const dir = scratch('token-fail');
  const failing = { argv: script(dir, 'fail', `process.stdout.write('SECRET-ON-STDOUT');\nconsole.error('Bearer abcdefghijklmnop was refused');\nprocess.exit(2);`) };
  await assert.rejects(commandToken(failing), (error: Error) => {
    assert.ok(error instanceof AirflowError && error.kind === 'credentials');
    assert.match(error.message, /The Airflow token command ".*" exited with code 2: Bearer \*\*\* was refused\. Run it yourself/);
    assert.doesNotMatch(error.message, /SECRET-ON-STDOUT|abcdefghijklmnop/);
    return true;
  });
  await assert.rejects(commandToken({ argv: ['/nonexistent/token-helper'] }), /was not found: check airflow\.command \(the program is run without a shell/);
  await assert.rejects(commandToken({ argv: script(dir, 'empty', '') }), /printed no token/);
  await assert.rejects(commandToken({ argv: script(dir, 'chatty', `console.log('Your token is: abc');`) }), (error: Error) => /printed something other than a bearer token/.test(error.message) && !error.message.includes('abc'));
});

test('the command is run without a shell and without Hangar secret variables', async () => {
  const dir = scratch('token-env');
  process.env.HANGAR_AIRFLOW_PASSWORD = 'must-not-leak';
  try {
    const argv = script(dir, 'env', `process.stdout.write(process.env.HANGAR_AIRFLOW_PASSWORD ? 'leaked' : Buffer.from(process.argv.slice(2).join('\\0')).toString('hex'));`);
    const hostile = ['$(touch pwned)', ';', '|', '*'];
    assert.equal(await commandToken({ argv: [...argv, ...hostile] }), Buffer.from(hostile.join('\0')).toString('hex'), 'each argument arrives as written');
  } finally {
    delete process.env.HANGAR_AIRFLOW_PASSWORD;
  }
});
