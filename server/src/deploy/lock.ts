import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

interface Owner {
  pid: number;
  host: string;
}

/** The holder recorded next to the lock, or undefined when there is none or it was cut short by a kill. */
async function readOwner(ownerFile: string): Promise<Owner | undefined> {
  try {
    const owner = JSON.parse(await readFile(ownerFile, 'utf8')) as Partial<Owner>;
    return typeof owner.pid === 'number' && typeof owner.host === 'string' ? { pid: owner.pid, host: owner.host } : undefined;
  } catch {
    return undefined;
  }
}

/** True only when the holder ran on this host and its process is gone; anything unknown waits for staleness. */
async function holderIsDead(ownerFile: string): Promise<boolean> {
  const owner = await readOwner(ownerFile);
  if (!owner || owner.host !== hostname()) return false;
  try {
    process.kill(owner.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Runs `fn` holding the deploy lock of `dir`. A lock left by a crashed holder is taken over at once when the
 * holder ran on this host and its process is gone, otherwise when it has not been refreshed for 10 s.
 * The owner file is removed before the lock is released, so an owner file that names a dead process can only
 * have been left by a holder that was killed while holding the lock.
 */
export async function withLock<T>(dir: string, what: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, 'deploy');
  const lockDir = `${target}.lock`;
  const ownerFile = `${target}.owner`;
  const deadline = Date.now() + waitMs;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(target, { realpath: false, stale: 10_000, update: 2_000, lockfilePath: lockDir });
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
    }
    if (await holderIsDead(ownerFile)) {
      await rm(ownerFile, { force: true });
      await rm(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`Another deploy to ${what} is running (lock ${lockDir}); wait for it to finish and try again.`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  try {
    await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() } satisfies Owner));
    return await fn();
  } finally {
    await rm(ownerFile, { force: true });
    await release().catch(() => undefined);
  }
}
