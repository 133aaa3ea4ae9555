import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isInstallationId } from '../installationId';
import type { Marketplace } from '../marketplace';
import type { SortKey } from '../search';
import type { MarketEntry } from '../types';
import { withoutLogs } from '../verify/status';
import type { VerificationStatus } from '../verify/types';
import type { MarketStore, TokenOwner } from './store';
import { decodeSegment, HttpError, readJson, requestUrl, send } from './http';
import { WriteBudget, type WriteKind } from './rateLimit';

const MAX_REVIEW_CHARS = 2000;
const MAX_LIMIT = 500;
const MAX_QUERY_CHARS = 200;
const SORT_KEYS: readonly SortKey[] = ['relevance', 'rating', 'installs', 'updated', 'title'];

function searchLimit(value: string | null): number {
  if (value === null) return 50;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new HttpError(400, `limit must be a whole number from 1 to ${MAX_LIMIT}`);
  return limit;
}

function searchText(value: string | null): string | undefined {
  if (value !== null && value.length > MAX_QUERY_CHARS) throw new HttpError(400, `q is at most ${MAX_QUERY_CHARS} characters`);
  return value ?? undefined;
}

function sortKey(value: string | null): SortKey | undefined {
  if (value === null) return undefined;
  if (!SORT_KEYS.includes(value as SortKey)) throw new HttpError(400, `sort must be one of ${SORT_KEYS.join(', ')}`);
  return value as SortKey;
}

/** The installation id a rating or review comes from; it must have reported an install of the entry with the same user's token. */
async function installedBy(db: MarketStore, entry: MarketEntry, owner: TokenOwner, installation: unknown, what: string): Promise<void> {
  if (installation !== undefined && !isInstallationId(installation)) throw new HttpError(400, 'installation must be the installation id the client keeps (a UUID in lowercase hex)');
  if (installation === undefined || !(await db.hasInstalled(entry.id, installation, owner.user))) {
    throw new HttpError(403, `${what} needs an install of this entry: install it with Hangar from this installation, with your marketplace token configured so the install is reported, then try again`);
  }
}

export interface MarketServerOptions {
  /** Whether this file of the entry waits for the service's verification worker (none: no worker). */
  pending?: (entryId: string, sha256: string) => boolean;
}

/**
 * The marketplace HTTP JSON API. Reads are open; writes need `Authorization: Bearer <token>` from
 * `hangar market admin token create` and are limited per user (WRITE_BUDGETS); a rating or review also needs an
 * install of the entry reported from the installation it names; hiding a review and the install audit need an
 * admin token. Every answer carries an `x-request-id`; a 500 is logged under it. `current` returns the catalogs
 * loaded last (the service re-reads them periodically).
 */
