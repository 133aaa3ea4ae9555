import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { scrub, type DatabaseSettings } from './settings';

/** One schema change: `name` sorts in order of application (`0001_...`), `up` is plain SQL on schema `hangar`. */
export interface Migration {
  readonly name: string;
  readonly up: string;
}

/** The schema of Hangar's own tables; pg-boss keeps its queue in its own schema (`pgboss`). */
export const HANGAR_SCHEMA = 'hangar';
/** One advisory lock for every Hangar migration, whichever component runs it: replicas starting at once take turns. */
const MIGRATION_LOCK = 0x4841_4e47_4152; // "HANGAR"

/**
 * Applies the migrations of `component` that the database has not seen, in order, in one transaction, holding
 * Hangar's migration lock (a second process waits, then finds nothing to do). Applied names are kept in
 * `hangar.<component>_migrations`. node-pg-migrate's runner reads migrations from a folder: the list, which ships
 * inside the bundle, is written to a private temporary folder for it. Returns the names applied now.
 */
export async function migrate(settings: DatabaseSettings, component: string, migrations: readonly Migration[], log: (line: string) => void): Promise<string[]> {
  const { runner } = await import('node-pg-migrate');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-migrations-'));
  const quiet = (line: string) => log(scrub(String(line), settings));
  try {
    for (const migration of migrations) writeFileSync(path.join(dir, `${migration.name}.sql`), `-- Up Migration\n${migration.up}\n`);
    const applied = await runner({
      databaseUrl: { ...(settings.connectionString ? { connectionString: settings.connectionString } : {}), application_name: `hangar-migrate-${component}` },
      dir,
      direction: 'up',
      schema: HANGAR_SCHEMA,
      createSchema: true,
      migrationsTable: `${component}_migrations`,
      advisoryLockMode: 'wait',
      lockValue: MIGRATION_LOCK,
      singleTransaction: true,
      checkOrder: true,
      logger: { debug: () => undefined, info: () => undefined, warn: quiet, error: quiet },
    });
    return applied.map((m) => m.name);
  } catch (error) {
    throw new Error(`the ${component} schema migration failed on ${settings.where}: ${scrub((error as Error).message, settings)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
