import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shippedCli } from '../../support/cli';
import { redirectTrap } from '../../support/redirectingServer';
import { DagRepo, dagSource, scratch } from './fixtures';

const USERNAME = 'deployer';
const PASSWORD = 'pw-Reflected-7f3a9c';
/** What the stand-in hands out at /auth/token, and the ready token of the HANGAR_AIRFLOW_TOKEN runs. */
const ISSUED_JWT = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: USERNAME, n: 'issued' })).toString('base64url')}.c2lnbmF0dXJlLWlzc3VlZA`;
const GIVEN_JWT = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ sub: USERNAME, n: 'given' })).toString('base64url')}.c2lnbmF0dXJlLWdpdmVu`;
const BASIC = Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64');
const SECRETS = [PASSWORD, ISSUED_JWT, GIVEN_JWT, BASIC, ...ISSUED_JWT.split('.').slice(1), ...GIVEN_JWT.split('.').slice(1)];

type Answer = 'json-detail' | 'fastapi-422' | 'text' | 'version-field' | 'plain-detail';

/**
 * A hostile "Airflow" on 127.0.0.1: it hands out a token, then answers API calls with `status` and a body that reflects
 * every request it has seen, headers and bodies (the token request's password included), in the shape `answer` says.
 */
function reflectingAirflow() {
  const seen: string[] = [];
  const mode = { status: 500, answer: 'json-detail' as Answer, failOnly: '', tokenReflects: false, redirectTo: '' };
  const server = createServer((request: IncomingMessage, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', (): void => {
      seen.push(`authorization: ${request.headers.authorization ?? ''} body: ${body} headers: ${JSON.stringify(request.headers)}`);
      const reflection = seen.join(' | ');
      if (mode.redirectTo) return void response.writeHead(307, { location: `${mode.redirectTo}${request.url}` }).end();
      const json = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      if (request.url === '/auth/token' && mode.tokenReflects) return void response.writeHead(200, { 'content-type': 'text/plain' }).end(reflection);
      if (request.url === '/auth/token') return void json(201, { access_token: ISSUED_JWT });
      if (mode.failOnly && !request.url?.startsWith(mode.failOnly)) {
        if (request.url?.endsWith('/version')) return void json(200, { version: '3.3.2' });
        return void json(200, { dags: [], import_errors: [], total_entries: 0 });
      }
      switch (mode.answer) {
        case 'json-detail':
          return void json(mode.status, { detail: reflection });
        case 'fastapi-422':
          return void json(mode.status, { detail: [{ type: 'missing', loc: ['query', reflection], msg: reflection, input: request.headers }] });
        case 'version-field':
          return void json(200, { version: reflection });
        case 'plain-detail':
          return void json(mode.status, { detail: 'The DAG processor is paused for maintenance' });
        default:
          response.writeHead(mode.status, { 'content-type': 'text/plain' }).end(reflection);
          return;
      }
    });
  });
  return { server, mode, seen };
}

