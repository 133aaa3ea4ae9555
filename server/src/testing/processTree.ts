import { spawn, spawnSync } from 'node:child_process';
import { withoutSecrets } from '../secretVariables';

/** Time a process tree gets to exit after SIGTERM before it is killed with SIGKILL. */
export const TERMINATE_GRACE_MS = 3000;

export interface ProcessTreeOptions {
  /** Default: this process's environment. Hangar's secret variables are never passed on. */
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Aborting ends the whole tree (SIGTERM, then SIGKILL) and rejects with an AbortError. */
  readonly signal?: AbortSignal;
  /** After this long the whole tree is ended and the run resolves with `timedOut`. */
  readonly timeoutMs?: number;
  readonly onStdout?: (chunk: Buffer) => void;
  readonly onStderr?: (chunk: Buffer) => void;
}

export interface ProcessTreeExit {
  readonly code: number | null;
  readonly timedOut: boolean;
}

/** The process group a child leads (it was spawned detached): it and everything it started. */
class ProcessGroup {
  private ending: Promise<void> | undefined;

  constructor(private readonly pid: number) {}

  alive(): boolean {
    if (process.platform === 'win32') return false;
    try {
      process.kill(-this.pid, 0);
      return true;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  /** SIGTERM to every process of the group, SIGKILL to whatever is left after the grace period. */
  end(): Promise<void> {
    this.ending ??= this.terminate();
    return this.ending;
  }

  private async terminate(): Promise<void> {
    if (process.platform === 'win32') {
      spawnSync('taskkill', ['/pid', String(this.pid), '/T', '/F'], { stdio: 'ignore' });
      return;
    }
    this.signal('SIGTERM');
    if (await this.gone(TERMINATE_GRACE_MS)) return;
    this.signal('SIGKILL');
    await this.gone(TERMINATE_GRACE_MS);
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      process.kill(-this.pid, signal);
    } catch {
      // the group is already empty
    }
  }

  private async gone(withinMs: number): Promise<boolean> {
    const deadline = Date.now() + withinMs;
    while (this.alive()) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }
}

const running = new Set<ProcessGroup>();

function abortError(): Error {
  const error = new Error('The run was cancelled; its processes were stopped.');
  error.name = 'AbortError';
  return error;
}

/**
 * Runs a command as the leader of its own process group, so cancelling, a timeout or `stopAllProcessTrees`
 * ends everything it started (a task's subprocesses included), and nothing of it outlives the run.
 */
export function runProcessTree(command: string, args: readonly string[], options: ProcessTreeOptions = {}): Promise<ProcessTreeExit> {
  if (options.signal?.aborted) return Promise.reject(abortError());
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: withoutSecrets(options.env ?? process.env), stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    if (child.pid === undefined) {
      child.once('error', reject);
      return;
    }
    const group = new ProcessGroup(child.pid);
    running.add(group);
    let timedOut = false;
    const onAbort = (): void => void group.end();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            void group.end();
          }, options.timeoutMs);
    if (options.onStdout) child.stdout.on('data', options.onStdout);
    if (options.onStderr) child.stderr.on('data', options.onStderr);
    child.once('error', reject);
    // A grandchild that inherited the pipes keeps them open: end the group when the leader exits.
    child.once('exit', () => void (group.alive() ? group.end() : undefined));
    child.once('close', (code) => {
      void (async () => {
        if (timer) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (group.alive()) await group.end();
        running.delete(group);
        if (options.signal?.aborted) reject(abortError());
        else resolve({ code, timedOut });
      })();
    });
  });
}

/** Ends every process tree still running (extension shutdown). */
export async function stopAllProcessTrees(): Promise<void> {
  await Promise.all([...running].map((group) => group.end()));
}
