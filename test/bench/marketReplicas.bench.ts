/**
 * The marketplace service's HTTP throughput: SQLite on one host, then one and two replicas on one PostgreSQL.
 * Reads are entry pages (stats, reviews, verification from the store); writes are install reports. The load
 * generator runs on the same machine as the replicas and the database.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { databaseSettings } from '../../server/src/db/settings';
import { openMarketDatabase } from '../../server/src/market/service/openStore';
import { PgTables } from '../../server/src/market/service/pgTables';
import { SqliteTables } from '../../server/src/market/service/sqliteTables';
import { MarketStore } from '../../server/src/market/service/store';
import { gitRepo, hangarCatalogFiles, scratch } from '../integration/market/catalogRepos';
import { api, ENTRIES, entryRoute, NO_DATABASE, onPostgres, startReplica, type Replica } from '../integration/market/replicas';
import { startPostgres, type RunningPostgres } from '../support/postgres';
import { type Bench, printTable, saveResults } from './bench';

const READS = 4000;
const WRITES = 1000;
const CONCURRENCY = 32;
/** Writers: each stays far below the per-user install budget of a replica. */
const USERS = 100;

/** Sends `count` requests, CONCURRENCY at a time, round-robin over the replicas; requests per second. */
async function rate(replicas: readonly Replica[], count: number, request: (base: string, i: number) => Promise<{ status: number }>): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const answer = await request(replicas[i % replicas.length]!.base, i);
        if (answer.status !== 200) throw new Error(`request ${i} answered ${answer.status}`);
      }
    }),
  );
  return Math.round(count / ((performance.now() - started) / 1000));
}

/** Tokens for the writers, made through the store the replicas will use. */
async function tokensIn(store: MarketStore): Promise<string[]> {
  try {
    return await Promise.all(Array.from({ length: USERS }, (_, u) => store.createToken(`bench${u}`)));
  } finally {
    await store.close();
  }
}

async function measure(catalog: string, env: Record<string, string>, count: number, tokens: readonly string[], args: string[] = []): Promise<{ reads: number; writes: number }> {
  const replicas = await Promise.all(Array.from({ length: count }, () => startReplica(catalog, env, args)));
  try {
    const reads = await rate(replicas, READS, (base, i) => api(base, 'GET', entryRoute(ENTRIES[i % ENTRIES.length]!)));
    const writes = await rate(replicas, WRITES, (base, i) => api(base, 'POST', entryRoute(ENTRIES[i % ENTRIES.length]!, '/installs'), { token: tokens[i % USERS], body: { installation: randomUUID() } }));
    return { reads, writes };
  } finally {
    await Promise.all(replicas.map((r) => r.stop()));
  }
}

const bench: Bench = {
  name: 'market-replicas',
  description: `marketplace service requests per second (${READS} entry reads, ${WRITES} install writes, ${CONCURRENCY} at once): SQLite, 1 and 2 replicas on PostgreSQL`,
  async run() {
    const { dir, cleanup } = scratch('replicas-bench');
    let postgres: RunningPostgres | undefined;
    try {
      const catalog = gitRepo(dir, 'catalog', hangarCatalogFiles());
      const sqliteFile = path.join(dir, 'market.db');
      const sqlite = await measure(catalog, NO_DATABASE, 1, await tokensIn(new MarketStore(new SqliteTables(sqliteFile))), ['--db', sqliteFile]);

      postgres = await startPostgres();
      const onDatabase = async (name: string): Promise<{ env: Record<string, string>; tokens: string[] }> => {
        const env = onPostgres(postgres!, await postgres!.createDatabase(name));
        const db = await openMarketDatabase(databaseSettings(env)!, () => undefined);
        return { env, tokens: await tokensIn(new MarketStore(new PgTables(db))) };
      };
      const single = await onDatabase('bench_one');
      const one = await measure(catalog, single.env, 1, single.tokens);
      const pair = await onDatabase('bench_two');
      const two = await measure(catalog, pair.env, 2, pair.tokens);

      const results = { sqlite, postgresOneReplica: one, postgresTwoReplicas: two };
      printTable('marketplace service requests per second (loopback, one 2-core machine: replicas, database and load generator share it)', [
        ['setup', 'entry reads/s', 'install writes/s'],
        ['SQLite, one process', String(sqlite.reads), String(sqlite.writes)],
        ['PostgreSQL, 1 replica', String(one.reads), String(one.writes)],
        ['PostgreSQL, 2 replicas (round-robin)', String(two.reads), String(two.writes)],
      ]);
      console.log(`saved to ${saveResults('market-replicas', results)}`);
    } finally {
      await postgres?.stop();
      cleanup();
    }
  },
};

export default bench;
