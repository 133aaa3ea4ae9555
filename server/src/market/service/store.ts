import { createHash, randomBytes } from 'node:crypto';
import type { EntryStats } from '../search';
import type { InstallAudit, Review } from '../serviceClient';
import type { EntryVerification } from '../verify/types';

export interface TokenOwner {
  user: string;
  admin: boolean;
}

export interface InstallationRow {
  version: string;
  installation: string;
  firstSeenAt: string;
  /** Users who reported the installation (may hold duplicates or be empty). */
  reportedBy: string[];
}

export type WritePlace = { id: number } | { oldest: string };

/** An entry and the sha256 of its file now. */
export interface FileOfEntry {
  entryId: string;
  sha256: string;
}

/**
 * The SQL of one storage backend (SQLite or PostgreSQL), and nothing else: every write is one atomic statement or
 * transaction, so replicas writing at once lose nothing. Timestamps go in and come out as ISO 8601 strings.
 */
export interface MarketTables {
  /** Where the data lives, for logs (never a password). */
  readonly description: string;
  /** Resolves when the database answers. */
  ping(): Promise<void>;
  insertToken(hash: string, user: string, admin: boolean, at: string): Promise<void>;
  revokeTokens(user: string, at: string): Promise<number>;
  tokenOwner(hash: string): Promise<TokenOwner | undefined>;
  upsertRating(entryId: string, user: string, rating: number, at: string): Promise<void>;
  insertReview(entryId: string, user: string, text: string, at: string): Promise<number>;
  hideReview(id: number): Promise<boolean>;
  /** The newest 200 reviews of the entry. */
  reviews(entryId: string, includeHidden: boolean): Promise<Review[]>;
  /** Records the installation and who reported it unless already known; whether the installation is new. */
  insertInstall(entryId: string, version: string, installation: string, user: string, at: string): Promise<boolean>;
  hasInstalled(entryId: string, installation: string, user: string): Promise<boolean>;
  /** The count recorded before installation ids (Hangar 0.1.0). */
  legacyInstalls(entryId: string): Promise<number>;
  installations(entryId: string): Promise<InstallationRow[]>;
  upsertVerification(entryId: string, sha256: string, verifiedAt: string, record: string): Promise<void>;
  /** Per entry asked for: the record for its sha256, else the entry's latest; entries without one are left out. */
  verificationRecords(wanted: readonly FileOfEntry[]): Promise<Map<string, string>>;
  /** Average and number of ratings per entry (of one entry when given). */
  ratingTotals(entryId?: string): Promise<{ id: string; average: number; ratings: number }[]>;
  /** Install counts per entry (of one entry when given): installations plus the legacy counts. */
  installTotals(entryId?: string): Promise<{ id: string; installs: number }[]>;
  /**
   * Takes a place in `user`'s budget of `kind` writes when fewer than `budget` were taken after `since`, checking and
   * taking in one atomic step (across replicas): the place's id, or when the oldest place in the window was taken.
   */
  takeWrite(user: string, kind: string, budget: number, since: string, at: string): Promise<WritePlace>;
  /** Gives back a place whose write was not accepted. */
  returnWrite(id: number): Promise<void>;
  close(): Promise<void>;
}

const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
const now = (): string => new Date().toISOString();

function collectStats(ratings: { id: string; average: number; ratings: number }[], installs: { id: string; installs: number }[]): Map<string, EntryStats> {
  const stats = new Map<string, EntryStats>();
  const get = (id: string): EntryStats => stats.get(id) ?? stats.set(id, { rating: 0, ratings: 0, installs: 0 }).get(id)!;
  for (const row of ratings) Object.assign(get(row.id), { rating: Math.round(row.average * 100) / 100, ratings: row.ratings });
  for (const row of installs) get(row.id).installs = row.installs;
  return stats;
}

/**
 * The marketplace service's data: tokens (only their sha256), ratings, reviews, install counts and verification
 * records, on whichever backend `tables` is. The service and the CLI only ever see this class.
 */
