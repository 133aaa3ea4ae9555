import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Marketplace } from '../marketplace';
import type { SortKey } from '../search';
import type { MarketDb, TokenOwner } from './db';

export const MAX_BODY_BYTES = 16 * 1024;
export const MAX_REVIEW_CHARS = 2000;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-store',
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="hangar-marketplace"' } : {}),
  });
  res.end(text);
}

/** Reads a JSON body, refusing more than MAX_BODY_BYTES before buffering it. */
async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (Number(req.headers['content-length'] ?? 0) > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'send the body as application/json');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new HttpError(413, `request body larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('not an object');
    return value as Record<string, unknown>;
  } catch {
    throw new HttpError(400, 'the body is not a JSON object');
  }
}

/**
 * The marketplace HTTP JSON API. Reads are open; writes need `Authorization: Bearer <token>` from
 * `hangar market admin token create`; hiding a review needs an admin token. `current` returns the catalogs
 * loaded last (the service re-reads them periodically).
 */
export function createMarketServer(current: () => Marketplace, db: MarketDb): Server {
  const authenticate = (req: IncomingMessage): TokenOwner => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const owner = match?.[1] ? db.owner(match[1]) : undefined;
    if (!owner) throw new HttpError(401, match ? 'the token is unknown or revoked' : 'writes need a bearer token (hangar market admin token create)');
    return owner;
  };
  const knownEntry = (raw: string): string => {
    const id = decodeURIComponent(raw);
    if (!current().search.get(id)) throw new HttpError(404, `no catalog entry "${id}"`);
    return id;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const market = current();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = `${req.method} ${url.pathname}`;
    let m: RegExpExecArray | null;
    if (route === 'GET /api/v1/health') return send(res, 200, { ok: true, entries: market.search.size, catalogs: market.catalogNames });
    if (route === 'GET /api/v1/stats') return send(res, 200, { stats: Object.fromEntries(db.allStats()) });
    if (route === 'GET /api/v1/entries') {
      market.setStats(db.allStats());
      const q = url.searchParams;
      const result = market.find({
        text: q.get('q') ?? undefined,
        category: q.get('category') ?? undefined,
        status: q.get('status') ?? undefined,
        airflowVersion: q.get('airflow') ?? undefined,
        provider: q.get('provider') ?? undefined,
        sort: (q.get('sort') as SortKey | null) ?? undefined,
        limit: Math.min(Number(q.get('limit') ?? 50) || 50, 500),
      });
      return send(res, 200, { total: result.total, hits: result.hits.map((h) => ({ entry: h.entry, stats: h.stats })), problems: market.problems });
    }
    if ((m = /^GET \/api\/v1\/entries\/([^/]+)$/.exec(route))) {
      const id = knownEntry(m[1]!);
      return send(res, 200, { entry: market.search.get(id), stats: db.statsOf(id), reviews: db.reviews(id) });
    }
    if ((m = /^GET \/api\/v1\/entries\/([^/]+)\/reviews$/.exec(route))) return send(res, 200, { reviews: db.reviews(knownEntry(m[1]!)) });
    if ((m = /^PUT \/api\/v1\/entries\/([^/]+)\/rating$/.exec(route))) {
      const owner = authenticate(req);
      const id = knownEntry(m[1]!);
      const { rating } = await readJson(req);
      if (typeof rating !== 'number' || !Number.isInteger(rating) || rating < 1 || rating > 5) throw new HttpError(400, 'rating must be a whole number from 1 to 5');
      return send(res, 200, db.rate(id, owner.user, rating));
    }
    if ((m = /^POST \/api\/v1\/entries\/([^/]+)\/reviews$/.exec(route))) {
      const owner = authenticate(req);
      const id = knownEntry(m[1]!);
      const { text } = await readJson(req);
      if (typeof text !== 'string' || text.trim() === '') throw new HttpError(400, 'text must be a non-empty string');
      if (text.length > MAX_REVIEW_CHARS) throw new HttpError(400, `a review is at most ${MAX_REVIEW_CHARS} characters`);
      return send(res, 201, { id: db.addReview(id, owner.user, text.trim()) });
    }
    if ((m = /^POST \/api\/v1\/entries\/([^/]+)\/installs$/.exec(route))) {
      authenticate(req);
      return send(res, 200, { installs: db.recordInstall(knownEntry(m[1]!)) });
    }
    if ((m = /^POST \/api\/v1\/reviews\/(\d+)\/hide$/.exec(route))) {
      if (!authenticate(req).admin) throw new HttpError(403, 'only an admin token can hide reviews');
      if (!db.hideReview(Number(m[1]))) throw new HttpError(404, `no review ${m[1]}`);
      return send(res, 204);
    }
    throw new HttpError(404, `no route ${route}`);
  };

  return createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const status = error instanceof HttpError ? error.status : 500;
      if (status === 413) res.setHeader('connection', 'close');
      send(res, status, { error: status === 500 ? 'internal error' : (error as Error).message });
      if (status === 500) console.error(`marketplace: ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
    });
  });
}
