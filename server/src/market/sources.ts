import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AuthKind, RepositoryRef } from '../config/types';
import type { GitCredentials } from '../git/credentials';
import { scrub } from '../git/errors';
import { GitClient } from '../git/gitClient';
import { assertGitUrl, assertRevision, COMMIT_ID } from '../git/remote';
import { credentialsFromEnv } from '../repos/envCredentials';
import { readCatalogFolder } from './catalog';
import type { LoadedCatalog } from './types';

/** Where a catalog comes from: a Git URL (cloned into the cache) or a local folder. */
export interface CatalogSource {
  name: string;
  url?: string;
  path?: string;
  ref?: string;
  /** How to authenticate to `url`; the secrets come from the environment (see repos/envCredentials.ts). */
  auth?: AuthKind;
  /** Set by checkoutCatalogs when `url` could not be fetched into `path`. */
  fetchError?: string;
}

/** Brings a catalog repository to disk; tests or the editor can pass another one. */
export interface CatalogFetcher {
  checkout(source: CatalogSource & { url: string }, into: string): Promise<void>;
}

/** `ref` as the Git service understands it: a commit id, else a branch or tag the remote has. */
async function resolveRef(client: GitClient, source: CatalogSource & { url: string }): Promise<RepositoryRef> {
  const ref = source.ref;
  if (!ref) return { kind: 'default', name: 'HEAD' };
  assertRevision(ref, `The ref of catalog "${source.name}"`);
  if (COMMIT_ID.test(ref)) return { kind: 'commit', name: ref };
  const remote = await client.lsRemote(source.url);
  return remote.tags.has(ref) && !remote.branches.has(ref) ? { kind: 'tag', name: ref } : { kind: 'branch', name: ref };
}

/**
 * Fetches with the repositories feature's Git service: askpass-only credentials, secrets scrubbed from errors.
 * `credentialsFor` supplies the secrets: the environment for the CLI and the service, SecretStorage in the editor.
 * `auth: none` asks for none; any secret is handed to git only when bound to the catalog's URL (git/environment.ts).
 */
export function gitFetcher(credentialsFor: (source: CatalogSource & { url: string }) => Promise<GitCredentials | undefined> | GitCredentials | undefined): CatalogFetcher {
  return {
    async checkout(source, into) {
      assertGitUrl(source.url, `The URL of catalog "${source.name}"`);
      const credentials = source.auth === 'none' ? undefined : await credentialsFor(source);
      const auth = source.auth ?? (credentials ? 'token' : 'none');
      const client = new GitClient({ access: { auth, credentials } });
      if (!existsSync(path.join(into, '.git'))) {
        mkdirSync(into, { recursive: true });
        await client.init(into, source.url);
      }
      const commit = await client.fetchRef(into, source.url, await resolveRef(client, source));
      await client.checkout(into, source.url, commit);
    },
  };
}

export const gitServiceFetcher = gitFetcher((source) => credentialsFromEnv({ name: source.name, auth: source.auth ?? 'none', url: source.url }));

export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');
  return path.join(base, 'hangar', 'catalogs');
}

/** Last commit date of every file in a Git work tree, in one `git log` pass (for "recently updated"). */
async function lastChanged(root: string): Promise<Map<string, string>> {
  if (!existsSync(path.join(root, '.git'))) return new Map();
  return new GitClient({ access: { auth: 'none' } }).lastCommitDates(root).catch(() => new Map<string, string>());
}

/**
 * Brings every Git catalog into `cacheDir` and returns all sources as folders; a catalog that cannot be fetched
 * keeps its error, to be reported with the others still working.
 */
export async function checkoutCatalogs(sources: readonly CatalogSource[], options: { cacheDir?: string; fetcher?: CatalogFetcher } = {}): Promise<CatalogSource[]> {
  const cacheDir = options.cacheDir ?? defaultCacheDir();
  const fetcher = options.fetcher ?? gitServiceFetcher;
  return Promise.all(
    sources.map(async (source): Promise<CatalogSource> => {
      if (!source.url) return source;
      const key = createHash('sha256').update(`${source.url}#${source.ref ?? ''}`).digest('hex').slice(0, 12);
      const root = path.join(cacheDir, `${source.name.replace(/[^\w.-]/g, '_')}-${key}`);
      try {
        await fetcher.checkout({ ...source, url: source.url }, root);
        return { name: source.name, path: root, ref: source.ref };
      } catch (error) {
        return { name: source.name, path: root, ref: source.ref, fetchError: `cannot fetch catalog "${source.name}" from ${scrub(source.url)}: ${(error as Error).message.split('\n')[0] ?? ''}` };
      }
    }),
  );
}

/** Fetches (when remote) and reads every catalog; a catalog that cannot be fetched becomes a problem, not an exception. */
export async function loadCatalogs(
  sources: readonly CatalogSource[],
  options: { cacheDir?: string; fetcher?: CatalogFetcher } = {},
): Promise<LoadedCatalog[]> {
  const folders = await checkoutCatalogs(sources, options);
  return Promise.all(
    folders.map(async (source): Promise<LoadedCatalog> => {
      const root = source.path ?? '';
      const problem = source.fetchError ?? (!root || !existsSync(root) || !statSync(root).isDirectory() ? `catalog "${source.name}": set "url" (a Git repository) or "path" (an existing folder)` : undefined);
      if (problem) return { name: source.name, root, entries: [], problems: [{ catalog: source.name, file: root, message: problem }] };
      return readCatalogFolder(root, source.name, await lastChanged(root));
    }),
  );
}
