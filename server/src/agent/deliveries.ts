import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { Intake, Work } from './work';

/** How long a delivery is remembered: GitHub lets a user redeliver a webhook for three days. */
const REPLAY_WINDOW_MS = 7 * 24 * 3600 * 1000;
const CAPACITY = 10_000;

/**
 * The idempotency key of an authenticated delivery: a SHA-256 over its source, the parts given and the raw body.
 * Only digests are stored, never payloads or ids in clear.
 */
export function deliveryKey(source: string, body: Buffer, ...parts: ReadonlyArray<string | undefined>): string {
  const hash = createHash('sha256').update(source);
  for (const part of parts) hash.update('\0').update(part ?? '');
  return hash.update('\0').update(body).digest('hex');
}

interface Stored {
  readonly version: 1;
  /** [key, received at (ms since the epoch)], oldest first. */
  readonly deliveries: ReadonlyArray<readonly [string, number]>;
}

/**
 * Remembers the keys of recent deliveries so a replay is acknowledged and ignored: for REPLAY_WINDOW_MS and at most
 * CAPACITY keys (oldest out), kept across restarts in `file` (replaced atomically after every new key).
 */
export class DeliveryLog {
  private readonly seen = new Map<string, number>();
  private queued: Promise<void> | undefined;
  private written: Promise<void> = Promise.resolve();

  constructor(private readonly file?: string) {
    if (!file) return;
    let stored: Stored | undefined;
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Stored;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw new Error(`The delivery log ${file} cannot be read (${(error as Error).message}). Move it away to start with an empty log; replays of earlier deliveries are then accepted once more.`);
    }
    for (const [key, at] of stored.deliveries ?? []) if (typeof key === 'string' && typeof at === 'number') this.seen.set(key, at);
    this.expire();
  }

  /** When `key` was first received, or undefined (then it is recorded now). */
  receivedBefore(key: string): number | undefined {
    this.expire();
    const at = this.seen.get(key);
    if (at !== undefined) return at;
    this.seen.set(key, Date.now());
    if (this.seen.size > CAPACITY) this.seen.delete(this.seen.keys().next().value as string);
    return undefined;
  }

  /** Drops a key whose delivery could not be recorded, so its sender can retry. */
  forget(key: string): void {
    this.seen.delete(key);
  }

  /** Resolves once the keys recorded so far are on disk; concurrent calls share one write. */
  persist(): Promise<void> {
    if (!this.file) return Promise.resolve();
    if (!this.queued) {
      const queued = this.written.then(() => {
        this.queued = undefined;
        return this.write(this.file!);
      });
      this.queued = queued;
      this.written = queued.catch(() => undefined);
    }
    return this.queued;
  }

  private async write(file: string): Promise<void> {
    mkdirSync(path.dirname(file), { recursive: true });
    const stored: Stored = { version: 1, deliveries: [...this.seen] };
    await writeFileAtomic(file, JSON.stringify(stored));
  }

  private expire(): void {
    const oldest = Date.now() - REPLAY_WINDOW_MS;
    for (const [key, at] of this.seen) {
      if (at >= oldest) break;
      this.seen.delete(key);
    }
  }
}

/** Deliveries of an agent alone: the key goes to `log` (on disk before the answer), the work to this process's queues. */
export function localIntake(log: DeliveryLog, schedule: (work: Work) => void): Intake {
  return {
    async receive(key, work) {
      const before = log.receivedBefore(key);
      if (before !== undefined) return { duplicateOf: new Date(before) };
      try {
        await log.persist();
      } catch (error) {
        log.forget(key);
        throw error;
      }
      if (work) schedule(work);
      return {};
    },
  };
}
