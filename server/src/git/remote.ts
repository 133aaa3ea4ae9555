/**
 * What Hangar hands to git as a remote or a ref, checked in one place, and how two spellings of one remote are
 * compared (credentials are bound to a remote: see credentials.ts).
 */

/** The transports Hangar supports; GIT_ALLOW_PROTOCOL holds git to the same list (environment.ts). */
export const ALLOWED_PROTOCOLS = ['https', 'http', 'ssh', 'file'] as const;

const SUPPORTED = 'use https://, http://, ssh://, user@host:path, file:// or a local path';
const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;
const SCP_LIKE = /^([\w.-]+)@([\w.-]+):(.*)$/s;
/** `ext::sh -c …`, `fd::3`: git hands everything after `::` to a transport helper. */
const TRANSPORT_HELPER = /^[a-z0-9+.-]+::/i;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A URL with a scheme, or scp-like `user@host:path`; anything else is a local path. */
export function isRemoteUrl(url: string): boolean {
  return SCHEME.test(url) || SCP_LIKE.test(url);
}

/**
 * Why git must not be given `url`, or undefined when it may. Messages never repeat the URL (it may hold a
 * password). A local path must be absolute, unless `relativeTo` is given (the configuration's folder, which
 * relative paths are resolved against).
 */
export function gitUrlProblem(url: string, relativeTo?: string): string | undefined {
  if (!url) return 'is empty';
  if (url.startsWith('-')) return 'cannot start with "-" (git would read it as an option)';
  if (CONTROL.test(url)) return 'contains a control character or a line break';
  if (TRANSPORT_HELPER.test(url)) return `uses a Git transport helper ("…::"), which Hangar never runs: ${SUPPORTED}`;
  const scheme = SCHEME.exec(url)?.[1]?.toLowerCase();
  if (scheme) return schemeUrlProblem(url, scheme);
  const scp = SCP_LIKE.exec(url);
  if (scp) return scp[2]!.startsWith('-') ? 'has a host that starts with "-"' : undefined;
  if (/^\s/.test(url)) return 'cannot start with a space';
  if (!url.startsWith('/') && relativeTo === undefined) return `is not a URL Hangar supports: ${SUPPORTED}`;
  return undefined;
}

function schemeUrlProblem(url: string, scheme: string): string | undefined {
  if (!(ALLOWED_PROTOCOLS as readonly string[]).includes(scheme)) return `uses ${scheme}://, which Hangar does not support: ${SUPPORTED}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (scheme === 'file') return parsed.host && parsed.hostname !== 'localhost' ? 'names a host: file:// URLs are local (file:///path)' : undefined;
  if (!parsed.hostname) return 'has no host';
  if (parsed.hostname.startsWith('-') || decodeURIComponent(parsed.username).startsWith('-')) return 'has a user or host that starts with "-"';
  return userinfoProblem(parsed);
}

const CREDENTIALS_IN_URL =
  'contains a user name or password ("user:…@"): remove it; credentials are entered in the editor (Hangar: Update Credentials) or set in environment variables';

/**
 * A password in a URL, or any user name in an http(s) URL (a token is often given as the user name): secrets
 * belong in the editor's secret storage or the environment, never in the configuration.
 */
function userinfoProblem(parsed: URL): string | undefined {
  return parsed.password || ((parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username) ? CREDENTIALS_IN_URL : undefined;
}

/** For URLs that are not git remotes (an Airflow endpoint): no user or password before the host, whatever the form. */
export function urlCredentialsProblem(url: string): string | undefined {
  const authority = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').split(/[/?#]/, 1)[0] ?? '';
  return authority.includes('@') ? CREDENTIALS_IN_URL : undefined;
}

/**
 * Why `name` cannot be a branch or tag name (git check-ref-format's rules), or undefined. A name starting with
 * "-" would be read as an option.
 */
export function refNameProblem(name: string): string | undefined {
  if (!name) return 'is empty';
  if (name.startsWith('-')) return 'cannot start with "-" (git would read it as an option)';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f~^:?*[\\]/.test(name)) return 'cannot contain spaces, control characters or any of ~ ^ : ? * [ \\';
  if (name.includes('..') || name.includes('@{') || name.includes('//') || name === '@') return 'cannot contain "..", "@{" or "//", nor be "@"';
  if (/(^|\/)\./.test(name) || /(\.lock|\/|\.)$/.test(name)) return 'cannot start a part with ".", nor end with "/", "." or ".lock"';
  return undefined;
}

export const COMMIT_ID = /^[0-9a-f]{7,64}$/i;

/** A branch, tag or commit id as given to `hangar deploy --ref` or a catalog's `ref`. */
export function revisionProblem(revision: string): string | undefined {
  return COMMIT_ID.test(revision) ? undefined : refNameProblem(revision);
}

/** Throws when `url` may not reach git; `what` names it in the message ("the URL of target staging"). */
export function assertGitUrl(url: string, what = 'the Git URL'): void {
  const problem = gitUrlProblem(url);
  if (problem) throw new UnsafeGitInput(`${what} ${problem}.`);
}

export function assertRevision(revision: string, what = 'the ref'): void {
  const problem = revisionProblem(revision);
  if (problem) throw new UnsafeGitInput(`${what} "${revision.slice(0, 80)}" ${problem}.`);
}

/** A URL or ref Hangar refused before starting git. */
export class UnsafeGitInput extends Error {
  override name = 'UnsafeGitInput';
}

const DEFAULT_PORTS: Record<string, string> = { https: '443', http: '80', ssh: '22' };

interface RemoteParts {
  readonly scheme: string;
  /** host[:port], lower case, without a default port; '' for local repositories. */
  readonly host: string;
  readonly path: string;
}

function partsOf(url: string): RemoteParts {
  const scp = SCP_LIKE.exec(url);
  if (!SCHEME.test(url) && scp) return { scheme: 'ssh', host: scp[2]!.toLowerCase(), path: `/${scp[3]!.replace(/^\/+/, '')}` };
  if (!SCHEME.test(url)) return { scheme: 'file', host: '', path: url };
  const parsed = new URL(url);
  const scheme = parsed.protocol.slice(0, -1).toLowerCase();
  const port = parsed.port && parsed.port !== DEFAULT_PORTS[scheme] ? `:${parsed.port}` : '';
  return { scheme, host: scheme === 'file' ? '' : `${parsed.hostname.toLowerCase()}${port}`, path: decodeURIComponent(parsed.pathname) };
}

/** `scheme://host[:port]` of a remote (`ssh://host` for `git@host:path`, `file://` for local ones). */
export function remoteOrigin(url: string): string {
  const { scheme, host } = partsOf(url);
  return `${scheme}://${host}`;
}

/** One spelling per repository: origin plus path, without user, trailing `/` or `.git`. */
export function normalizedRemote(url: string): string {
  const { path } = partsOf(url);
  return `${remoteOrigin(url)}${path.replace(/\/{2,}/g, '/').replace(/\/+$/, '').replace(/\.git$/, '')}`;
}
