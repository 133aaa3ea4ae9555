import type { EntryStats } from './search';
import type { VerificationStatus } from './verify/types';
import { NO_REDIRECTS, redirectOrigin } from '../redirects';

export interface Review {
  id: number;
  entryId: string;
  user: string;
  text: string;
  createdAt: string;
  hidden?: boolean;
}

/** An admin's view of why an entry's install count is what it is (`hangar market admin installs`). */
export interface InstallAudit {
  entry: string;
  installs: number;
  /** Counts recorded by Hangar 0.1.0, before installation ids. */
  beforeInstallationIds: number;
  installations: { version: string; installation: string; firstSeenAt: string; reportedBy: string[] }[];
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

  /** Reads go without the token unless `authorized` (the admin's reads); writes always carry it. */
  private async call<T>(method: string, route: string, body?: unknown, authorized = method !== 'GET'): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token && authorized) headers.authorization = `Bearer ${this.token}`;
    let response: Response;
    const url = new URL(route, this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    try {
      response = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        ...NO_REDIRECTS,
        signal: AbortSignal.timeout(5_000),
      });
    } catch (error) {
      throw new ServiceError(0, `the marketplace service at ${this.baseUrl} is not reachable (${(error as Error).message})`);
    }
    const redirect = redirectOrigin(response, url.href);
    if (redirect) {
      throw new ServiceError(response.status, `the marketplace service at ${this.baseUrl} answered with a redirect to ${redirect}; Hangar sends your marketplace token only to the service URL it was given and follows no redirect: set the URL the service answers on`);
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

  /** Verification statuses of every entry (without logs), for lists; none from a service older than verification. */
  async verifications(): Promise<Map<string, VerificationStatus>> {
    try {
      const { verifications } = await this.call<{ verifications: Record<string, VerificationStatus> }>('GET', 'api/v1/verifications');
      return new Map(Object.entries(verifications));
    } catch (error) {
      if (error instanceof ServiceError && error.status === 404) return new Map();
      throw error;
    }
  }

  /** What an entry page needs from the service: visible reviews, and the verification status with its logs. */
  entryPage(entryId: string): Promise<{ reviews: Review[]; verification: VerificationStatus }> {
    return this.call('GET', `api/v1/entries/${encodeURIComponent(entryId)}`);
  }

  /** A rating counts only from an installation that reported an install of the entry with this token. */
  rate(entryId: string, rating: number, installation: string): Promise<EntryStats> {
    return this.call('PUT', `api/v1/entries/${encodeURIComponent(entryId)}/rating`, { rating, installation });
  }

  review(entryId: string, text: string, installation: string): Promise<{ id: number }> {
    return this.call('POST', `api/v1/entries/${encodeURIComponent(entryId)}/reviews`, { text, installation });
  }

  /** Admin only: the installations behind an entry's install count. */
  installAudit(entryId: string): Promise<InstallAudit> {
    return this.call('GET', `api/v1/entries/${encodeURIComponent(entryId)}/installs`, undefined, true);
  }

  /** Counts an install once per installation (a random id the client keeps, see installationId.ts) and entry version. */
  recordInstall(entryId: string, installation: string): Promise<{ installs: number; counted: boolean }> {
    return this.call('POST', `api/v1/entries/${encodeURIComponent(entryId)}/installs`, { installation });
  }

  hideReview(reviewId: number): Promise<void> {
    return this.call('POST', `api/v1/reviews/${reviewId}/hide`, {});
  }
}
