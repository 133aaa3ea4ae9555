import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import type { RepositoryConfig, RepositoryRef } from '../config/types';
import { GitClient } from '../git/gitClient';
import type { GitCredentials } from '../git/credentials';
import { GitError, InvalidCredentials, OperationCancelled, scrub } from '../git/errors';
import { prepareCloneFolder } from './cloneFolder';
import { RepositoryStore } from './store';
import type { FileState, RepositoryState, SyncHistoryEntry, SyncProgress, SyncTrigger, ValidationSummary } from './types';
import { isDagFile, validateFiles } from './validate';

export interface SyncOptions {
  readonly repository: RepositoryConfig;
  /** Holds state, history and (unless the repository sets `path`) the clone. */
  readonly storageDir: string;
  /** Parent folder of the clone when the repository sets no `path` (default `<storageDir>/clones`). */
  readonly cloneRoot?: string;
  readonly credentials?: GitCredentials;
  readonly trigger?: SyncTrigger;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: SyncProgress) => void;
  /** One line per step, for the output channel or the terminal; never receives a secret. */
  readonly log?: (line: string) => void;
}

export interface SyncResult extends SyncHistoryEntry {
  readonly repository: string;
  readonly cloneDir: string;
  readonly state?: RepositoryState;
}

export function cloneDirOf(repository: RepositoryConfig, storageDir: string, cloneRoot?: string): string {
  return repository.path ?? path.join(cloneRoot ?? path.join(storageDir, 'clones'), repository.name);
}

export function describeRef(ref: RepositoryRef): string {
  return ref.kind === 'default' ? 'default branch' : `${ref.kind} ${ref.name}`;
}

const short = (sha?: string): string => sha?.slice(0, 8) ?? 'nothing';

/**
 * The one way a repository gets synced — by the editor, the CLI, the poller and the webhook agent: clone on
 * first use, fetch and move to the configured ref, validate only the DAG files that changed, record the result
 * in the repository's history. Throws InvalidCredentials, OperationCancelled or GitError after recording them.
 */
