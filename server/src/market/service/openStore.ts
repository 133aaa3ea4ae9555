import { migrate } from '../../db/migrate';
import { openDatabase, type Database } from '../../db/pool';
import { databaseSettings, type DatabaseSettings } from '../../db/settings';
import { MARKET_MIGRATIONS } from './pgSchema';
import { PgTables } from './pgTables';
import { SqliteTables } from './sqliteTables';
import { MarketStore } from './store';

/** Connects to the fleet database and brings the marketplace tables up to date (replicas starting at once take turns). */
export async function openMarketDatabase(settings: DatabaseSettings, log: (line: string) => void): Promise<Database> {
  const db = await openDatabase(settings, { applicationName: 'hangar-marketplace', log });
  try {
    const applied = await migrate(settings, 'market', MARKET_MIGRATIONS, log);
    if (applied.length) log(`database schema: applied ${applied.join(', ')}`);
    return db;
  } catch (error) {
    await db.close();
    throw error;
  }
}

/**
 * The marketplace store the environment selects: PostgreSQL when HANGAR_DATABASE_URL or the PG* variables name a
 * database, else the SQLite file `sqliteFile`.
 */
export async function openMarketStore(sqliteFile: string, log: (line: string) => void): Promise<MarketStore> {
  const settings = databaseSettings();
  return new MarketStore(settings ? new PgTables(await openMarketDatabase(settings, log)) : new SqliteTables(sqliteFile));
}
