import type { EntryStats } from './search';

export interface Review {
  id: number;
  entryId: string;
  user: string;
  text: string;
  createdAt: string;
  hidden?: boolean;
}

export class ServiceError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The service's `{ "error": ... }`, or the HTTP status text when the answer is not JSON (a proxy's error page). */
function errorOf(text: string, response: Response): string {
  try {
    const error = (JSON.parse(text) as { error?: unknown }).error;
    if (typeof error === 'string') return error;
  } catch {
    // not JSON
  }
  return response.statusText || 'no error message';
}

/** The marketplace service's HTTP JSON API (see service/api.ts). The token is sent only as a bearer header. */
export class MarketServiceClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  private async call<T>(method: string, route: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token && method !== 'GET') headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    try {
      response = await fetch(new URL(route, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      throw new ServiceError(0, `the marketplace service at ${this.baseUrl} is not reachable (${(error as Error).message})`);
    }
    const text = await response.text();
    if (!response.ok) {
      const retry = response.status === 429 ? `; try again in ${response.headers.get('retry-after') ?? 'a while'} s` : '';
      throw new ServiceError(response.status, `marketplace service: ${errorOf(text, response)} (HTTP ${response.status}${retry})`);
    }
    try {
      return (text ? JSON.parse(text) : undefined) as T;
    } catch {
      throw new ServiceError(response.status, `the marketplace service at ${this.baseUrl} answered something that is not JSON; is the URL right?`);
    }
  }

  async stats(): Promise<Map<string, EntryStats>> {
    const { stats } = await this.call<{ stats: Record<string, EntryStats> }>('GET', 'api/v1/stats');
    return new Map(Object.entries(stats));
  }

  async reviews(entryId: string): Promise<Review[]> {
    return (await this.call<{ reviews: Review[] }>('GET', `api/v1/entries/${encodeURIComponent(entryId)}/reviews`)).reviews;
  }

  rate(entryId: string, rating: number): Promise<EntryStats> {
    return this.call('PUT', `api/v1/entries/${encodeURIComponent(entryId)}/rating`, { rating });
  }

  review(entryId: string, text: string): Promise<{ id: number }> {
    return this.call('POST', `api/v1/entries/${encodeURIComponent(entryId)}/reviews`, { text });
  }

  /** Counts an install once per installation (a random id the client keeps, see installationId.ts) and entry version. */
  recordInstall(entryId: string, installation: string): Promise<{ installs: number; counted: boolean }> {
    return this.call('POST', `api/v1/entries/${encodeURIComponent(entryId)}/installs`, { installation });
  }

  hideReview(reviewId: number): Promise<void> {
    return this.call('POST', `api/v1/reviews/${reviewId}/hide`, {});
  }
}
