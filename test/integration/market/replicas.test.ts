import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { cpSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { prerequisite } from '../../support/airflow';
import { runHangar } from '../../support/cli';
import { REPO_ROOT } from '../../support/venv';
import { query } from '../fleet/fleetHarness';
import { api, createToken, ENTRIES, entryRoute as route, NO_DATABASE, onPostgres, replicaSuite, served } from './replicas';

const USERS = Array.from({ length: 20 }, (_, i) => `user${i}`);
const INSTALLS_PER_USER_AND_ENTRY = 3;

/** Runs `work` over `items`, at most `limit` at a time (CLI processes on a small machine). */
async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let i = 0; i < items.length; i += limit) results.push(...(await Promise.all(items.slice(i, i + limit).map(work))));
  return results;
}

describe('marketplace replicas on one PostgreSQL (hangar serve --marketplace from the shipped CLI)', () => {
  const suite = replicaSuite('replicas');

  it('two replicas starting at once on an empty database: one applies the schema, both serve, the password is never printed', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const { pair } = await suite.startPair(postgres, 'startup');
    const applied = pair.filter((r) => r.output().includes('database schema: applied 0001_market_service'));
    assert.equal(applied.length, 1, `exactly one replica applies the migration:\n${pair.map((r) => r.output()).join('\n---\n')}`);
    for (const replica of pair) {
      assert.match(replica.output(), /data in PostgreSQL at 127\.0\.0\.1:\d+\/startup/);
      assert.ok(!replica.output().includes(postgres.password));
      assert.equal((await api(replica.base, 'GET', '/api/v1/health')).status, 200);
    }
    assert.deepEqual(await query(postgres, 'startup', 'SELECT name FROM hangar.market_migrations'), [{ name: '0001_market_service' }]);
    await Promise.all(pair.map((r) => r.stop()));
  });

  it('a wrong password stops hangar serve --marketplace at start with a clear message, a non-zero exit and no secret in the output', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const wrongPassword = 'not-the-marketplace-password';
    const env = { ...onPostgres(postgres, postgres.database), HANGAR_DATABASE_URL: `postgresql://${postgres.user}:${wrongPassword}@127.0.0.1:${postgres.port}/${postgres.database}` };
    const refused = await runHangar(['serve', '--marketplace', '--port', '0', '--catalog', `team=${suite.catalog()}`, '--verify-airflow', 'none'], { env, timeoutMs: 60_000 });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/hangar: password authentication failed/);
    assert.ok(!`${refused.stdout}${refused.stderr}`.includes(wrongPassword), 'the password appeared in the output');
  });

  it('200 concurrent ratings, reviews and installs spread over two replicas: nothing lost, both serve the same data', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const { env, pair } = await suite.startPair(postgres, 'writes');
    const tokens = await inBatches(USERS, 4, (user) => createToken(user, env));
    const adminToken = await createToken('root', env, ['--admin']);
    const replica = (i: number): string => pair[i % 2]!.base;

    // What a rating or review needs: an install reported by the same user (not part of the 200).
    const installation = new Map<string, string>();
    await Promise.all(
      USERS.flatMap((user, u) =>
        ENTRIES.map(async (entry, e) => {
          const id = randomUUID();
          installation.set(`${user} ${entry}`, id);
          const answer = await api(replica(u + e), 'POST', route(entry, '/installs'), { token: tokens[u], body: { installation: id } });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }),
      ),
    );

    const rating = (u: number, e: number): number => ((u * 3 + e) % 5) + 1;
    const writes = USERS.flatMap((user, u) =>
      ENTRIES.flatMap((entry, e) => [
        () => api(replica(u), 'PUT', route(entry, '/rating'), { token: tokens[u], body: { rating: rating(u, e), installation: installation.get(`${user} ${entry}`) } }),
        () => api(replica(u + 1), 'POST', route(entry, '/reviews'), { token: tokens[u], body: { text: `review of ${entry} by ${user}`, installation: installation.get(`${user} ${entry}`) } }),
        ...Array.from({ length: INSTALLS_PER_USER_AND_ENTRY }, (_, k) => () => api(replica(u + e + k), 'POST', route(entry, '/installs'), { token: tokens[u], body: { installation: randomUUID() } })),
      ]),
    );
    assert.equal(writes.length, 200);
    const answers = await Promise.all(writes.map((write) => write()));
    assert.deepEqual(answers.filter((a) => a.status !== 200 && a.status !== 201), [], 'every write was accepted');

    const [first, second] = await Promise.all(pair.map((r) => served(r, adminToken)));
    assert.deepEqual(second, first, 'both replicas serve the same data');
    const { stats, entries } = first as { stats: Record<string, unknown>; entries: { reviews: { text: string; id: number }[]; audit: { installs: number; installations: unknown[] } }[] };
    ENTRIES.forEach((entry, e) => {
      const ratings = USERS.map((_, u) => rating(u, e));
      const average = Math.round((ratings.reduce((a, b) => a + b, 0) / ratings.length) * 100) / 100;
      const installs = USERS.length * (1 + INSTALLS_PER_USER_AND_ENTRY);
      assert.deepEqual(stats[entry], { rating: average, ratings: USERS.length, installs }, entry);
      assert.deepEqual(entries[e]!.reviews.map((r) => r.text).sort(), USERS.map((user) => `review of ${entry} by ${user}`).sort());
      assert.equal(entries[e]!.audit.installations.length, installs);
    });
    const ids = entries.flatMap((x) => x.reviews.map((r) => r.id));
    assert.equal(new Set(ids).size, ids.length, 'every review has its own number');
    for (const r of pair) assert.ok(!r.output().includes(postgres.password));
    await Promise.all(pair.map((r) => r.stop()));
  });

  it('the same write sent to both replicas at once lands once: one install counted per installation, one rating per user', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const { env, pair } = await suite.startPair(postgres, 'same_write');
    const token = await createToken('twice', env);
    const installation = randomUUID();
    const installs = await Promise.all(Array.from({ length: 10 }, (_, i) => api(pair[i % 2]!.base, 'POST', route(ENTRIES[0]!, '/installs'), { token, body: { installation } })));
    assert.deepEqual(installs.map((a) => a.status), Array<number>(10).fill(200));
    assert.equal(installs.filter((a) => a.body.counted === true).length, 1, 'exactly one of the identical reports is counted');
    const ratings = await Promise.all(Array.from({ length: 10 }, (_, i) => api(pair[i % 2]!.base, 'PUT', route(ENTRIES[0]!, '/rating'), { token, body: { rating: (i % 5) + 1, installation } })));
    assert.deepEqual(ratings.map((a) => a.status), Array<number>(10).fill(200));
    for (const replica of pair) {
      const stats = ((await api(replica.base, 'GET', '/api/v1/stats')).body.stats as Record<string, { ratings: number; installs: number }>)[ENTRIES[0]!];
      assert.deepEqual([stats?.ratings, stats?.installs], [1, 1]);
    }
    await Promise.all(pair.map((r) => r.stop()));
  });

  it("a user's write budget is shared by the replicas: 12 reviews at once over both, 5 accepted (the hourly budget), the rest 429", async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const { env, pair } = await suite.startPair(postgres, 'budgets');
    const token = await createToken('flood', env);
    const installation = randomUUID();
    assert.equal((await api(pair[0]!.base, 'POST', route(ENTRIES[0]!, '/installs'), { token, body: { installation } })).status, 200);
    // A write that is not accepted gives its place back.
    assert.equal((await api(pair[1]!.base, 'POST', route(ENTRIES[0]!, '/reviews'), { token, body: { text: 'no install named' } })).status, 403);
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => api(pair[i % 2]!.base, 'POST', route(ENTRIES[0]!, '/reviews'), { token, body: { text: `flood ${i}`, installation } })),
    );
    assert.deepEqual(answers.map((a) => a.status).sort(), [...Array<number>(5).fill(201), ...Array<number>(7).fill(429)]);
    assert.equal(((await api(pair[1]!.base, 'GET', route(ENTRIES[0]!, '/reviews'))).body.reviews as unknown[]).length, 5);
    await Promise.all(pair.map((r) => r.stop()));
  });

  it('a replica on PostgreSQL runs from a CLI with no better-sqlite3 next to it (an install without build tools)', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    // The bundle alone, outside the repository: no node_modules on the way up from it.
    const bundle = path.join(suite.dir, 'bundle');
    cpSync(path.join(REPO_ROOT, 'dist'), bundle, { recursive: true });
    const cli = path.join(bundle, 'cli', 'hangar.js');
    const onSqlite = spawnSync(process.execPath, [cli, 'serve', '--marketplace', '--port', '0', '--db', path.join(bundle, 'market.db'), '--catalog', `team=${suite.catalog()}`], {
      env: { ...process.env, ...NO_DATABASE },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.match(onSqlite.stderr, /better-sqlite3, which is not installed next to this hangar/, 'the copy has no better-sqlite3 (the SQLite service cannot start)');
    const replica = await suite.start(onPostgres(postgres, await postgres.createDatabase('no_sqlite')), [], cli);
    assert.equal((await api(replica.base, 'GET', '/api/v1/health')).status, 200);
    await replica.stop();
  });

  // Last: it stops the suite's PostgreSQL.
  it('a replica whose database stops answers its health check with 503 (out of the load balancer), without the password', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const replica = await suite.start(onPostgres(postgres, await postgres.createDatabase('health')));
    assert.equal((await api(replica.base, 'GET', '/api/v1/health')).status, 200);
    await postgres.stop();
    const health = await api(replica.base, 'GET', '/api/v1/health');
    assert.equal(health.status, 503);
    assert.match(String(health.body.error), /the marketplace database does not answer \(PostgreSQL at 127\.0\.0\.1:\d+\/health\)/);
    assert.ok(!`${JSON.stringify(health.body)}${replica.output()}`.includes(postgres.password));
  });
});
