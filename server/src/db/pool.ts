import type { Pool, PoolClient } from 'pg';
import { scrub, type DatabaseSettings } from './settings';

/** A pool of connections to Hangar's PostgreSQL; messages that leave it are scrubbed of credentials. */
export interface Database {
  readonly pool: Pool;
  readonly settings: DatabaseSettings;
  /** `message` without any secret of the settings. */
  scrub(message: string): string;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/**
 * Opens a pool and checks the database answers. `pg` is loaded here, only when a database is configured, so the
 * commands that never use one (`hangar check`, ...) never load it.
 */
export async function openDatabase(settings: DatabaseSettings, options: { applicationName: string; max?: number; log: (line: string) => void }): Promise<Database> {
  const { Pool } = await import('pg');
  const pool = new Pool({
    ...(settings.connectionString ? { connectionString: settings.connectionString } : {}),
    application_name: options.applicationName,
    max: options.max ?? 10,
    connectionTimeoutMillis: 10_000,
    keepAlive: true,
  });
  const clean = (message: string): string => scrub(message, settings);
  // An idle connection that breaks (database restart, network) must not crash the process: the pool replaces it.
  pool.on('error', (error) => options.log(`PostgreSQL connection lost (${clean(error.message)}); reconnecting on next use`));
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    await pool.end().catch(() => undefined);
    throw new Error(`cannot reach PostgreSQL at ${settings.where}: ${clean((error as Error).message)}`);
  }
  return {
    pool,
    settings,
    scrub: clean,
    async transaction(work) {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}
