import type BetterSqlite3 from 'better-sqlite3';
import type { Database } from '../../db/pool';
import { openSqlite } from './sqlite';

interface TableCopy {
  /** The SQLite table. */
  readonly from: string;
  /** The PostgreSQL table in schema `hangar`. */
  readonly to: string;
  /** Each PostgreSQL column and the SQLite expression that fills it (JSON-typed, so booleans and records keep their type). */
  readonly columns: Readonly<Record<string, string>>;
}

const BOOLEAN = (column: string): string => `json(iif(${column}, 'true', 'false'))`;

const TABLES: readonly TableCopy[] = [
  { from: 'tokens', to: 'market_tokens', columns: { hash: 'hash', user_name: 'user', admin: BOOLEAN('admin'), created_at: 'created_at', revoked_at: 'revoked_at' } },
  { from: 'ratings', to: 'market_ratings', columns: { entry_id: 'entry_id', user_name: 'user', rating: 'rating', updated_at: 'updated_at' } },
  { from: 'reviews', to: 'market_reviews', columns: { id: 'id', entry_id: 'entry_id', user_name: 'user', text: 'text', created_at: 'created_at', hidden: BOOLEAN('hidden') } },
  { from: 'installs', to: 'market_legacy_installs', columns: { entry_id: 'entry_id', count: 'count' } },
  { from: 'installations', to: 'market_installations', columns: { entry_id: 'entry_id', version: 'version', installation: 'installation', first_seen_at: 'first_seen_at' } },
  { from: 'install_reporters', to: 'market_install_reporters', columns: { entry_id: 'entry_id', installation: 'installation', user_name: 'user', first_seen_at: 'first_seen_at' } },
  { from: 'verifications', to: 'market_verifications', columns: { entry_id: 'entry_id', sha256: 'sha256', verified_at: 'verified_at', record: 'json(record)' } },
];

function tablesOf(sqlite: BetterSqlite3.Database, file: string): Set<string> {
  try {
    return new Set((sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((t) => t.name));
  } catch (error) {
    throw new Error(`${file} cannot be read as a SQLite database: ${(error as Error).message}`);
  }
}

/** Rows sent to PostgreSQL in one statement. */
const BATCH = 1000;

export type CopyCounts = Record<string, number>;

/**
 * Copies a SQLite marketplace database (opened read-only, never changed) into the empty `hangar.market_*` tables, in
 * one transaction that holds the tables against concurrent writers: all of it lands or none. A target that already
 * holds data is refused (no merge: which side would win is not ours to guess). SQLite tables older Hangar versions
 * did not have count as empty. Returns the rows copied per SQLite table.
 */
export async function copySqliteToPostgres(file: string, db: Database): Promise<CopyCounts> {
  const sqlite = openSqlite(file, { readonly: true, fileMustExist: true });
  try {
    const present = tablesOf(sqlite, file);
    if (!present.has('tokens') || !present.has('ratings')) throw new Error(`${file} is not a Hangar marketplace database (it has no tokens and ratings tables)`);
    return await db.transaction(async (client) => {
      const targets = TABLES.map((t) => `hangar.${t.to}`);
      await client.query(`LOCK TABLE ${targets.join(', ')} IN EXCLUSIVE MODE`);
      const { rows } = await client.query<{ rows: string }>(`SELECT (${targets.map((t) => `(SELECT count(*) FROM ${t})`).join(' + ')})::text AS rows`);
      if (rows[0]!.rows !== '0') {
        throw new Error(`the marketplace tables on PostgreSQL at ${db.settings.where} already hold ${rows[0]!.rows} row(s): migrate into a database the marketplace has not written to yet (nothing was copied)`);
      }
      const counts: CopyCounts = {};
      for (const table of TABLES) {
        counts[table.from] = 0;
        if (!present.has(table.from)) continue;
        const pairs = Object.entries(table.columns).map(([to, from]) => `'${to}', ${from}`).join(', ');
        const names = Object.keys(table.columns).join(', ');
        const insert = `INSERT INTO hangar.${table.to} (${names}) SELECT ${names} FROM json_populate_recordset(NULL::hangar.${table.to}, $1::json)`;
        let batch: string[] = [];
        const flush = async (): Promise<void> => {
          if (batch.length) await client.query(insert, [`[${batch.join(',')}]`]);
          counts[table.from]! += batch.length;
          batch = [];
        };
        for (const row of sqlite.prepare(`SELECT json_object(${pairs}) FROM ${table.from}`).pluck().iterate() as IterableIterator<string>) {
          batch.push(row);
          if (batch.length === BATCH) await flush();
        }
        await flush();
      }
      // Reviews keep their numbers; new ones continue after the highest.
      await client.query(`SELECT setval(pg_get_serial_sequence('hangar.market_reviews', 'id'), max(id)) FROM hangar.market_reviews HAVING max(id) IS NOT NULL`);
      return counts;
    });
  } finally {
    sqlite.close();
  }
}
