import type Database from 'better-sqlite3';
import type { Review } from '../serviceClient';
import { openSqlite } from './sqlite';
import type { FileOfEntry, InstallationRow, MarketTables, TokenOwner, WritePlace } from './store';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS tokens (
  hash TEXT PRIMARY KEY,
  user TEXT NOT NULL,
  admin INTEGER NOT NULL DEFAULT 0,
  created_at TEXT NOT NULL,
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS ratings (
  entry_id TEXT NOT NULL,
  user TEXT NOT NULL,
  rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  updated_at TEXT NOT NULL,
  PRIMARY KEY (entry_id, user)
);
CREATE TABLE IF NOT EXISTS reviews (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  entry_id TEXT NOT NULL,
  user TEXT NOT NULL,
  text TEXT NOT NULL,
  created_at TEXT NOT NULL,
  hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS reviews_entry ON reviews (entry_id);
-- Counts recorded before installation ids (Hangar 0.1.0), kept as they were.
CREATE TABLE IF NOT EXISTS installs (
  entry_id TEXT PRIMARY KEY,
  count INTEGER NOT NULL DEFAULT 0
);
-- One row per installation (a random id the client keeps) and entry version: a repeated install is not counted again.
CREATE TABLE IF NOT EXISTS installations (
  entry_id TEXT NOT NULL,
  version TEXT NOT NULL,
  installation TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  PRIMARY KEY (entry_id, version, installation)
);
-- Who reported an installation of an entry: a rating or review needs one reported with the same user's token.
CREATE TABLE IF NOT EXISTS install_reporters (
  entry_id TEXT NOT NULL,
  installation TEXT NOT NULL,
  user TEXT NOT NULL,
  first_seen_at TEXT NOT NULL,
  PRIMARY KEY (entry_id, installation, user)
);
-- The service's own verification of an entry file, one record per entry and sha256 (JSON, see verify/types.ts).
CREATE TABLE IF NOT EXISTS verifications (
  entry_id TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  verified_at TEXT NOT NULL,
  record TEXT NOT NULL,
  PRIMARY KEY (entry_id, sha256)
);
-- Writes within each user's hourly budget per kind (rateLimit.ts); older rows are deleted as budgets are checked.
CREATE TABLE IF NOT EXISTS writes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  user TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS writes_user ON writes (user, kind, at);
`;

/** Install counts per entry: the rows of installations plus the counts from before them. */
const INSTALL_TOTALS = `
SELECT entry_id AS id, SUM(n) AS installs FROM (
  SELECT entry_id, count AS n FROM installs
  UNION ALL SELECT entry_id, COUNT(*) AS n FROM installations GROUP BY entry_id
) WHERE ? IS NULL OR entry_id = ? GROUP BY entry_id`;

/** The one-host backend: a SQLite file (WAL, so readers never wait for the writer). */
export class SqliteTables implements MarketTables {
  private readonly db: Database.Database;

  constructor(readonly file: string) {
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  get description(): string {
    return `SQLite file ${this.file}`;
  }

  async close(): Promise<void> {
    this.db.close();
  }

  async ping(): Promise<void> {
    this.db.prepare('SELECT 1').get();
  }

  async insertToken(hash: string, user: string, admin: boolean, at: string): Promise<void> {
    this.db.prepare('INSERT INTO tokens (hash, user, admin, created_at) VALUES (?, ?, ?, ?)').run(hash, user, admin ? 1 : 0, at);
  }

  async revokeTokens(user: string, at: string): Promise<number> {
    return this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL').run(at, user).changes;
  }

  async tokenOwner(hash: string): Promise<TokenOwner | undefined> {
    const row = this.db.prepare('SELECT user, admin FROM tokens WHERE hash = ? AND revoked_at IS NULL').get(hash) as { user: string; admin: number } | undefined;
    return row && { user: row.user, admin: row.admin === 1 };
  }

  async upsertRating(entryId: string, user: string, rating: number, at: string): Promise<void> {
    this.db
      .prepare('INSERT INTO ratings (entry_id, user, rating, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, user) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at')
      .run(entryId, user, rating, at);
  }

  async insertReview(entryId: string, user: string, text: string, at: string): Promise<number> {
    return Number(this.db.prepare('INSERT INTO reviews (entry_id, user, text, created_at) VALUES (?, ?, ?, ?)').run(entryId, user, text, at).lastInsertRowid);
  }

  async hideReview(id: number): Promise<boolean> {
    return this.db.prepare('UPDATE reviews SET hidden = 1 WHERE id = ?').run(id).changes > 0;
  }

  async reviews(entryId: string, includeHidden: boolean): Promise<Review[]> {
    const rows = this.db
      .prepare(`SELECT id, entry_id AS entryId, user, text, created_at AS createdAt, hidden FROM reviews WHERE entry_id = ? ${includeHidden ? '' : 'AND hidden = 0'} ORDER BY id DESC LIMIT 200`)
      .all(entryId) as (Omit<Review, 'hidden'> & { hidden: number })[];
    return rows.map((r) => ({ ...r, hidden: r.hidden === 1 }));
  }

  async insertInstall(entryId: string, version: string, installation: string, user: string, at: string): Promise<boolean> {
    const changes = this.db.transaction(() => {
      this.db.prepare('INSERT INTO install_reporters (entry_id, installation, user, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(entryId, installation, user, at);
      return this.db.prepare('INSERT INTO installations (entry_id, version, installation, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(entryId, version, installation, at).changes;
    })();
    return changes > 0;
  }

  async hasInstalled(entryId: string, installation: string, user: string): Promise<boolean> {
    return this.db.prepare('SELECT 1 FROM install_reporters WHERE entry_id = ? AND installation = ? AND user = ?').get(entryId, installation, user) !== undefined;
  }

  async legacyInstalls(entryId: string): Promise<number> {
    return (this.db.prepare('SELECT count FROM installs WHERE entry_id = ?').get(entryId) as { count: number } | undefined)?.count ?? 0;
  }

  async installations(entryId: string): Promise<InstallationRow[]> {
    const rows = this.db
      .prepare(
        `SELECT i.version, i.installation, i.first_seen_at AS firstSeenAt, json_group_array(r.user) AS users
         FROM installations i LEFT JOIN install_reporters r ON r.entry_id = i.entry_id AND r.installation = i.installation
         WHERE i.entry_id = ? GROUP BY i.version, i.installation ORDER BY i.first_seen_at, i.version`,
      )
      .all(entryId) as { version: string; installation: string; firstSeenAt: string; users: string }[];
    return rows.map(({ users, ...row }) => ({ ...row, reportedBy: JSON.parse(users) as string[] }));
  }

  async upsertVerification(entryId: string, sha256: string, verifiedAt: string, record: string): Promise<void> {
    this.db
      .prepare('INSERT INTO verifications (entry_id, sha256, verified_at, record) VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, sha256) DO UPDATE SET verified_at = excluded.verified_at, record = excluded.record')
      .run(entryId, sha256, verifiedAt, record);
  }

  async verificationRecords(wanted: readonly FileOfEntry[]): Promise<Map<string, string>> {
    const pick = this.db.prepare('SELECT record FROM verifications WHERE entry_id = ? ORDER BY sha256 = ? DESC, verified_at DESC LIMIT 1').pluck();
    const records = new Map<string, string>();
    for (const { entryId, sha256 } of wanted) {
      const record = pick.get(entryId, sha256) as string | undefined;
      if (record !== undefined) records.set(entryId, record);
    }
    return records;
  }

  async ratingTotals(entryId?: string): Promise<{ id: string; average: number; ratings: number }[]> {
    return this.db
      .prepare('SELECT entry_id AS id, AVG(rating) AS average, COUNT(*) AS ratings FROM ratings WHERE ? IS NULL OR entry_id = ? GROUP BY entry_id')
      .all(entryId ?? null, entryId ?? null) as { id: string; average: number; ratings: number }[];
  }

  async installTotals(entryId?: string): Promise<{ id: string; installs: number }[]> {
    return this.db.prepare(INSTALL_TOTALS).all(entryId ?? null, entryId ?? null) as { id: string; installs: number }[];
  }

  async takeWrite(user: string, kind: string, budget: number, since: string, at: string): Promise<WritePlace> {
    // IMMEDIATE: the write lock is taken before the count, so another process on the same file waits for it.
    return this.db
      .transaction((): WritePlace => {
        this.db.prepare('DELETE FROM writes WHERE user = ? AND kind = ? AND at <= ?').run(user, kind, since);
        const taken = this.db.prepare('SELECT COUNT(*) AS n, MIN(at) AS oldest FROM writes WHERE user = ? AND kind = ?').get(user, kind) as { n: number; oldest: string | null };
        if (taken.n >= budget) return { oldest: taken.oldest! };
        return { id: Number(this.db.prepare('INSERT INTO writes (user, kind, at) VALUES (?, ?, ?)').run(user, kind, at).lastInsertRowid) };
      })
      .immediate();
  }

  async returnWrite(id: number): Promise<void> {
    this.db.prepare('DELETE FROM writes WHERE id = ?').run(id);
  }
}
