import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { prerequisite } from '../../support/airflow';
import { runHangar, type CliRun } from '../../support/cli';
import { query } from '../fleet/fleetHarness';
import { POSTGRES_DAG, sha256 } from './catalogRepos';
import { api, createToken, ENTRIES, entryRoute as route, NO_DATABASE, onPostgres, replicaSuite, served } from './replicas';

const migrateSqlite = (from: string, env: Record<string, string>): Promise<CliRun> => runHangar(['market', 'admin', 'migrate-sqlite', '--from', from], { env, timeoutMs: 60_000 });

describe('hangar market admin migrate-sqlite: a SQLite marketplace moved to PostgreSQL', () => {
  const suite = replicaSuite('migrate');
  const sqliteFile = path.join(suite.dir, 'market.db');
  const onSqlite = { ...NO_DATABASE };

  it('copies tokens, ratings, reviews (hidden ones too), installs and audits; a PG replica serves exactly what the SQLite service served', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const sqliteArgs = ['--db', sqliteFile];
    const [alice, bob, carol, root] = await Promise.all([
      createToken('alice', onSqlite, sqliteArgs),
      createToken('bob', onSqlite, sqliteArgs),
      createToken('carol', onSqlite, sqliteArgs),
      createToken('root', onSqlite, [...sqliteArgs, '--admin']),
    ]);
    const revoked = await runHangar(['market', 'admin', 'token', 'revoke', '--user', 'carol', ...sqliteArgs], { env: onSqlite });
    assert.equal(revoked.code, 0, revoked.stderr);

    // A verification the service made earlier of the entry's current file, and one of a file since changed.
    const verified = (entry: string, sha: string, at: string): string =>
      JSON.stringify({ entry, version: '1.0.0', sha256: sha, verifiedAt: at, hangar: '0.0.0', isolation: 'audit-hook', results: [{ airflow: '3.3.2', result: 'passed', durationMs: 1, verifiedAt: at }] });
    const store = new Database(sqliteFile);
    const saveVerification = store.prepare('INSERT INTO verifications (entry_id, sha256, verified_at, record) VALUES (?, ?, ?, ?)');
    saveVerification.run(ENTRIES[0], sha256(POSTGRES_DAG), '2026-11-01T10:00:00.000Z', verified('postgres-to-s3', sha256(POSTGRES_DAG), '2026-11-01T10:00:00.000Z'));
    saveVerification.run(ENTRIES[1], 'f'.repeat(64), '2026-10-01T10:00:00.000Z', verified('hello', 'f'.repeat(64), '2026-10-01T10:00:00.000Z'));
    store.close();

    const sqlite = await suite.start(onSqlite, sqliteArgs);
    assert.match(sqlite.output(), /data in SQLite file /);
    const installations = new Map<string, string>();
    for (const [user, token] of [['alice', alice], ['bob', bob]] as const) {
      for (const entry of ENTRIES) {
        const installation = randomUUID();
        installations.set(`${user} ${entry}`, installation);
        assert.equal((await api(sqlite.base, 'POST', route(entry, '/installs'), { token, body: { installation } })).status, 200);
        assert.equal((await api(sqlite.base, 'PUT', route(entry, '/rating'), { token, body: { rating: user === 'alice' ? 5 : 2, installation } })).status, 200);
        assert.equal((await api(sqlite.base, 'POST', route(entry, '/reviews'), { token, body: { text: `${user} on ${entry}`, installation } })).status, 201);
      }
    }
    const unwanted = await api(sqlite.base, 'POST', route(ENTRIES[0]!, '/reviews'), { token: bob, body: { text: 'spam', installation: installations.get(`bob ${ENTRIES[0]}`) } });
    assert.equal((await api(sqlite.base, 'POST', `/api/v1/reviews/${unwanted.body.id as number}/hide`, { token: root, body: {} })).status, 204);
    const fromSqlite = await served(sqlite, root!);
    await sqlite.stop();

    const env = onPostgres(postgres, await postgres.createDatabase('migrated'));
    const migrated = await migrateSqlite(sqliteFile, env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /Copied .*market\.db into PostgreSQL at 127\.0\.0\.1:\d+\/migrated/);
    assert.match(migrated.stdout, /tokens: 4 row\(s\)/);
    assert.match(migrated.stdout, /reviews: 5 row\(s\)/);
    assert.ok(!`${migrated.stdout}${migrated.stderr}`.includes(postgres.password), 'the password appeared in the output');

    const pg = await suite.start(env);
    assert.deepEqual(await served(pg, root!), fromSqlite, 'the PostgreSQL replica serves what the SQLite service served');
    const states = (await api(pg.base, 'GET', '/api/v1/verifications')).body.verifications as Record<string, { state: string }>;
    assert.deepEqual([states[ENTRIES[0]!]?.state, states[ENTRIES[1]!]?.state], ['verified', 'stale']);
    assert.deepEqual(await query(postgres, 'migrated', 'SELECT text FROM hangar.market_reviews WHERE hidden'), [{ text: 'spam' }]);
    // Tokens keep working (and a revoked one stays revoked); new reviews are numbered after the copied ones.
    assert.equal((await api(pg.base, 'PUT', route(ENTRIES[1]!, '/rating'), { token: carol, body: { rating: 1 } })).status, 401);
    const rerated = await api(pg.base, 'PUT', route(ENTRIES[1]!, '/rating'), { token: bob, body: { rating: 4, installation: installations.get(`bob ${ENTRIES[1]}`) } });
    assert.deepEqual(rerated.body, { rating: 4.5, ratings: 2, installs: 2 });
    const next = await api(pg.base, 'POST', route(ENTRIES[1]!, '/reviews'), { token: alice, body: { text: 'after the move', installation: installations.get(`alice ${ENTRIES[1]}`) } });
    assert.equal(next.status, 201);
    assert.equal(next.body.id, (unwanted.body.id as number) + 1);

    const again = await migrateSqlite(sqliteFile, env);
    assert.notEqual(again.code, 0, 'a second copy into a database with marketplace data is refused');
    assert.match(again.stderr, /already hold \d+ row\(s\): migrate into a database the marketplace has not written to yet \(nothing was copied\)/);
    assert.deepEqual(await query(postgres, 'migrated', 'SELECT count(*)::int AS n FROM hangar.market_reviews'), [{ n: 6 }]);
  });

  it('fails with a clear message and a non-zero exit on every bad input, never printing the password', async (t) => {
    const postgres = suite.postgres();
    if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
    const env = onPostgres(postgres, await postgres.createDatabase('refused'));
    const runs: CliRun[] = [];
    const expectFailure = async (from: string, environment: Record<string, string>, message: RegExp): Promise<void> => {
      const run = await migrateSqlite(from, environment);
      runs.push(run);
      assert.notEqual(run.code, 0, run.stdout);
      assert.match(run.stderr, message);
    };
    await expectFailure(path.join(suite.dir, 'missing.db'), env, /missing\.db does not exist: pass the SQLite file of the marketplace service/);
    const notSqlite = path.join(suite.dir, 'notes.txt');
    writeFileSync(notSqlite, 'not a database at all, just some text that is long enough to be a header');
    await expectFailure(notSqlite, env, /notes\.txt cannot be read as a SQLite database: file is not a database/);
    const emptySqlite = path.join(suite.dir, 'empty.db');
    writeFileSync(emptySqlite, '');
    await expectFailure(emptySqlite, env, /empty\.db is not a Hangar marketplace database/);
    await expectFailure(sqliteFile, onSqlite, /no PostgreSQL to migrate into: set HANGAR_DATABASE_URL/);
    const wrongPassword = 'wrong-password-for-the-test';
    await expectFailure(sqliteFile, { ...env, HANGAR_DATABASE_URL: `postgresql://${postgres.user}:${wrongPassword}@127.0.0.1:${postgres.port}/refused` }, /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/refused: password authentication failed/);
    await expectFailure(sqliteFile, { ...NO_DATABASE, ...postgres.env('refused'), PGPASSWORD: wrongPassword }, /password authentication failed/);
    for (const run of runs) {
      const output = `${run.stdout}${run.stderr}`;
      assert.ok(!output.includes(wrongPassword) && !output.includes(postgres.password), `a password appeared in: ${output}`);
    }
    assert.deepEqual(await query(postgres, 'refused', 'SELECT count(*)::int AS n FROM hangar.market_tokens'), [{ n: 0 }], 'nothing was copied');
  });
});
