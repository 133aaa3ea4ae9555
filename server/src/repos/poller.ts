import type { RepositoryConfig } from '../config/types';

export interface PollerOptions {
  /** The commit the remote's tracked ref points at (an `ls-remote`); undefined when it cannot move (pinned commit). */
  readonly remoteCommit: (repository: RepositoryConfig) => Promise<string | undefined>;
  /** The commit of the last successful sync, if any. */
  readonly localCommit: (repository: RepositoryConfig) => string | undefined;
  /** Called when the remote moved: sync, or tell the user. */
  readonly onChange: (repository: RepositoryConfig, remoteCommit: string) => Promise<void> | void;
  readonly onError?: (repository: RepositoryConfig, error: unknown) => void;
}

/**
 * Polls each repository's remote at its `sync_interval` with a cheap ls-remote of the tracked ref. One timer per
 * repository; a check never overlaps the previous one for the same repository.
 */
export class RepositoryPoller {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private generation = 0;

  constructor(private readonly options: PollerOptions) {}

  /** Replaces the polled set (call again when the configuration changes). */
  start(repositories: readonly RepositoryConfig[]): void {
    this.stop();
    const generation = ++this.generation;
    for (const repository of repositories) {
      if (repository.syncIntervalMs <= 0 || repository.ref.kind === 'commit') continue;
      const schedule = () => {
        if (generation !== this.generation) return;
        this.timers.set(repository.name, setTimeout(() => void this.check(repository).finally(schedule), repository.syncIntervalMs));
      };
      schedule();
    }
  }

  /** One check now; true when the remote moved. */
  async check(repository: RepositoryConfig): Promise<boolean> {
    try {
      const remote = await this.options.remoteCommit(repository);
      if (!remote || remote === this.options.localCommit(repository)) return false;
      await this.options.onChange(repository, remote);
      return true;
    } catch (error) {
      this.options.onError?.(repository, error);
      return false;
    }
  }

  stop(): void {
    this.generation++;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
