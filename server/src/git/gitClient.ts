import os from 'node:os';
import { simpleGit, type SimpleGit, type SimpleGitProgressEvent } from 'simple-git';
import type { RepositoryRef } from '../config/types';
import { gitEnvironment, secretsOf, type GitAccess } from './credentials';
import { classifyGitFailure, GitError, OperationCancelled } from './errors';

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

/**
 * Git over simple-git with credentials from the askpass helper only. Every failure is a GitError whose message
 * has no secret in it; a refused login is InvalidCredentials; an abort is OperationCancelled.
 */
export class GitClient {
  private readonly env: Record<string, string>;
  private readonly secrets: string[];

  constructor(private readonly options: GitClientOptions) {
    this.env = gitEnvironment(options.access);
    this.secrets = secretsOf(options.access);
  }

  private git(baseDir: string): SimpleGit {
    const { signal, onProgress } = this.options;
    return simpleGit({
      baseDir,
      abort: signal,
      progress: onProgress ? (e: SimpleGitProgressEvent) => onProgress({ stage: e.stage, percent: e.progress }) : undefined,
      // Hangar sets these itself, to keep credentials out of git's config and argv.
      unsafe: { allowUnsafeAskPass: true, allowUnsafeConfigEnvCount: true, allowUnsafeCredentialHelper: true, allowUnsafeSshCommand: true },
    }).env(this.env);
  }

  private async run<T>(baseDir: string, url: string, action: (git: SimpleGit) => Promise<T>): Promise<T> {
    this.options.signal?.throwIfAborted();
    try {
      return await action(this.git(baseDir));
    } catch (error) {
      if (this.options.signal?.aborted) throw new OperationCancelled();
      const message = error instanceof Error ? error.message : String(error);
      throw classifyGitFailure(message, url, this.secrets);
    }
  }

  /** Branches and tags of a remote, without cloning it. */
  async lsRemote(url: string): Promise<RemoteRefs> {
    const out = await this.run(os.tmpdir(), url, (git) => git.listRemote(['--symref', url]));
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
    const pattern = ref.kind === 'default' ? 'HEAD' : ref.kind === 'branch' ? `refs/heads/${ref.name}` : `refs/tags/${ref.name}`;
    const out = await this.run(os.tmpdir(), url, (git) => git.listRemote([url, pattern, ...(ref.kind === 'tag' ? [`${pattern}^{}`] : [])]));
    const lines = out.split('\n').filter(Boolean).map((l) => l.split('\t') as [string, string]);
    const exact = lines.find(([, name]) => name === `${pattern}^{}`) ?? lines.find(([, name]) => name === pattern);
    if (!exact) throw new GitError(`${ref.kind === 'default' ? 'The default branch' : `The ${ref.kind} "${ref.name}"`} is not on the remote: check the configuration.`);
    return exact[0];
  }

  async init(dir: string, url: string): Promise<void> {
    await this.run(dir, url, async (git) => {
      await git.init();
      await git.addRemote('origin', url);
    });
  }

  /** Fetches what `ref` needs and returns the commit it names. */
  async fetchRef(dir: string, url: string, ref: RepositoryRef): Promise<string> {
    return this.run(dir, url, async (git) => {
      await git.remote(['set-url', 'origin', url]);
      if (ref.kind === 'commit') {
        await git.fetch(['--prune', '--no-tags', 'origin', '+refs/heads/*:refs/remotes/origin/*', '+refs/tags/*:refs/tags/*']);
        return (await git.revparse(['--verify', '--end-of-options', `${ref.name}^{commit}`])).trim();
      }
      const refspec =
        ref.kind === 'branch' ? `+refs/heads/${ref.name}:refs/remotes/origin/${ref.name}` : ref.kind === 'tag' ? `+refs/tags/${ref.name}:refs/tags/${ref.name}` : 'HEAD';
      await git.fetch(['--no-tags', 'origin', refspec]);
      return (await git.revparse(['--verify', 'FETCH_HEAD^{commit}'])).trim();
    });
  }

  /** Last commit date (ISO) of every file of the work tree, from one `git log` pass. */
  async lastCommitDates(dir: string): Promise<Map<string, string>> {
    const log = await this.run(dir, dir, (git) => git.raw(['log', '--format=@%cI', '--name-only', '--no-renames', 'HEAD']));
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
    await this.run(dir, url, (git) => git.fetch(['--no-tags', 'origin', commit]));
  }

  async head(dir: string): Promise<string | undefined> {
    try {
      return (await this.git(dir).revparse(['--verify', 'HEAD^{commit}'])).trim();
    } catch {
      return undefined;
    }
  }

  async checkout(dir: string, url: string, commit: string): Promise<void> {
    await this.run(dir, url, (git) => git.raw(['checkout', '--force', '--detach', commit]));
  }

  /** Files under `subdir` added, modified and removed between two commits (renames as remove + add). */
  async changedFiles(dir: string, from: string, to: string, subdir: string): Promise<FileChanges> {
    const out = await this.run(dir, dir, (git) => git.raw(['diff', '--name-status', '--no-renames', '-z', from, to, '--', subdir || '.']));
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
    const out = await this.run(dir, dir, (git) => git.raw(['ls-tree', '-r', '-z', '--name-only', commit, '--', subdir || '.']));
    return out.split('\0').filter(Boolean);
  }
}