export async function syncRepository(options: SyncOptions): Promise<SyncResult> {
  const { repository, storageDir, signal } = options;
  const started = Date.now();
  const store = new RepositoryStore(storageDir);
  const cloneDir = cloneDirOf(repository, storageDir, options.cloneRoot);
  const log = (line: string) => options.log?.(`[${repository.name}] ${scrub(line, secrets(options.credentials))}`);
  const progress = (p: SyncProgress) => options.onProgress?.(p);
  mkdirSync(path.dirname(store.fileOf(repository.name)), { recursive: true });
  const release = await lockfile.lock(store.fileOf(repository.name), {
    realpath: false,
    stale: 30_000,
    retries: { retries: 600, minTimeout: 100, maxTimeout: 500 },
  });
  let partial: string | undefined;
  const previous = store.state(repository.name);
  // The recorded state only describes this clone and DAG folder; otherwise every file is listed afresh.
  let from = previous?.cloneDir === cloneDir && previous.dagsPath === repository.dagsPath ? previous.commit : undefined;
  try {
    const git = new GitClient({
      access: { auth: repository.auth, username: repository.username, sshKey: repository.sshKey, credentials: options.credentials },
      signal,
      onProgress: (e) => progress({ stage: 'fetch', message: `${e.stage} ${e.percent}%`, percent: e.percent }),
    });
    // A folder holding work Hangar did not create is refused here, before anything is written.
    const adopt = !repository.path || previous?.cloneDir === cloneDir;
    const fresh = (await prepareCloneFolder(cloneDir, { git, url: repository.url, adopt })) === 'clone';
    let workDir = cloneDir;
    if (fresh) {
      // Cloned next to its final place and renamed at the end: a failed or refused clone leaves nothing behind.
      workDir = `${cloneDir}.partial-${randomBytes(4).toString('hex')}`;
      partial = mkdirSync(workDir, { recursive: true }) ?? workDir; // the topmost folder created, removed on failure
      from = undefined;
      log(`cloning ${scrub(repository.url)} (${describeRef(repository.ref)}) into ${cloneDir}`);
      progress({ stage: 'prepare', message: 'Cloning' });
      await git.init(workDir, repository.url);
    } else {
      log(`fetching ${describeRef(repository.ref)} from ${scrub(repository.url)}`);
    }
    progress({ stage: 'fetch', message: 'Fetching' });
    const to = await git.fetchRef(workDir, repository.url, repository.ref);
    signal?.throwIfAborted();
    if (!fresh && from === to && (await git.head(workDir)) === to && previous) {
      log(`up to date at ${short(to)}`);
      const entry = historyEntry(options, started, { from, to, result: 'up-to-date' });
      await store.record(repository.name, entry);
      return { ...entry, repository: repository.name, cloneDir, state: previous };
    }
    progress({ stage: 'checkout', message: `Checking out ${short(to)}` });
    await git.checkout(workDir, repository.url, to);
    if (fresh) {
      await rename(workDir, cloneDir);
      partial = undefined;
    }
    progress({ stage: 'diff', message: 'Finding changed files' });
    // Without a recorded state (or if history was rewritten and the old commit is gone) every file is new once.
    const changes = (from && (await git.changedFiles(cloneDir, from, to, repository.dagsPath).catch(() => (from = undefined)))) || {
      added: await git.listFiles(cloneDir, to, repository.dagsPath),
      modified: [],
      removed: [],
    };
    const dagChanges = {
      added: changes.added.filter((f) => isDagFile(f, repository.dagsPath)),
      modified: changes.modified.filter((f) => isDagFile(f, repository.dagsPath)),
      removed: changes.removed.filter((f) => isDagFile(f, repository.dagsPath)),
    };
    const toValidate = [...dagChanges.added, ...dagChanges.modified];
    progress({ stage: 'validate', message: `Validating ${toValidate.length} DAG file(s)` });
    // DAG ids are always read (conflicts need them); with validation off the findings are dropped.
    const analysed = await validateFiles(cloneDir, toValidate, { securityScan: repository.validation.securityScan, signal });
    const validated = repository.validation.enabled
      ? analysed
      : new Map([...analysed].map(([file, state]): [string, FileState] => [file, { dagIds: state.dagIds, errors: 0, warnings: 0, messages: [] }]));
    const files: Record<string, FileState> = from ? { ...(previous?.files ?? {}) } : {};
    for (const file of dagChanges.removed) delete files[file];
    for (const file of toValidate) files[file] = validated.get(file) ?? { dagIds: [], errors: 0, warnings: 0, messages: [] };
    const state: RepositoryState = {
      name: repository.name,
      commit: to,
      ref: describeRef(repository.ref),
      cloneDir,
      dagsPath: repository.dagsPath,
      syncedAt: new Date().toISOString(),
      files,
    };
    const validation = repository.validation.enabled ? summarize(validated, files) : undefined;
    const entry = historyEntry(options, started, { from, to, result: 'synced', ...dagChanges, validation });
    await store.record(repository.name, entry, state);
    log(
      `synced ${short(from)} -> ${short(to)}: +${dagChanges.added.length} ~${dagChanges.modified.length} -${dagChanges.removed.length} DAG files; ` +
        (validation ? `validated ${validation.filesValidated}, ${validation.errors} error(s), ${validation.warnings} warning(s); ${validation.dags} DAGs` : 'validation off'),
    );
    progress({ stage: 'done', message: 'Synced' });
    return { ...entry, repository: repository.name, cloneDir, state };
  } catch (caught) {
    const error = signal?.aborted && !(caught instanceof OperationCancelled) ? new OperationCancelled() : caught;
    const cancelled = error instanceof OperationCancelled;
    const message = scrub(error instanceof Error ? error.message : String(error), secrets(options.credentials));
    log(cancelled ? 'sync cancelled' : `sync failed: ${message}`);
    await store.record(
      repository.name,
      historyEntry(options, started, {
        from,
        result: cancelled ? 'cancelled' : 'failed',
        error: cancelled ? undefined : { kind: error instanceof InvalidCredentials ? 'invalid-credentials' : error instanceof GitError ? 'git' : 'other', message },
      }),
    );
    throw error;
  } finally {
    if (partial) await rm(partial, { recursive: true, force: true });
    await release();
  }
}

function secrets(credentials?: GitCredentials): string[] {
  return [credentials?.password, credentials?.passphrase].filter((s): s is string => !!s);
}

function summarize(validated: Map<string, FileState>, files: Record<string, FileState>): ValidationSummary {
  const states = [...validated.values()];
  return {
    filesValidated: validated.size,
    errors: states.reduce((n, s) => n + s.errors, 0),
    warnings: states.reduce((n, s) => n + s.warnings, 0),
    dags: Object.values(files).reduce((n, s) => n + s.dagIds.length, 0),
  };
}

function historyEntry(options: SyncOptions, started: number, fields: Partial<SyncHistoryEntry> & Pick<SyncHistoryEntry, 'result'>): SyncHistoryEntry {
  return {
    time: new Date(started).toISOString(),
    trigger: options.trigger ?? 'manual',
    added: [],
    modified: [],
    removed: [],
    ...fields,
    durationMs: Date.now() - started,
  };
}
