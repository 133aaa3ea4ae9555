import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runHangar, shippedCli, type CliRun } from '../../support/cli';
import { gitRepo, hangarCatalogFiles, scratch } from './catalogRepos';

function hangar(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  return runHangar(args, { env });
}

describe('marketplace service (hangar serve --marketplace on 127.0.0.1 with SQLite)', () => {
  const { dir, cleanup } = scratch('service');
  const db = path.join(dir, 'market.db');
  let server: ChildProcess;
  let base = '';
  let alice = '';
  let bob = '';
  let admin = '';
  const entry = encodeURIComponent('team/postgres-to-s3');

  const api = async (method: string, route: string, options: { token?: string; body?: unknown; raw?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> => {
    const headers: Record<string, string> = {};
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${base}${route}`, { method, headers, body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };

  before(async () => {
    const catalog = gitRepo(dir, 'catalog', hangarCatalogFiles({ title: 'Postgres <img src=x onerror=alert(1)>' }));
    const token = async (user: string, isAdmin = false): Promise<string> => {
      const result = await hangar(['market', 'admin', 'token', 'create', '--user', user, '--db', db, '--json', ...(isAdmin ? ['--admin'] : [])]);
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { token: string }).token;
    };
    alice = await token('alice');
    bob = await token('bob');
    admin = await token('root', true);
    server = spawn(process.execPath, [shippedCli(), 'serve', '--marketplace', '--port', '0', '--bind', '127.0.0.1', '--db', db, '--catalog', `team=${catalog}`, '--verify-airflow', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start in 20 s:\n${output}`)), 20_000);
      server.stdout!.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
      server.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${output}`)));
    });
  });

  after(() => {
    server?.kill('SIGTERM');
    cleanup();
  });

  it('stores tokens hashed in its SQLite file', () => {
    const store = new Database(db, { readonly: true });
    const rows = store.prepare('SELECT hash, user FROM tokens').all() as { hash: string; user: string }[];
    store.close();
    assert.deepEqual(rows.map((r) => r.user).sort(), ['alice', 'bob', 'root']);
    assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.hash) && r.hash !== alice));
  });

  it('serves the catalog openly', async () => {
    const health = await api('GET', '/api/v1/health');
    assert.equal(health.status, 200);
    assert.equal(health.body.entries, 2);
    const list = await api('GET', '/api/v1/entries?q=postgres');
    assert.equal(((list.body.hits as { entry: { id: string; title: string } }[])[0]!.entry.title), 'Postgres <img src=x onerror=alert(1)>', 'served as data, untouched');
    assert.equal((await api('GET', `/api/v1/entries/${encodeURIComponent('team/nope')}`)).status, 404);
  });

  it('rejects unauthenticated and unknown-token writes with 401', async () => {
    const anonymous = await api('PUT', `/api/v1/entries/${entry}/rating`, { body: { rating: 5 } });
    assert.equal(anonymous.status, 401);
    assert.match(String(anonymous.body.error), /bearer token/);
    assert.equal((await api('PUT', `/api/v1/entries/${entry}/rating`, { token: 'hgm_forged', body: { rating: 5 } })).status, 401);
    assert.equal((await api('POST', `/api/v1/entries/${entry}/reviews`, { body: { text: 'hi' } })).status, 401);
  });

  it('accepts ratings 1 to 5 only', async () => {
    for (const rating of [0, 6, 2.5, '5', null]) {
      const response = await api('PUT', `/api/v1/entries/${entry}/rating`, { token: alice, body: { rating } });
      assert.equal(response.status, 400, `rating ${String(rating)}`);
      assert.match(String(response.body.error), /1 to 5/);
    }
  });

  const installations: Record<string, string> = {};
  /** The install a user's rating or review needs, reported once per user from their installation. */
  const installedBy = async (token: string): Promise<string> => {
    if (!installations[token]) {
      installations[token] = randomUUID();
      assert.equal((await api('POST', `/api/v1/entries/${entry}/installs`, { token, body: { installation: installations[token] } })).status, 200);
    }
    return installations[token]!;
  };

  it('keeps one rating per user per entry (a second rating replaces the first)', async () => {
    const [fromAlice, fromBob] = [await installedBy(alice), await installedBy(bob)];
    await api('PUT', `/api/v1/entries/${entry}/rating`, { token: alice, body: { rating: 1, installation: fromAlice } });
    await api('PUT', `/api/v1/entries/${entry}/rating`, { token: alice, body: { rating: 4, installation: fromAlice } });
    const second = await api('PUT', `/api/v1/entries/${entry}/rating`, { token: bob, body: { rating: 5, installation: fromBob } });
    assert.deepEqual(second.body, { rating: 4.5, ratings: 2, installs: 2 });
  });

  it('stores reviews as text, limits their length and lets only an admin hide one', async () => {
    const html = '<img src=x onerror=alert(1)> works well';
    const installation = await installedBy(alice);
    const posted = await api('POST', `/api/v1/entries/${entry}/reviews`, { token: alice, body: { text: html, installation } });
    assert.equal(posted.status, 201);
    const id = posted.body.id as number;
    assert.equal((await api('POST', `/api/v1/entries/${entry}/reviews`, { token: alice, body: { text: 'x'.repeat(2001), installation } })).status, 400);
    const reviews = (await api('GET', `/api/v1/entries/${entry}/reviews`)).body.reviews as { id: number; text: string; user: string }[];
    assert.deepEqual(reviews.map((r) => [r.text, r.user]), [[html, 'alice']]);
    assert.equal((await api('POST', `/api/v1/reviews/${id}/hide`, { token: bob, body: {} })).status, 403);
    assert.equal((await api('POST', `/api/v1/reviews/${id}/hide`, { token: admin, body: {} })).status, 204);
    assert.deepEqual((await api('GET', `/api/v1/entries/${entry}/reviews`)).body.reviews, []);
  });

  it('rejects oversized and non-JSON bodies', async () => {
    const big = await api('POST', `/api/v1/entries/${entry}/reviews`, { token: alice, raw: JSON.stringify({ text: 'x'.repeat(20_000) }) });
    assert.equal(big.status, 413);
    assert.equal((await api('PUT', `/api/v1/entries/${entry}/rating`, { token: alice, raw: '{not json' })).status, 400);
  });

  it('counts installs and serves stats', async () => {
    await api('POST', `/api/v1/entries/${entry}/installs`, { token: alice, body: { installation: randomUUID() } });
    await api('POST', `/api/v1/entries/${entry}/installs`, { token: bob, body: { installation: randomUUID() } });
    const stats = (await api('GET', '/api/v1/stats')).body.stats as Record<string, { installs: number; rating: number }>;
    assert.deepEqual(stats['team/postgres-to-s3'], { rating: 4.5, ratings: 2, installs: 4 }, 'the two installs behind the ratings and two more');
    const sorted = await api('GET', '/api/v1/entries?sort=installs');
    assert.equal((sorted.body.hits as { entry: { id: string } }[])[0]!.entry.id, 'team/postgres-to-s3');
  });

  it('is used by hangar market rate/review with the token from the environment, not argv, after an install', async () => {
    const env = { HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: bob, XDG_CONFIG_HOME: path.join(dir, 'bob-config'), XDG_CACHE_HOME: path.join(dir, 'bob-cache') };
    const repo = gitRepo(dir, 'bob-repo', { 'README.md': 'DAGs\n' });
    const installed = await hangar(['market', 'install', 'team/hello', '--catalog', `team=${path.join(dir, 'catalog')}`, '--repo', repo], env);
    assert.equal(installed.code, 0, installed.stderr);
    const rated = await hangar(['market', 'rate', 'team/hello', '3', '--json'], env);
    assert.equal(rated.code, 0, rated.stderr);
    assert.equal((JSON.parse(rated.stdout) as { ratings: number }).ratings, 1);
    const reviewed = await hangar(['market', 'review', 'team/hello', 'Nice starter', '--json'], env);
    assert.equal(reviewed.code, 0, reviewed.stderr);
    const noToken = await hangar(['market', 'rate', 'team/hello', '3'], { HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: '' });
    assert.notEqual(noToken.code, 0);
    assert.match(noToken.stderr, /HANGAR_MARKET_TOKEN/);
    const reviewId = (JSON.parse(reviewed.stdout) as { id: number }).id;
    const notAdmin = await hangar(['market', 'admin', 'hide-review', String(reviewId)], env);
    assert.match(notAdmin.stderr, /only an admin token can hide reviews \(HTTP 403\)/);
    const hidden = await hangar(['market', 'admin', 'hide-review', String(reviewId)], { ...env, HANGAR_MARKET_TOKEN: admin });
    assert.equal(hidden.code, 0, hidden.stderr);
    const outOfRange = await hangar(['market', 'rate', 'team/hello', '9'], env);
    assert.notEqual(outOfRange.code, 0);
    assert.match(outOfRange.stderr, /1 to 5/);
  });

  it('market admin token revoke: the revoked user\'s writes are refused at once, by the running service; others keep working', async () => {
    const created = await hangar(['market', 'admin', 'token', 'create', '--user', 'carol', '--db', db, '--json']);
    const carol = (JSON.parse(created.stdout) as { token: string }).token;
    const fromCarol = await installedBy(carol);
    assert.equal((await api('PUT', `/api/v1/entries/${entry}/rating`, { token: carol, body: { rating: 2, installation: fromCarol } })).status, 200);
    const revoked = await hangar(['market', 'admin', 'token', 'revoke', '--user', 'carol', '--db', db, '--json']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.deepEqual(JSON.parse(revoked.stdout), { user: 'carol', revoked: 1 });
    assert.equal((await api('PUT', `/api/v1/entries/${entry}/rating`, { token: carol, body: { rating: 1, installation: fromCarol } })).status, 401);
    assert.equal((await api('PUT', `/api/v1/entries/${entry}/rating`, { token: alice, body: { rating: 5, installation: await installedBy(alice) } })).status, 200);
    const again = await hangar(['market', 'admin', 'token', 'revoke', '--user', 'carol', '--db', db]);
    assert.match(again.stdout, /^Revoked 0 token\(s\) of carol$/m);
  });
});
