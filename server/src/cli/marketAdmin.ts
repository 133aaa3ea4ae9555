import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { databaseSettings } from '../db/settings';
import { openMarketDatabase, openMarketStore } from '../market/service/openStore';
import { copySqliteToPostgres } from '../market/service/sqliteToPostgres';
import type { MarketStore } from '../market/service/store';
import { print, requireService } from './marketService';

const SQLITE_OPTION = 'SQLite file of the service (ignored when HANGAR_DATABASE_URL or PG* name a PostgreSQL)';

/** Runs `work` on the service's store (the one `hangar serve --marketplace` would open here), then closes it. */
async function withStore<T>(sqliteFile: string, work: (store: MarketStore) => Promise<T>): Promise<T> {
  const store = await openMarketStore(sqliteFile, (line) => console.error(line));
  try {
    return await work(store);
  } finally {
    await store.close();
  }
}

/** `hangar market admin`: moderation, the install audit, tokens and the move from SQLite to PostgreSQL. */
export function registerMarketAdmin(market: Command): void {
  const admin = market.command('admin').description('administer the marketplace service database');
  admin
    .command('hide-review')
    .argument('<review-id>', 'review number (from the entry page or GET /api/v1/entries/{id}/reviews)')
    .description('hide a review on the marketplace service (admin token from HANGAR_MARKET_TOKEN)')
    .option('--json', 'print machine-readable JSON')
    .action(async (reviewId: string, options: { json?: boolean }) => {
      await requireService().hideReview(Number(reviewId));
      print(options, { hidden: Number(reviewId) }, () => `Review ${reviewId} hidden`);
    });
  admin
    .command('installs')
    .requiredOption('--entry <id>', 'entry id (catalog/entry)')
    .description("why an entry's install count is what it is: its installations by version and date (admin token from HANGAR_MARKET_TOKEN)")
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { entry: string; json?: boolean }) => {
      const audit = await requireService().installAudit(options.entry);
      const versions = [...new Set(audit.installations.map((i) => i.version))];
      print(options, audit, () =>
        [
          `${audit.entry}: ${audit.installs} install(s)${audit.beforeInstallationIds ? `, ${audit.beforeInstallationIds} of them counted before installation ids` : ''}`,
          ...versions.flatMap((version) => {
            const rows = audit.installations.filter((i) => i.version === version);
            return [`version ${version}: ${rows.length} installation(s)`, ...rows.map((i) => `  ${i.firstSeenAt.slice(0, 16).replace('T', ' ')}  ${i.installation}  reported by ${i.reportedBy.join(', ') || '-'}`)];
          }),
        ].join('\n'),
      );
    });
  const token = admin.command('token').description('bearer tokens for writes (stored hashed; shown once)');
  token
    .command('create')
    .requiredOption('--user <name>', 'who the token belongs to (one rating per user per entry)')
    .option('--admin', 'may hide reviews')
    .option('--db <file>', SQLITE_OPTION, 'hangar-marketplace.db')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { user: string; admin?: boolean; db: string; json?: boolean }) => {
      const created = await withStore(options.db, (store) => store.createToken(options.user, options.admin));
      print(options, { user: options.user, admin: Boolean(options.admin), token: created }, () => `${created}\n(store it now: only its hash is kept; give it to ${options.user} as HANGAR_MARKET_TOKEN)`);
    });
  token
    .command('revoke')
    .requiredOption('--user <name>')
    .option('--db <file>', SQLITE_OPTION, 'hangar-marketplace.db')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { user: string; db: string; json?: boolean }) => {
      const revoked = await withStore(options.db, (store) => store.revokeTokens(options.user));
      print(options, { user: options.user, revoked }, () => `Revoked ${revoked} token(s) of ${options.user}`);
    });
  admin
    .command('migrate-sqlite')
    .requiredOption('--from <file>', 'the SQLite file the service used so far (read, never changed)')
    .description('copy a SQLite marketplace database into the PostgreSQL of HANGAR_DATABASE_URL or PG* (its marketplace tables must be empty)')
    .option('--json', 'print machine-readable JSON')
    .action(async (options: { from: string; json?: boolean }) => {
      const settings = databaseSettings();
      if (!settings) throw new Error('no PostgreSQL to migrate into: set HANGAR_DATABASE_URL=postgresql://USER@HOST:PORT/DB (password in PGPASSWORD or PGPASSFILE) or the PG* variables');
      if (!existsSync(options.from)) throw new Error(`${options.from} does not exist: pass the SQLite file of the marketplace service (its --db, hangar-marketplace.db by default)`);
      const db = await openMarketDatabase(settings, (line) => console.error(line));
      try {
        const copied = await copySqliteToPostgres(options.from, db);
        print(options, { from: options.from, to: settings.where, copied }, () =>
          [`Copied ${options.from} into PostgreSQL at ${settings.where}:`, ...Object.entries(copied).map(([table, rows]) => `  ${table}: ${rows} row(s)`), 'Start the marketplace replicas with the same HANGAR_DATABASE_URL or PG* variables.'].join('\n'),
        );
      } catch (error) {
        throw new Error(db.scrub((error as Error).message));
      } finally {
        await db.close();
      }
    });
}
