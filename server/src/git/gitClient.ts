import { realpathSync } from 'node:fs';
import os from 'node:os';
import { simpleGit, type SimpleGit, type SimpleGitProgressEvent } from 'simple-git';
import type { RepositoryRef } from '../config/types';
import { secretsOf, type GitAccess } from './credentials';
import { gitEnvironment, PINNED_UPLOAD_PACK, repositoryFilterOverrides, SIMPLE_GIT_UNSAFE } from './environment';
import { classifyGitFailure, GitError, OperationCancelled, WorkWouldBeLost } from './errors';
import { markHangarClone } from './cloneMarker';
import { assertGitUrl, assertRevision, COMMIT_ID } from './remote';

export interface RemoteRefs {
  /** Default branch of the remote, when it advertises one. */
  readonly defaultBranch?: string;
  readonly head?: string;
  readonly branches: ReadonlyMap<string, string>;
  /** Tag name -> commit (annotated tags peeled). */
  readonly tags: ReadonlyMap<string, string>;
}

export interface FileChanges {
  readonly added: string[];
  readonly modified: string[];
  readonly removed: string[];
}

export interface GitClientOptions {
  readonly access: GitAccess;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: { stage: string; percent: number }) => void;
}

/** Most local changes named in a refusal; the rest are counted. */
const LISTED_CHANGES = 10;

/** Every tag of the remote, kept as the remote has them (a Hangar clone has no tags of its own). */
const ALL_TAGS = '+refs/tags/*:refs/tags/*';

/**
 * Git over simple-git, every process with the hardened environment of environment.ts. Credentials reach only
 * the processes that talk to a remote, and only when bound to it. Every URL and ref is checked before git
 * starts and passed after `--`/`--end-of-options`. Every failure is a GitError whose message has no secret in
 * it; a refused login is InvalidCredentials; an abort is OperationCancelled.
 */
export class GitClient {
  private readonly secrets: string[];

  constructor(private readonly options: GitClientOptions) {
    this.secrets = secretsOf(options.access);
  }

  private git(baseDir: string, remote?: string, config?: ReadonlyArray<readonly [string, string]>): SimpleGit {
    const { signal, onProgress, access } = this.options;
    return simpleGit({
      baseDir,
      abort: signal,
      progress: onProgress ? (e: SimpleGitProgressEvent) => onProgress({ stage: e.stage, percent: e.progress }) : undefined,
      unsafe: SIMPLE_GIT_UNSAFE,
    }).env(gitEnvironment({ access, remote, config }));
  }

  /**
   * simple-git appends `--progress` to fetch and checkout when progress is reported; after `--` git would read
   * it as a ref, so it is placed before `--` here (and then not appended again).
   */
  private get progress(): string[] {
    return this.options.onProgress ? ['--progress'] : [];
  }

  /** Runs `action`; `remote` is the URL it talks to (the only case where credentials are handed over). */
  private async run<T>(baseDir: string, where: string, action: (git: SimpleGit) => Promise<T>, remote?: string, config?: ReadonlyArray<readonly [string, string]>): Promise<T> {
    this.options.signal?.throwIfAborted();
    if (remote) assertGitUrl(remote, 'The remote URL');
    const git = this.git(baseDir, remote, config);
    try {
      return await action(git);
    } catch (error) {
      if (this.options.signal?.aborted) throw new OperationCancelled();
      const message = error instanceof Error ? error.message : String(error);
      throw classifyGitFailure(message, where, this.secrets);
    }
  }

