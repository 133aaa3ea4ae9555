import type { Database } from '../../db/pool';
import type { Review } from '../serviceClient';
import type { FileOfEntry, InstallationRow, MarketTables, TokenOwner, WritePlace } from './store';

const iso = (value: Date): string => value.toISOString();

/** Install counts per entry (all entries when $1 is null): the installations plus the counts from before them. */
const INSTALL_TOTALS = `
SELECT entry_id AS id, SUM(n)::int AS installs FROM (
  SELECT entry_id, count AS n FROM hangar.market_legacy_installs
  UNION ALL SELECT entry_id, COUNT(*) AS n FROM hangar.market_installations GROUP BY entry_id
) t WHERE $1::text IS NULL OR entry_id = $1 GROUP BY entry_id`;

/**
 * The fleet backend: tables `hangar.market_*` on the shared PostgreSQL (see pgSchema.ts). Each write is a single
 * statement, so concurrent replicas never lose one another's writes.
 */
export class PgTables implements MarketTables {
  constructor(private readonly db: Database) {}

  get description(): string {
    return `PostgreSQL at ${this.db.settings.where}`;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  async ping(): Promise<void> {
    await this.db.pool.query('SELECT 1');
  }

  private async rows<T>(sql: string, values: unknown[]): Promise<T[]> {
    return (await this.db.pool.query(sql, values)).rows as T[];
  }

  private async rowCount(sql: string, values: unknown[]): Promise<number> {
    return (await this.db.pool.query(sql, values)).rowCount ?? 0;
  }

  async insertToken(hash: string, user: string, admin: boolean, at: string): Promise<void> {
    await this.rowCount('INSERT INTO hangar.market_tokens (hash, user_name, admin, created_at) VALUES ($1, $2, $3, $4)', [hash, user, admin, at]);
  }

  revokeTokens(user: string, at: string): Promise<number> {
    return this.rowCount('UPDATE hangar.market_tokens SET revoked_at = $2 WHERE user_name = $1 AND revoked_at IS NULL', [user, at]);
  }

  async tokenOwner(hash: string): Promise<TokenOwner | undefined> {
    const [row] = await this.rows<TokenOwner>('SELECT user_name AS "user", admin FROM hangar.market_tokens WHERE hash = $1 AND revoked_at IS NULL', [hash]);
    return row;
  }

  async upsertRating(entryId: string, user: string, rating: number, at: string): Promise<void> {
    await this.rowCount(
      `INSERT INTO hangar.market_ratings (entry_id, user_name, rating, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (entry_id, user_name) DO UPDATE SET rating = excluded.rating, updated_at = excluded.updated_at`,
      [entryId, user, rating, at],
    );
  }

  async insertReview(entryId: string, user: string, text: string, at: string): Promise<number> {
    const [row] = await this.rows<{ id: string }>('INSERT INTO hangar.market_reviews (entry_id, user_name, text, created_at) VALUES ($1, $2, $3, $4) RETURNING id', [entryId, user, text, at]);
    return Number(row!.id);
  }

  async hideReview(id: number): Promise<boolean> {
    return (await this.rowCount('UPDATE hangar.market_reviews SET hidden = true WHERE id = $1', [id])) > 0;
  }

  async reviews(entryId: string, includeHidden: boolean): Promise<Review[]> {
    const rows = await this.rows<Omit<Review, 'id' | 'createdAt'> & { id: string; createdAt: Date }>(
      `SELECT id, entry_id AS "entryId", user_name AS "user", text, created_at AS "createdAt", hidden FROM hangar.market_reviews
       WHERE entry_id = $1 AND ($2 OR NOT hidden) ORDER BY id DESC LIMIT 200`,
      [entryId, includeHidden],
    );
    return rows.map((r) => ({ ...r, id: Number(r.id), createdAt: iso(r.createdAt) }));
  }

  async insertInstall(entryId: string, version: string, installation: string, user: string, at: string): Promise<boolean> {
    const counted = await this.rowCount(
      `WITH reporter AS (
         INSERT INTO hangar.market_install_reporters (entry_id, installation, user_name, first_seen_at) VALUES ($1, $3, $4, $5) ON CONFLICT DO NOTHING
       )
       INSERT INTO hangar.market_installations (entry_id, version, installation, first_seen_at) VALUES ($1, $2, $3, $5) ON CONFLICT DO NOTHING`,
      [entryId, version, installation, user, at],
    );
    return counted > 0;
  }

  async hasInstalled(entryId: string, installation: string, user: string): Promise<boolean> {
    return (await this.rowCount('SELECT 1 FROM hangar.market_install_reporters WHERE entry_id = $1 AND installation = $2 AND user_name = $3', [entryId, installation, user])) > 0;
  }

  async legacyInstalls(entryId: string): Promise<number> {
    const [row] = await this.rows<{ count: number }>('SELECT count FROM hangar.market_legacy_installs WHERE entry_id = $1', [entryId]);
    return row?.count ?? 0;
  }

  async installations(entryId: string): Promise<InstallationRow[]> {
    const rows = await this.rows<Omit<InstallationRow, 'firstSeenAt'> & { firstSeenAt: Date }>(
      `SELECT i.version, i.installation, i.first_seen_at AS "firstSeenAt", array_remove(array_agg(r.user_name), NULL) AS "reportedBy"
       FROM hangar.market_installations i
       LEFT JOIN hangar.market_install_reporters r ON r.entry_id = i.entry_id AND r.installation = i.installation
       WHERE i.entry_id = $1 GROUP BY i.version, i.installation, i.first_seen_at ORDER BY i.first_seen_at, i.version`,
      [entryId],
    );
    return rows.map((row) => ({ ...row, firstSeenAt: iso(row.firstSeenAt) }));
  }

  async upsertVerification(entryId: string, sha256: string, verifiedAt: string, record: string): Promise<void> {
    await this.rowCount(
      `INSERT INTO hangar.market_verifications (entry_id, sha256, verified_at, record) VALUES ($1, $2, $3, $4)
       ON CONFLICT (entry_id, sha256) DO UPDATE SET verified_at = excluded.verified_at, record = excluded.record`,
      [entryId, sha256, verifiedAt, record],
    );
  }

  async verificationRecords(wanted: readonly FileOfEntry[]): Promise<Map<string, string>> {
    const rows = await this.rows<{ entryId: string; record: string }>(
      `SELECT DISTINCT ON (v.entry_id) v.entry_id AS "entryId", v.record::text AS record
       FROM hangar.market_verifications v JOIN unnest($1::text[], $2::text[]) AS w (entry_id, sha256) ON w.entry_id = v.entry_id
       ORDER BY v.entry_id, v.sha256 = w.sha256 DESC, v.verified_at DESC`,
      [wanted.map((w) => w.entryId), wanted.map((w) => w.sha256)],
    );
    return new Map(rows.map((row) => [row.entryId, row.record]));
  }

  async ratingTotals(entryId?: string): Promise<{ id: string; average: number; ratings: number }[]> {
    return this.rows(
      'SELECT entry_id AS id, AVG(rating)::float8 AS average, COUNT(*)::int AS ratings FROM hangar.market_ratings WHERE $1::text IS NULL OR entry_id = $1 GROUP BY entry_id',
      [entryId ?? null],
    );
  }

  async installTotals(entryId?: string): Promise<{ id: string; installs: number }[]> {
    return this.rows(INSTALL_TOTALS, [entryId ?? null]);
  }

  takeWrite(user: string, kind: string, budget: number, since: string, at: string): Promise<WritePlace> {
    return this.db.transaction(async (client) => {
      // One user's writes of one kind take turns here, whichever replica they reach.
      await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`hangar-market-write:${kind}:${user}`]);
      await client.query('DELETE FROM hangar.market_writes WHERE user_name = $1 AND kind = $2 AND at <= $3', [user, kind, since]);
      const { rows } = await client.query<{ n: number; oldest: Date | null }>('SELECT count(*)::int AS n, min(at) AS oldest FROM hangar.market_writes WHERE user_name = $1 AND kind = $2', [user, kind]);
      if (rows[0]!.n >= budget) return { oldest: iso(rows[0]!.oldest!) };
      const inserted = await client.query<{ id: string }>('INSERT INTO hangar.market_writes (user_name, kind, at) VALUES ($1, $2, $3) RETURNING id', [user, kind, at]);
      return { id: Number(inserted.rows[0]!.id) };
    });
  }

  async returnWrite(id: number): Promise<void> {
    await this.rowCount('DELETE FROM hangar.market_writes WHERE id = $1', [id]);
  }
}