describe('Airflow error answers never echo secrets (reflecting server on 127.0.0.1, real CLI)', () => {
  const airflow = reflectingAirflow();
  let hangar: string;
  let root: string;

  /** The real CLI, run asynchronously: the stand-in answers from this process. */
  const deploy = (env: string, credentials: Record<string, string>, config = 'airflow-repos.yaml'): Promise<{ code: number | null; output: string }> => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HANGAR_AIRFLOW_')));
    const child = spawn(process.execPath, [hangar, 'deploy', '--env', env, '--force', '--timeout', '5', '--config', config], { cwd: root, env: { ...clean, ...credentials } });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
  };
  const assertNoSecret = (text: string, what: string) => {
    for (const secret of SECRETS) assert.ok(!text.includes(secret), `${what} contains the secret "${secret.slice(0, 12)}…":\n${text}`);
  };

  before(async () => {
    hangar = shippedCli();
    await new Promise<void>((resolve) => airflow.server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(airflow.server.address() as AddressInfo).port}`;
    root = scratch('airflow-errors');
    new DagRepo(root, 'team').commit({ 'orders.py': dagSource('orders', 'one') });
    for (const env of ['v3', 'v2', 'userinfo']) mkdirSync(path.join(root, `${env}-dags`));
    const repository = ['repositories:', '  - name: team', '    url: ./team', '    path: team', '    branch: main', 'environments:'];
    writeFileSync(
      path.join(root, 'airflow-repos.yaml'),
      [
        ...repository,
        '  - name: v3',
        '    target: { kind: folder, path: v3-dags }',
        `    airflow: { url: "${url}", version: 3 }`,
        '  - name: v2',
        '    target: { kind: folder, path: v2-dags }',
        `    airflow: { url: "${url}", version: 2 }`,
        '',
      ].join('\n'),
    );
    // A file with credentials in a URL is refused as a whole, so it gets its own.
    writeFileSync(
      path.join(root, 'userinfo.yaml'),
      [...repository, '  - name: userinfo', '    target: { kind: folder, path: userinfo-dags }', `    airflow: { url: "${url.replace('//', `//${USERNAME}:${PASSWORD}@`)}", version: 3 }`, ''].join('\n'),
    );
  });
  after(() => airflow.server.close());

  const credentialSets: Array<[string, string, Record<string, string>]> = [
    ['user and password (Airflow 3)', 'v3', { HANGAR_AIRFLOW_USERNAME: USERNAME, HANGAR_AIRFLOW_PASSWORD: PASSWORD }],
    ['a ready token (Airflow 3)', 'v3', { HANGAR_AIRFLOW_TOKEN: GIVEN_JWT, HANGAR_AIRFLOW_PASSWORD: PASSWORD }],
    ['basic auth (Airflow 2)', 'v2', { HANGAR_AIRFLOW_USERNAME: USERNAME, HANGAR_AIRFLOW_PASSWORD: PASSWORD }],
  ];
  const answers: Array<[number, Answer]> = [
    [500, 'json-detail'],
    [500, 'text'],
    [401, 'json-detail'],
    [403, 'text'],
    [422, 'fastapi-422'],
    [409, 'json-detail'],
    [502, 'json-detail'],
    [200, 'version-field'],
    [200, 'text'],
  ];
  const expectedError = (status: number, answer: Answer): RegExp =>
    answer === 'version-field' ? /without an Airflow version/ : status === 200 ? /answered 200 to GET \/version with a body that is not JSON/ : new RegExp(`\\b${status}\\b`);

  for (const [label, env, credentials] of credentialSets) {
    test(`${label}: no answer (${answers.map(([s, a]) => `${s} ${a}`).join(', ')}) brings a secret into the output`, async () => {
      for (const [status, answer] of answers) {
        Object.assign(airflow.mode, { status, answer, failOnly: '' });
        const result = await deploy(env, credentials);
        assert.notEqual(result.code, 0, `${status} ${answer} must fail the deploy:\n${result.output}`);
        assert.match(result.output, expectedError(status, answer), `${status} ${answer}: the error names the status`);
        assertNoSecret(result.output, `the output for ${status} ${answer}`);
      }
      // The stand-in really reflected the secrets: the test would see them if Hangar echoed its answers.
      assert.ok(airflow.seen.some((line) => SECRETS.some((secret) => line.includes(secret))));
    });
  }

  test('a failure after the switch (verification) is recorded and printed without secrets', async () => {
    Object.assign(airflow.mode, { status: 500, answer: 'json-detail', failOnly: '/api/v2/dags' });
    const result = await deploy('v3', { HANGAR_AIRFLOW_USERNAME: USERNAME, HANGAR_AIRFLOW_PASSWORD: PASSWORD });
    assert.equal(result.code, 1, result.output);
    assert.match(result.output, /Airflow answered 500 to GET \/dags/);
    assertNoSecret(result.output, 'the output');
    const history = path.join(root, 'v3-dags', '.hangar', 'history.json');
    assert.ok(existsSync(history));
    assertNoSecret(readFileSync(history, 'utf8'), 'the history');
  });

  test('a token endpoint that reflects the request instead of answering a token', async () => {
    Object.assign(airflow.mode, { status: 200, answer: 'json-detail', failOnly: '', tokenReflects: true });
    const result = await deploy('v3', { HANGAR_AIRFLOW_USERNAME: USERNAME, HANGAR_AIRFLOW_PASSWORD: PASSWORD });
    Object.assign(airflow.mode, { tokenReflects: false });
    assert.equal(result.code, 2, result.output);
    assert.match(result.output, /answered 200 to POST \/auth\/token with a body that is not JSON/);
    assertNoSecret(result.output, 'the output');
  });

  test("Airflow's own short reason is still shown", async () => {
    Object.assign(airflow.mode, { status: 503, answer: 'plain-detail', failOnly: '' });
    const result = await deploy('v3', { HANGAR_AIRFLOW_USERNAME: USERNAME, HANGAR_AIRFLOW_PASSWORD: PASSWORD });
    assert.equal(result.code, 2);
    assert.match(result.output, /Airflow answered 503 to GET \/version: The DAG processor is paused for maintenance/);
  });

  test('a redirect is never followed: another host receives neither the password nor a token', async () => {
    const trap = await redirectTrap();
    try {
      Object.assign(airflow.mode, { redirectTo: trap.elsewhere });
      for (const [label, env, credentials] of credentialSets) {
        const result = await deploy(env, credentials);
        assert.notEqual(result.code, 0, `${label}: ${result.output}`);
        assert.match(result.output, /with a redirect to http:\/\/127\.0\.0\.1:\d+; Hangar sends credentials only to airflow\.url itself/, label);
        assertNoSecret(result.output, `${label}: the output`);
      }
      assert.deepEqual(trap.reachedElsewhere, [], 'the host a redirect points at is never contacted');
    } finally {
      Object.assign(airflow.mode, { redirectTo: '' });
      await trap.close();
    }
  });

  test('a user name and password in airflow.url are refused without being echoed', async () => {
    Object.assign(airflow.mode, { status: 500, answer: 'json-detail', failOnly: '' });
    const result = await deploy('userinfo', {}, 'userinfo.yaml');
    assert.notEqual(result.code, 0, result.output);
    assert.match(result.output, /user name or password/);
    assertNoSecret(result.output, 'the output');
  });
});