  /** Branches and tags of a remote, without cloning it. */
  async lsRemote(url: string): Promise<RemoteRefs> {
    const out = await this.run(os.tmpdir(), url, (git) => git.raw(['ls-remote', PINNED_UPLOAD_PACK, '--symref', '--', url]), url);
    const branches = new Map<string, string>();
    const tags = new Map<string, string>();
    let head: string | undefined;
    let defaultBranch: string | undefined;
    for (const line of out.split('\n')) {
      const [left, ref] = line.split('\t');
      if (!left || !ref) continue;
      if (left.startsWith('ref: ') && ref === 'HEAD') defaultBranch = left.slice(5).replace(/^refs\/heads\//, '');
      else if (ref === 'HEAD') head = left;
      else if (ref.startsWith('refs/heads/')) branches.set(ref.slice(11), left);
      else if (ref.startsWith('refs/tags/')) {
        const name = ref.slice(10);
        if (name.endsWith('^{}')) tags.set(name.slice(0, -3), left);
        else if (!tags.has(name)) tags.set(name, left);
      }
    }
    return { defaultBranch, head, branches, tags };
  }

  /** The commit the remote's ref points at now (cheap: one ls-remote); undefined for a pinned commit. */
  async remoteCommit(url: string, ref: RepositoryRef): Promise<string | undefined> {
    if (ref.kind === 'commit') return undefined;
    if (ref.kind !== 'default') assertRevision(ref.name, `The ${ref.kind}`);
    const pattern = ref.kind === 'default' ? 'HEAD' : ref.kind === 'branch' ? `refs/heads/${ref.name}` : `refs/tags/${ref.name}`;
    const out = await this.run(os.tmpdir(), url, (git) => git.raw(['ls-remote', PINNED_UPLOAD_PACK, '--', url, pattern, ...(ref.kind === 'tag' ? [`${pattern}^{}`] : [])]), url);
    const lines = out.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]);
    const exact = lines.find(([, name]) => name === `${pattern}^{}`) ?? lines.find(([, name]) => name === pattern);
    if (!exact) throw new GitError(`${ref.kind === 'default' ? 'The default branch' : `The ${ref.kind} "${ref.name}"`} is not on the remote: check the configuration.`);
    return exact[0];
  }

  /** A new repository in `dir` with `origin` = `url`, marked as Hangar's own clone (cloneMarker.ts). */
  async init(dir: string, url: string): Promise<void> {
    assertGitUrl(url, 'The remote URL');
    await this.run(dir, url, async (git) => {
      await git.raw(['init']);
      await git.raw(['remote', 'add', '--', 'origin', url]);
    });
    markHangarClone(dir, url);
  }

  /**
   * Fetches what `ref` needs, and every tag, from `url` (by URL: no `remote.origin.*` setting of the clone is
   * used) and returns the commit `ref` names. `origin` is pointed at `url` for people who use the clone.
   */
  async fetchRef(dir: string, url: string, ref: RepositoryRef): Promise<string> {
    if (ref.kind !== 'default') assertRevision(ref.name, `The ${ref.kind}`);
    return this.run(
      dir,
      url,
      async (git) => {
        // Only when it changed: set-url prints nothing, and simple-git waits 50 ms after a silent command.
        if ((await git.raw(['config', '--get', 'remote.origin.url']).catch(() => '')).trim() !== url) await git.raw(['remote', 'set-url', '--', 'origin', url]);
        if (ref.kind === 'commit') {
          await git.raw(['fetch', ...this.progress, PINNED_UPLOAD_PACK, '--prune', '--no-tags', '--', url, '+refs/heads/*:refs/remotes/origin/*', ALL_TAGS]);
          return (await git.raw(['rev-parse', '--verify', '--end-of-options', `${ref.name}^{commit}`])).trim();
        }
        const [refspec, local] =
          ref.kind === 'branch'
            ? [`+refs/heads/${ref.name}:refs/remotes/origin/${ref.name}`, `refs/remotes/origin/${ref.name}`]
            : ref.kind === 'tag'
              ? [`+refs/tags/${ref.name}:refs/tags/${ref.name}`, `refs/tags/${ref.name}`]
              : ['+HEAD:refs/hangar/remote-head', 'refs/hangar/remote-head'];
        await git.raw(['fetch', ...this.progress, PINNED_UPLOAD_PACK, '--no-tags', '--', url, refspec, ALL_TAGS]);
        return (await git.raw(['rev-parse', '--verify', '--end-of-options', `${local}^{commit}`])).trim();
      },
      url,
    );
  }

  /** Last commit date (ISO) of every file of the work tree, from one `git log` pass. */
  async lastCommitDates(dir: string): Promise<Map<string, string>> {
    const log = await this.run(dir, dir, (git) => git.raw(['log', '--format=@%cI', '--name-only', '--no-renames', '--end-of-options', 'HEAD', '--']));
    const dates = new Map<string, string>();
    let date = '';
    for (const line of log.split('\n')) {
      if (line.startsWith('@')) date = line.slice(1);
      else if (line && !dates.has(line)) dates.set(line, date);
    }
    return dates;
  }

  /** Fetches one commit by id (a pull request head that no branch of the clone has yet). */
  async fetchCommit(dir: string, url: string, commit: string): Promise<void> {
    if (!COMMIT_ID.test(commit)) throw new GitError(`"${commit.slice(0, 80)}" is not a commit id.`);
    await this.run(dir, url, (git) => git.raw(['fetch', ...this.progress, PINNED_UPLOAD_PACK, '--no-tags', '--', url, commit]), url);
  }

  async head(dir: string): Promise<string | undefined> {
    try {
      return (await this.git(dir).raw(['rev-parse', '--verify', 'HEAD^{commit}'])).trim();
    } catch {
      return undefined;
    }
  }

  /** The work tree and git folder of the repository `dir` is in (core.worktree and `.git` files resolved). */
  async layout(dir: string): Promise<{ workTree: string; gitDir: string } | undefined> {
    try {
      const [workTree, gitDir] = (await this.git(dir).raw(['rev-parse', '--show-toplevel', '--absolute-git-dir'])).trim().split('\n');
      return workTree && gitDir ? { workTree: realpathSync(workTree), gitDir: realpathSync(gitDir) } : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * `git status` lines (`M file`, `?? file`) of tracked changes and untracked files; ignored files are not
   * listed. (`--branch` makes git always print a line: simple-git waits 50 ms after a silent command.)
   */
  async localChanges(dir: string, filters?: ReadonlyArray<readonly [string, string]>): Promise<string[]> {
    const config = filters ?? (await repositoryFilterOverrides(dir));
    const out = await this.run(dir, dir, (git) => git.raw(['status', '--porcelain=v1', '--branch', '-z', '--untracked-files=all', '--no-renames']), undefined, config);
    return out
      .split('\0')
      .filter((entry) => entry && !entry.startsWith('## '))
      .map((entry) => `${entry.slice(0, 2).trim()} ${entry.slice(3)}`);
  }

  /**
   * Moves the work tree to `commit` — never over work: a clone with local changes or untracked files is
   * refused with their names, and git itself refuses to overwrite an ignored file (`--no-overwrite-ignore`).
   */
  async checkout(dir: string, url: string, commit: string): Promise<void> {
    if (!COMMIT_ID.test(commit)) throw new GitError(`"${commit.slice(0, 80)}" is not a commit id.`);
    const config = await repositoryFilterOverrides(dir);
    const changes = await this.localChanges(dir, config);
    if (changes.length > 0) {
      const listed = changes.slice(0, LISTED_CHANGES).join(', ') + (changes.length > LISTED_CHANGES ? ` and ${changes.length - LISTED_CHANGES} more` : '');
      throw new WorkWouldBeLost(
        `${dir} has local changes Hangar will not overwrite: ${listed}. Commit, move or discard them yourself (or delete the folder to let Hangar clone it again), then sync.`,
      );
    }
    await this.run(dir, url, (git) => git.raw(['checkout', ...this.progress, '--detach', '--no-overwrite-ignore', commit, '--']), undefined, config);
  }

  /** Files under `subdir` added, modified and removed between two commits (renames as remove + add). */
  async changedFiles(dir: string, from: string, to: string, subdir: string): Promise<FileChanges> {
    const out = await this.run(dir, dir, (git) => git.raw(['diff', '--name-status', '--no-renames', '-z', '--end-of-options', from, to, '--', subdir || '.']));
    const changes: FileChanges = { added: [], modified: [], removed: [] };
    const parts = out.split('\0');
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const status = parts[i]!;
      const file = parts[i + 1]!;
      if (status === 'A') changes.added.push(file);
      else if (status === 'D') changes.removed.push(file);
      else changes.modified.push(file);
    }
    return changes;
  }

  /** Every file under `subdir` at `commit`. */
  async listFiles(dir: string, commit: string, subdir: string): Promise<string[]> {
    const out = await this.run(dir, dir, (git) => git.raw(['ls-tree', '-r', '-z', '--name-only', '--end-of-options', commit, '--', subdir || '.']));
    return out.split('\0').filter(Boolean);
  }
}

