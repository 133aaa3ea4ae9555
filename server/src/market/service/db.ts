import type Database from 'better-sqlite3';
import { createHash, randomBytes } from 'node:crypto';
import type { EntryStats } from '../search';
import type { InstallAudit, Review } from '../serviceClient';
import type { EntryVerification } from '../verify/types';
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

  /** Counts an install of `version` from `installation` unless that installation already reported it; remembers who reported it. */
  recordInstall(entryId: string, version: string, installation: string, user: string): { installs: number; counted: boolean } {
    const now = new Date().toISOString();
    const changes = this.db.transaction(() => {
      this.db.prepare('INSERT INTO install_reporters (entry_id, installation, user, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(entryId, installation, user, now);
      return this.db.prepare('INSERT INTO installations (entry_id, version, installation, first_seen_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(entryId, version, installation, now).changes;
    })();
    return { installs: this.statsOf(entryId).installs, counted: changes > 0 };
  }

  /** Whether `user` reported an install of the entry from `installation` (what a rating or review needs). */
  hasInstalled(entryId: string, installation: string, user: string): boolean {
    return this.db.prepare('SELECT 1 FROM install_reporters WHERE entry_id = ? AND installation = ? AND user = ?').get(entryId, installation, user) !== undefined;
  }

  /** Why an install count is what it is: each installation by version and date, who reported it, and the counts from before installation ids. */
  installAudit(entryId: string): InstallAudit {
    const legacy = this.db.prepare('SELECT count FROM installs WHERE entry_id = ?').get(entryId) as { count: number } | undefined;
    const rows = this.db
      .prepare(
        `SELECT i.version, i.installation, i.first_seen_at AS firstSeenAt, GROUP_CONCAT(r.user) AS users
         FROM installations i LEFT JOIN install_reporters r ON r.entry_id = i.entry_id AND r.installation = i.installation
         WHERE i.entry_id = ? GROUP BY i.version, i.installation ORDER BY i.first_seen_at, i.version`,
      )
      .all(entryId) as { version: string; installation: string; firstSeenAt: string; users: string | null }[];
    return {
      entry: entryId,
      installs: this.statsOf(entryId).installs,
      beforeInstallationIds: legacy?.count ?? 0,
      installations: rows.map(({ users, ...row }) => ({ ...row, reportedBy: users ? [...new Set(users.split(','))].sort() : [] })),
    };
  }

  saveVerification(entryId: string, record: EntryVerification): void {
    this.db
      .prepare('INSERT INTO verifications (entry_id, sha256, verified_at, record) VALUES (?, ?, ?, ?) ON CONFLICT (entry_id, sha256) DO UPDATE SET verified_at = excluded.verified_at, record = excluded.record')
      .run(entryId, record.sha256, record.verifiedAt, JSON.stringify(record));
  }

  /** The record for this sha256 of the entry's file, else the entry's latest (which then no longer applies). */
  verificationOf(entryId: string, sha256: string): EntryVerification | undefined {
    const row = (this.db.prepare('SELECT record FROM verifications WHERE entry_id = ? AND sha256 = ?').get(entryId, sha256) ??
      this.db.prepare('SELECT record FROM verifications WHERE entry_id = ? ORDER BY verified_at DESC LIMIT 1').get(entryId)) as { record: string } | undefined;
    return row && (JSON.parse(row.record) as EntryVerification);
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