export function createMarketServer(current: () => Marketplace, db: MarketStore, options: MarketServerOptions = {}): Server {
  const budget = new WriteBudget(db);
  /** The entries' verification, in their order: the service's own record of the file now (any replica's), the catalog's, or pending. */
  const verifications = async (market: Marketplace, entries: readonly MarketEntry[]): Promise<VerificationStatus[]> => {
    const files = entries.map((entry) => ({ entryId: entry.id, sha256: market.currentSha256(entry.id) ?? '' }));
    const records = await db.verificationsOf(files);
    return files.map(({ entryId, sha256 }) => market.verification(entryId, { record: records.get(entryId), pending: options.pending?.(entryId, sha256) ?? false }));
  };
  const admin = async (req: IncomingMessage, what: string): Promise<void> => {
    if (!(await authenticate(req)).admin) throw new HttpError(403, `only an admin token can ${what}`);
  };
  const authenticate = async (req: IncomingMessage): Promise<TokenOwner> => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const owner = match?.[1] ? await db.owner(match[1]) : undefined;
    if (!owner) throw new HttpError(401, match ? 'the token is unknown or revoked' : 'writes need a bearer token (hangar market admin token create)');
    return owner;
  };
  /** Runs an authenticated write within the user's budget for its kind (shared by every replica); only accepted writes use the budget. */
  const write = async <T>(req: IncomingMessage, kind: WriteKind, action: (owner: TokenOwner) => Promise<T>): Promise<T> => {
    const owner = await authenticate(req);
    return budget.spend(owner.user, kind, () => action(owner));
  };
  const knownEntry = (market: Marketplace, raw: string): MarketEntry => {
    const entry = market.search.get(decodeSegment(raw));
    if (!entry) throw new HttpError(404, 'no catalog entry with this id (ids are catalog/entry, URL-encoded)');
    return entry;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse, headers: Record<string, string>): Promise<void> => {
    const market = current();
    const url = requestUrl(req);
    const route = `${req.method} ${url.pathname}`;
    const ok = (status: number, body?: unknown): void => send(res, status, body, headers);
    let m: RegExpExecArray | null;
    if (route === 'GET /api/v1/health') {
      // A load balancer takes a replica that lost its database out of rotation.
      const answers = await db.ping().then(
        () => true,
        () => false,
      );
      if (!answers) return ok(503, { ok: false, error: `the marketplace database does not answer (${db.description})` });
      return ok(200, { ok: true, entries: market.search.size, catalogs: market.catalogNames });
    }
    if (route === 'GET /api/v1/stats') return ok(200, { stats: Object.fromEntries(await db.allStats()) });
    if (route === 'GET /api/v1/entries') {
      const q = url.searchParams;
      const query = {
        text: searchText(q.get('q')),
        category: q.get('category') ?? undefined,
        status: q.get('status') ?? undefined,
        airflowVersion: q.get('airflow') ?? undefined,
        provider: q.get('provider') ?? undefined,
        sort: sortKey(q.get('sort')),
        limit: searchLimit(q.get('limit')),
      };
      market.setStats(await db.allStats());
      const result = market.find(query);
      const statuses = await verifications(market, result.hits.map((h) => h.entry));
      const hits = result.hits.map((h, i) => ({ entry: h.entry, stats: h.stats, verification: withoutLogs(statuses[i]!) }));
      return ok(200, { total: result.total, hits, problems: market.problems });
    }
    if (route === 'GET /api/v1/verifications') {
      const statuses = await verifications(market, market.entries);
      return ok(200, { verifications: Object.fromEntries(market.entries.map((entry, i) => [entry.id, withoutLogs(statuses[i]!)])) });
    }
    if ((m = /^GET \/api\/v1\/entries\/([^/]+)$/.exec(route))) {
      const entry = knownEntry(market, m[1]!);
      const [stats, reviews, [status]] = await Promise.all([db.statsOf(entry.id), db.reviews(entry.id), verifications(market, [entry])]);
      return ok(200, { entry, stats, reviews, verification: status });
    }
    if ((m = /^GET \/api\/v1\/entries\/([^/]+)\/installs$/.exec(route))) {
      await admin(req, 'read the install audit');
      return ok(200, await db.installAudit(knownEntry(market, m[1]!).id));
    }
    if ((m = /^GET \/api\/v1\/entries\/([^/]+)\/reviews$/.exec(route))) return ok(200, { reviews: await db.reviews(knownEntry(market, m[1]!).id) });
    if ((m = /^PUT \/api\/v1\/entries\/([^/]+)\/rating$/.exec(route))) {
      const entry = knownEntry(market, m[1]!);
      const stats = await write(req, 'rating', async (owner) => {
        const { rating, installation } = await readJson(req);
        if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) throw new HttpError(400, 'rating must be a whole number from 1 to 5');
        await installedBy(db, entry, owner, installation, 'a rating');
        return db.rate(entry.id, owner.user, rating);
      });
      return ok(200, stats);
    }
    if ((m = /^POST \/api\/v1\/entries\/([^/]+)\/reviews$/.exec(route))) {
      const entry = knownEntry(market, m[1]!);
      const reviewId = await write(req, 'review', async (owner) => {
        const { text, installation } = await readJson(req);
        if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, 'text must be a non-empty string');
        if (text.length > MAX_REVIEW_CHARS) throw new HttpError(400, `a review is at most ${MAX_REVIEW_CHARS} characters`);
        await installedBy(db, entry, owner, installation, 'a review');
        return db.addReview(entry.id, owner.user, text.trim());
      });
      return ok(201, { id: reviewId });
    }
    if ((m = /^POST \/api\/v1\/entries\/([^/]+)\/installs$/.exec(route))) {
      const entry = knownEntry(market, m[1]!);
      const counted = await write(req, 'install', async (owner) => {
        const { installation } = await readJson(req);
        if (!isInstallationId(installation)) throw new HttpError(400, 'installation must be the installation id the client keeps (a UUID in lowercase hex)');
        // The version is the catalog's: a client cannot inflate counts by naming versions.
        return db.recordInstall(entry.id, entry.version, installation, owner.user);
      });
      return ok(200, counted);
    }
    if ((m = /^POST \/api\/v1\/reviews\/(\d+)\/hide$/.exec(route))) {
      await admin(req, 'hide reviews');
      const reviewId = Number(m[1]);
      if (!Number.isSafeInteger(reviewId) || !(await db.hideReview(reviewId))) throw new HttpError(404, 'no such review');
      return ok(204);
    }
    throw new HttpError(404, 'no such route; the API is under /api/v1 (see the README)');
  };

  return createServer((req, res) => {
    const requestId = randomUUID();
    const headers = { 'x-request-id': requestId };
    handle(req, res, headers).catch((error: unknown) => {
      const known = error instanceof HttpError;
      const status = known ? error.status : 500;
      if (!known) console.error(`marketplace: request ${requestId} failed (500) on ${req.method ?? '?'} ${JSON.stringify(req.url ?? '')}: ${(error as Error).stack ?? String(error)}`);
      if (res.headersSent) return void res.destroy();
      if (status === 413) res.setHeader('connection', 'close');
      const body = known ? { error: error.message, requestId } : { error: 'internal error; the service log has the details under this request id', requestId };
      send(res, status, body, { ...headers, ...(known ? error.headers : {}) });
    });
  });
}
