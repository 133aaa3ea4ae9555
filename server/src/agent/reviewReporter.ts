import { NO_REDIRECTS, redirectOrigin } from '../redirects';

/** What a pull/merge request check found, posted back to the Git host. */
export interface ReviewReport {
  readonly host: 'github' | 'gitlab';
  readonly project: string;
  readonly number: number;
  readonly commit: string;
  readonly passed: boolean;
  /** One line for the commit status. */
  readonly summary: string;
  /** Markdown for the comment. */
  readonly details: string;
}

export interface HostApi {
  /** API root, e.g. https://api.github.com or https://gitlab.example.com/api/v4. */
  readonly url: string;
  readonly token: string;
}

/** Posts a commit status and a summary comment through the host's REST API. */
export async function postReview(report: ReviewReport, api: HostApi): Promise<void> {
  const root = api.url.replace(/\/+$/, '');
  const description = report.summary.slice(0, 140);
  if (report.host === 'github') {
    const headers = { authorization: `Bearer ${api.token}`, accept: 'application/vnd.github+json', 'content-type': 'application/json' };
    await send(`${root}/repos/${report.project}/statuses/${report.commit}`, headers, { state: report.passed ? 'success' : 'failure', context: 'hangar', description });
    await send(`${root}/repos/${report.project}/issues/${report.number}/comments`, headers, { body: report.details });
    return;
  }
  const headers = { 'private-token': api.token, 'content-type': 'application/json' };
  const project = encodeURIComponent(report.project);
  await send(`${root}/projects/${project}/statuses/${report.commit}`, headers, { state: report.passed ? 'success' : 'failed', name: 'hangar', description });
  await send(`${root}/projects/${project}/merge_requests/${report.number}/notes`, headers, { body: report.details });
}

async function send(url: string, headers: Record<string, string>, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), ...NO_REDIRECTS, signal: AbortSignal.timeout(15_000) });
  const redirect = redirectOrigin(response, url);
  if (redirect) throw new Error(`${new URL(url).host} answered ${response.status} to ${new URL(url).pathname}, a redirect to ${redirect}; Hangar sends its API token only to the configured API root and follows no redirect`);
  if (!response.ok) throw new Error(`${new URL(url).host} answered ${response.status} to ${new URL(url).pathname}`);
}
