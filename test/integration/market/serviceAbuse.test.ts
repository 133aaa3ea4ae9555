import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gitRepo, hangarCatalogFiles, scratch, writeFiles } from './catalogRepos';
import { shippedCli } from '../../support/cli';
import { runMarketCli } from './marketCli';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: Record<string, unknown>;
}

const ENTRY = 'team%2Fpostgres-to-s3';

/**
 * Item 10 of issue 13 (marketplace part), against the real service process (`hangar serve --marketplace` from the
 * CLI bundle, SQLite): one token could add +100 installs and +50 reviews, and a malformed %-escape got a 500 that
 * was not logged.
 */
describe('marketplace service abuse (hangar serve --marketplace, CLI bundle)', () => {
  const { dir, cleanup } = scratch('service-abuse');
  const db = path.join(dir, 'market.db');
  let service: ChildProcess;
  let log = '';
  let port = 0;
  const tokens: Record<string, string> = {};

  /** A raw HTTP request: the path is sent exactly as given (fetch would normalise a malformed escape). */
  const call = (method: string, route: string, options: { token?: string; json?: unknown; raw?: string } = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const payload = options.raw ?? (options.json === undefined ? undefined : JSON.stringify(options.json));
      const headers: Record<string, string> = {};
      if (payload !== undefined) headers['content-type'] = 'application/json';
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const req = request({ host: '127.0.0.1', port, method, path: route, headers }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: Record<string, unknown> = {};
          try {
            body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
          } catch {
            // the assertions say what was expected
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      });
      req.on('error', reject);
      req.end(payload);
    });
  const installs = async (id: string): Promise<number> => ((await call('GET', '/api/v1/stats')).body.stats as Record<string, { installs: number }>)[id]?.installs ?? 0;
  const assertThrottled = (answers: Answer[], accepted: number): void => {
    const refused = answers.filter((a) => a.status === 429);
    assert.equal(answers.length - refused.length, accepted, `statuses: ${[...new Set(answers.map((a) => a.status))].join(', ')}`);
    assert.ok(refused.length > 0, 'the rest is throttled');
    for (const answer of refused) assert.ok(Number(answer.headers['retry-after']) > 0, 'a 429 says when to retry');
  };

  before(async () => {
    const cli = shippedCli();
    const catalog = path.join(dir, 'catalog');
    writeFiles(catalog, hangarCatalogFiles());
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'root']) {
      const created = await runMarketCli(dir, ['market', 'admin', 'token', 'create', '--user', user, '--db', db, '--json', ...(user === 'root' ? ['--admin'] : [])]);
      assert.equal(created.code, 0, created.stderr);
      tokens[user] = (JSON.parse(created.stdout) as { token: string }).token;
    }
    service = spawn(process.execPath, [cli, 'serve', '--marketplace', '--port', '0', '--bind', '127.0.0.1', '--db', db, '--catalog', `team=${catalog}`, '--verify-airflow', 'none'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start in 30 s:\n${log}`)), 30_000);
      const check = (): void => {
        const match = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(log);
        if (!match) return;
        clearTimeout(timer);
        resolve(Number(match[1]));
      };
      service.stdout!.on('data', check);
      service.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${log}`)));
    });
  });

  after(() => {
    service?.kill('SIGTERM');
    cleanup();
  });

  it('counts 100 install reports from one installation once, and throttles them', async () => {
    const installation = randomUUID();
    const answers: Answer[] = [];
    for (let i = 0; i < 100; i++) answers.push(await call('POST', `/api/v1/entries/${ENTRY}/installs`, { token: tokens.alice, json: { installation } }));
    assert.equal(await installs('team/postgres-to-s3'), 1);
    assertThrottled(answers, 60);
  });

  it('throttles one token reporting installs from ever new installation ids', async () => {
    const answers: Answer[] = [];
    for (let i = 0; i < 100; i++) answers.push(await call('POST', '/api/v1/entries/team%2Fhello/installs', { token: tokens.bob, json: { installation: randomUUID() } }));
    assertThrottled(answers, 60);
    assert.equal(await installs('team/hello'), 60);
  });

  /** A rating or review needs an install of the entry reported by the same user from the installation it names. */
  const installFrom = async (user: string): Promise<string> => {
    const installation = randomUUID();
    assert.equal((await call('POST', `/api/v1/entries/${ENTRY}/installs`, { token: tokens[user], json: { installation } })).status, 200);
    return installation;
  };

  it('throttles 50 reviews from one token to its budget', async () => {
    const installation = await installFrom('carol');
    const answers: Answer[] = [];
    for (let i = 0; i < 50; i++) answers.push(await call('POST', `/api/v1/entries/${ENTRY}/reviews`, { token: tokens.carol, json: { text: `great #${i}`, installation } }));
    assertThrottled(answers, 5);
    assert.equal(((await call('GET', `/api/v1/entries/${ENTRY}/reviews`)).body.reviews as unknown[]).length, 5);
  });

  it('keeps one rating per token per entry (the last one) and throttles rating floods', async () => {
    const installation = await installFrom('dave');
    const answers: Answer[] = [];
    for (let i = 0; i < 30; i++) answers.push(await call('PUT', `/api/v1/entries/${ENTRY}/rating`, { token: tokens.dave, json: { rating: (i % 5) + 1, installation } }));
    assertThrottled(answers, 20);
    const stats = (await call('GET', `/api/v1/entries/${ENTRY}`)).body.stats as { rating: number; ratings: number };
    assert.deepEqual([stats.ratings, stats.rating], [1, 5], 'one rating, the last accepted (the 20th: 5 stars)');
  });

  it('answers every malformed request with a 4xx and a clear message that does not echo the input, and keeps serving', async () => {
    const marker = '<script>alert(1)</script>';
    const cases: [string, string, { token?: string; json?: unknown; raw?: string }, number, RegExp][] = [
      ['GET', '/api/v1/entries/%E0%A4%A', {}, 400, /percent-encoding/],
      ['GET', '/api/v1/entries/%', {}, 400, /percent-encoding/],
      ['GET', '/api/v1/entries/%ZZ/reviews', {}, 400, /percent-encoding/],
      ['PUT', '/api/v1/entries/%C0%AF/rating', { token: tokens.erin, json: { rating: 3 } }, 400, /percent-encoding/],
      ['PUT', `/api/v1/entries/${ENTRY}/rating`, { token: tokens.erin, raw: '{"rating": 3' }, 400, /JSON/],
      ['PUT', `/api/v1/entries/${ENTRY}/rating`, { token: tokens.erin, raw: '[3]' }, 400, /JSON object/],
      ['PUT', `/api/v1/entries/${ENTRY}/rating`, { token: tokens.erin, json: { rating: '3' } }, 400, /1 to 5/],
      ['POST', `/api/v1/entries/${ENTRY}/reviews`, { token: tokens.erin, json: { text: [marker] } }, 400, /text/],
      ['POST', `/api/v1/entries/${ENTRY}/reviews`, { token: tokens.erin, json: { text: 'x'.repeat(20_000) } }, 413, /16384 bytes/],
      ['POST', `/api/v1/entries/${ENTRY}/installs`, { token: tokens.erin, json: {} }, 400, /installation/],
      ['POST', `/api/v1/entries/${ENTRY}/installs`, { token: tokens.erin, json: { installation: marker } }, 400, /installation/],
      ['POST', `/api/v1/entries/${ENTRY}/installs`, { token: tokens.erin, json: { installation: 42 } }, 400, /installation/],
      ['GET', `/api/v1/entries/${encodeURIComponent(`team/${marker}`)}`, {}, 404, /no catalog entry/],
      ['GET', `/api/v1/entries?sort=${encodeURIComponent(marker)}`, {}, 400, /sort/],
      ['GET', '/api/v1/entries?limit=-5', {}, 400, /limit/],
      ['GET', `/api/v1/entries?q=${'fuzzy%20'.repeat(1000)}`, {}, 400, /at most 200 characters/],
      ['GET', `/api/v1/${encodeURIComponent(marker)}`, {}, 404, /no such route/],
      ['POST', '/api/v1/reviews/99999999999999999999999/hide', { token: tokens.root, json: {} }, 404, /no such review/],
    ];
    for (const [method, route, options, status, message] of cases) {
      const answer = await call(method, route, options);
      assert.equal(answer.status, status, `${method} ${route}: ${answer.text}`);
      assert.match(String(answer.body.error), message, `${method} ${route}`);
      assert.ok(!answer.text.includes('script') && !answer.text.includes('%E0'), `${method} ${route} does not echo its input: ${answer.text}`);
      assert.equal((await call('GET', '/api/v1/health')).status, 200, 'still serving');
    }
    assert.doesNotMatch(log, /URIError/, 'no malformed request reached the 500 path');
  });

  it('the CLI reports installs with an installation id it keeps: two installs from one installation count once', async () => {
    const repo = gitRepo(dir, 'repo', { 'README.md': 'DAGs\n' });
    const env = { HANGAR_MARKET_URL: `http://127.0.0.1:${port}`, HANGAR_MARKET_TOKEN: tokens.erin! };
    const before = await installs('team/postgres-to-s3');
    const install = (home: string): ReturnType<typeof runMarketCli> =>
      runMarketCli(dir, ['market', 'install', 'team/postgres-to-s3', '--catalog', `team=${path.join(dir, 'catalog')}`, '--repo', repo], { ...env, XDG_CONFIG_HOME: path.join(dir, home) });
    assert.equal((await install('laptop')).code, 0);
    assert.equal((await install('laptop')).code, 0);
    assert.equal(await installs('team/postgres-to-s3'), before + 1, 'the update from the same installation is not counted again');
    const id = readFileSync(path.join(dir, 'laptop', 'hangar', 'installation-id'), 'utf8').trim();
    assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a random UUID, nothing else');
    assert.equal((await install('ci-runner')).code, 0);
    assert.equal(await installs('team/postgres-to-s3'), before + 2, 'another installation counts');
  });

  it('answers an internal error with a 500 carrying a request id that is in the service log, and keeps serving', async () => {
    const store = new Database(db);
    store.exec('DROP TABLE reviews');
    store.close();
    const answer = await call('GET', `/api/v1/entries/${ENTRY}/reviews`);
    assert.equal(answer.status, 500);
    const requestId = String(answer.body.requestId);
    assert.match(requestId, /^[0-9a-f-]{36}$/);
    assert.equal(answer.headers['x-request-id'], requestId);
    assert.doesNotMatch(answer.text, /reviews|SQLITE|sqlite/i, 'no internals in the answer');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`request id ${requestId} not in the service log:\n${log}`)), 10_000);
      const poll = setInterval(() => {
        if (!log.includes(requestId)) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }, 20);
    });
    assert.match(log, new RegExp(`${requestId}.*no such table`, 's'));
    assert.equal((await call('GET', '/api/v1/health')).status, 200);
  });
});
