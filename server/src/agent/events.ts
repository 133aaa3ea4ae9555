/** A webhook delivery reduced to what the agent acts on. */
export type AgentEvent =
  | { readonly kind: 'push'; readonly repositoryUrl?: string; readonly repositoryName?: string; readonly ref?: string; readonly commit?: string }
  | {
      readonly kind: 'review';
      readonly host: 'github' | 'gitlab';
      readonly repositoryUrl: string;
      readonly commit: string;
      /** `owner/name` on GitHub, the numeric project id on GitLab. */
      readonly project: string;
      /** Pull request number or merge request iid. */
      readonly number: number;
    }
  | { readonly kind: 'ping' }
  | { readonly kind: 'ignored'; readonly why: string };

type Json = Record<string, unknown>;

const record = (value: unknown): Json => (value && typeof value === 'object' ? (value as Json) : {});
const text = (value: unknown): string | undefined => (typeof value === 'string' && value ? value : undefined);

const REVIEWED_PR_ACTIONS = new Set(['opened', 'synchronize', 'reopened', 'ready_for_review']);
const REVIEWED_MR_ACTIONS = new Set(['open', 'reopen', 'update']);

export function githubEvent(event: string | undefined, payload: Json): AgentEvent {
  const repository = record(payload.repository);
  switch (event) {
    case 'ping':
      return { kind: 'ping' };
    case 'push':
      if (payload.deleted === true) return { kind: 'ignored', why: 'branch deleted' };
      return { kind: 'push', repositoryUrl: text(repository.clone_url), ref: text(payload.ref), commit: text(payload.after) };
    case 'pull_request': {
      const action = text(payload.action) ?? '';
      if (!REVIEWED_PR_ACTIONS.has(action)) return { kind: 'ignored', why: `pull_request action "${action}"` };
      const pr = record(payload.pull_request);
      const head = record(pr.head);
      const commit = text(head.sha);
      const url = text(record(head.repo).clone_url) ?? text(repository.clone_url);
      if (!commit || !url) return { kind: 'ignored', why: 'pull_request without a head commit' };
      return { kind: 'review', host: 'github', repositoryUrl: url, commit, project: text(repository.full_name) ?? '', number: Number(pr.number ?? payload.number) };
    }
    default:
      return { kind: 'ignored', why: `event "${event ?? 'none'}"` };
  }
}

export function gitlabEvent(event: string | undefined, payload: Json): AgentEvent {
  const project = record(payload.project);
  const url = text(project.git_http_url) ?? text(project.http_url);
  switch (event) {
    case 'Push Hook':
      return { kind: 'push', repositoryUrl: url, ref: text(payload.ref), commit: text(payload.checkout_sha) ?? text(payload.after) };
    case 'Merge Request Hook': {
      const attributes = record(payload.object_attributes);
      const action = text(attributes.action) ?? 'open';
      if (!REVIEWED_MR_ACTIONS.has(action)) return { kind: 'ignored', why: `merge request action "${action}"` };
      const commit = text(record(attributes.last_commit).id);
      const source = text(record(attributes.source).git_http_url) ?? url;
      if (!commit || !source) return { kind: 'ignored', why: 'merge request without a head commit' };
      return { kind: 'review', host: 'gitlab', repositoryUrl: source, commit, project: String(project.id ?? ''), number: Number(attributes.iid) };
    }
    default:
      return { kind: 'ignored', why: `event "${event ?? 'none'}"` };
  }
}

/** Comparable form of a clone URL: no credentials, no `.git`, no trailing slash, lower-case host. */
export function normaliseUrl(url: string): string {
  const trimmed = url.trim().replace(/\/+$/, '').replace(/\.git$/, '');
  try {
    const parsed = new URL(trimmed);
    return `${parsed.protocol}//${parsed.host.toLowerCase()}${parsed.pathname}`;
  } catch {
    return trimmed;
  }
}
