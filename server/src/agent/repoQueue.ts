export interface QueueOptions {
  /** Attempts per run, including the first. */
  readonly attempts: number;
  /** Delay before the second attempt; doubled after each failure. */
  readonly backoffMs: number;
  readonly onError?: (error: unknown, attempt: number, willRetry: boolean) => void;
}

/** What the README promises: 4 attempts, the second 2 s after the first failure, then 4 s, then 8 s. */
export const DEFAULT_RETRY = { attempts: 4, backoffMs: 2_000 } as const;

/**
 * One repository's work, in order: a run at a time; every request made while one runs collapses into a single
 * follow-up run (a burst of pushes becomes one sync of the newest commit); a failing run is retried with backoff.
 */
export class RepositoryQueue {
  private running: Promise<void> | undefined;
  private pending = false;
  private stopped = false;

  constructor(
    private readonly work: () => Promise<void>,
    private readonly options: QueueOptions,
  ) {}

  /** Number of runs waiting behind the current one (0 or 1). */
  get length(): number {
    return this.pending ? 1 : 0;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  request(): void {
    if (this.stopped) return;
    if (this.running) {
      this.pending = true;
      return;
    }
    this.running = this.drain().finally(() => (this.running = undefined));
  }

  /** Stops taking requests and resolves when the run in progress (if any) has finished. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.pending = false;
    await this.running;
  }

  /** Resolves once nothing runs or waits. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    do {
      this.pending = false;
      await this.attempt();
    } while (this.pending && !this.stopped);
  }

  private async attempt(): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.work();
        return;
      } catch (error) {
        const willRetry = attempt < this.options.attempts && !this.stopped;
        this.options.onError?.(error, attempt, willRetry);
        if (!willRetry) return;
        await new Promise((resolve) => setTimeout(resolve, this.options.backoffMs * 2 ** (attempt - 1)));
      }
    }
  }
}