export class MarketStore {
  constructor(private readonly tables: MarketTables) {}

  get description(): string {
    return this.tables.description;
  }

  close(): Promise<void> {
    return this.tables.close();
  }

  ping(): Promise<void> {
    return this.tables.ping();
  }

  /** A new token for `user`; only its hash is stored, so it is shown once. */
  async createToken(user: string, admin = false): Promise<string> {
    const token = `hgm_${randomBytes(32).toString('base64url')}`;
    await this.tables.insertToken(hashToken(token), user, admin, now());
    return token;
  }

  revokeTokens(user: string): Promise<number> {
    return this.tables.revokeTokens(user, now());
  }

  owner(token: string): Promise<TokenOwner | undefined> {
    return this.tables.tokenOwner(hashToken(token));
  }

  /** One rating per user per entry: a second rating replaces the first. */
  async rate(entryId: string, user: string, rating: number): Promise<EntryStats> {
    await this.tables.upsertRating(entryId, user, rating, now());
    return this.statsOf(entryId);
  }

  addReview(entryId: string, user: string, text: string): Promise<number> {
    return this.tables.insertReview(entryId, user, text, now());
  }

  hideReview(id: number): Promise<boolean> {
    return this.tables.hideReview(id);
  }

  reviews(entryId: string, includeHidden = false): Promise<Review[]> {
    return this.tables.reviews(entryId, includeHidden);
  }

  /** Counts an install of `version` from `installation` unless that installation already reported it; remembers who reported it. */
  async recordInstall(entryId: string, version: string, installation: string, user: string): Promise<{ installs: number; counted: boolean }> {
    const counted = await this.tables.insertInstall(entryId, version, installation, user, now());
    return { installs: (await this.statsOf(entryId)).installs, counted };
  }

  /** Whether `user` reported an install of the entry from `installation` (what a rating or review needs). */
  hasInstalled(entryId: string, installation: string, user: string): Promise<boolean> {
    return this.tables.hasInstalled(entryId, installation, user);
  }

  /** Why an install count is what it is: each installation by version and date, who reported it, and the counts from before installation ids. */
  async installAudit(entryId: string): Promise<InstallAudit> {
    const [legacy, rows, stats] = await Promise.all([this.tables.legacyInstalls(entryId), this.tables.installations(entryId), this.statsOf(entryId)]);
    return {
      entry: entryId,
      installs: stats.installs,
      beforeInstallationIds: legacy,
      installations: rows.map((row) => ({ ...row, reportedBy: [...new Set(row.reportedBy.filter(Boolean))].sort() })),
    };
  }

  saveVerification(entryId: string, record: EntryVerification): Promise<void> {
    return this.tables.upsertVerification(entryId, record.sha256, record.verifiedAt, JSON.stringify(record));
  }

  /** Per entry: the record for the sha256 of its file, else its latest (which then no longer applies); one query for all. */
  async verificationsOf(wanted: readonly FileOfEntry[]): Promise<Map<string, EntryVerification>> {
    const records = await this.tables.verificationRecords(wanted);
    return new Map([...records].map(([entryId, record]) => [entryId, JSON.parse(record) as EntryVerification]));
  }

  takeWrite(user: string, kind: string, budget: number, since: Date, at: Date): Promise<WritePlace> {
    return this.tables.takeWrite(user, kind, budget, since.toISOString(), at.toISOString());
  }

  returnWrite(id: number): Promise<void> {
    return this.tables.returnWrite(id);
  }

  async statsOf(entryId: string): Promise<EntryStats> {
    const [ratings, installs] = await Promise.all([this.tables.ratingTotals(entryId), this.tables.installTotals(entryId)]);
    return collectStats(ratings, installs).get(entryId) ?? { rating: 0, ratings: 0, installs: 0 };
  }

  async allStats(): Promise<Map<string, EntryStats>> {
    const [ratings, installs] = await Promise.all([this.tables.ratingTotals(), this.tables.installTotals()]);
    return collectStats(ratings, installs);
  }
}
