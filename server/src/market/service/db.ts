import type Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { EntryStats } from '../search';
import type { Review } from '../serviceClient';
import { openSqlite } from './sqlite';

export interface TokenOwner {
  user: string;
  admin: boolean;
}

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
`;

/** Install counts per entry: the rows of installations plus the counts from before them. */
const INSTALL_COUNTS = `
SELECT entry_id AS id, SUM(n) AS installs FROM (
  SELECT entry_id, count AS n FROM installs
  UNION ALL SELECT entry_id, COUNT(*) AS n FROM installations GROUP BY entry_id
) GROUP BY entry_id`;

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');

/** The service's SQLite store: tokens (only their sha256), ratings, reviews and install counts. */
export class MarketDb {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = openSqlite(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  close(): void {
    this.db.close();
  }

  /** A new token for `user`; only its hash is stored, so it is shown once. */
  createToken(user: string, admin = false): string {
    const token = `hgm_${randomBytes(32).toString('base64url')}`;
    this.db.prepare('INSERT INTO tokens (hash, user, admin, created_at) VALUES (?, ?, ?, ?)').run(hashToken(token), user, admin ? 1 : 0, new Date().toISOString());
    return token;
  }

  revokeTokens(user: string): number {
    return this.db.prepare('UPDATE tokens SET revoked_at = ? WHERE user = ? AND revoked_at IS NULL').run(new Date().toISOString(), user).changes;
  }

  owner(token: string): TokenOwner | undefined {
    const row = this.db.prepare('SELECT user, admin FROM tokens WHERE hash = ? AND revoked_at IS NULL').get(hashToken(token)) as { user: string; admin: number } | undefined;
    return row && { user: row.user, admin: row.admin === 1 };
  }

  /** One rating per user per entry: a second rating replaces the first. */
  rate(entryId: string, user: string, rating: number): EntryStats {
    this.db
      .prepare('INSERT INTO ratings (entry_id, user, rating, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, user) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at')
      .run(entryId, user, rating, new Date().toISOString());
    return this.statsOf(entryId);
  }

  addReview(entryId: string, user: string, text: string): number {
    return Number(this.db.prepare('INSERT INTO reviews (entry_id, user, text, created_at) VALUES (?, ?, ?, ?)').run(entryId, user, text, new Date().toISOString()).lastInsertRowid);
  }

  hideReview(id: number): boolean {
    return this.db.prepare('UPDATE reviews SET hidden = 1 WHERE id = ?').run(id).changes > 0;
  }

  reviews(entryId: string, includeHidden = false): Review[] {
    const rows = this.db
      .prepare(`SELECT id, entry_id AS entryId, user, text, created_at AS createdAt, hidden FROM reviews WHERE entry_id = ? ${includeHidden ? '' : 'AND hidden = 0'} ORDER BY id DESC LIMIT 200`)
      .all(entryId) as (Omit<Review, 'hidden'> & { hidden: number })[];
    return rows.map((r) => ({ ...r, hidden: r.hidden === 1 }));
  }

  /** Counts an install of `version` from `installation` unless that installation already reported it. */
  recordInstall(entryId: string, version: string, installation: string): { installs: number; counted: boolean } {
    const { changes } = this.db
      .prepare('INSERT INTO installations (entry_id, version, installation, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(entryId, version, installation, new Date().toISOString());
    return { installs: this.statsOf(entryId).installs, counted: changes > 0 };
  }

  statsOf(entryId: string): EntryStats {
    const rating = this.db.prepare('SELECT AVG(rating) AS rating, COUNT(*) AS n FROM ratings WHERE entry_id = ?').get(entryId) as { rating: number | null; n: number };
    const installs = this.db.prepare(`SELECT installs FROM (${INSTALL_COUNTS}) WHERE id = ?`).get(entryId) as { installs: number } | undefined;
    return { rating: Math.round((rating.rating ?? 0) * 100) / 100, ratings: rating.n, installs: installs?.installs ?? 0 };
  }

  allStats(): Map<string, EntryStats> {
    const stats = new Map<string, EntryStats>();
    const get = (id: string): EntryStats => stats.get(id) ?? stats.set(id, { rating: 0, ratings: 0, installs: 0 }).get(id)!;
    for (const row of this.db.prepare('SELECT entry_id AS id, AVG(rating) AS rating, COUNT(*) AS n FROM ratings GROUP BY entry_id').all() as { id: string; rating: number; n: number }[]) {
      Object.assign(get(row.id), { rating: Math.round(row.rating * 100) / 100, ratings: row.n });
    }
    for (const row of this.db.prepare(INSTALL_COUNTS).all() as { id: string; installs: number }[]) get(row.id).installs = row.installs;
    return stats;
  }
}
