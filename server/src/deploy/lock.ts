import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import lockfile from 'proper-lockfile';

function holderIsDead(ownerFile: string): Promise<boolean> {
  return readFile(ownerFile, 'utf8').then(
    (text) => {
      const owner = JSON.parse(text) as { pid: number; host: string };
      if (owner.host !== hostname()) return false;
      try {
        process.kill(owner.pid, 0);
        return false;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code === 'ESRCH';
      }
    },
    () => false,
  );
}

/**
 * Runs `fn` holding the deploy lock of `dir`. A lock left by a crashed holder is taken over at once when the
 * holder ran on this host and its process is gone, otherwise when it has not been refreshed for 10 s.
 */
export async function withLock<T>(dir: string, what: string, fn: () => Promise<T>, waitMs = 60_000): Promise<T> {
  await mkdir(dir, { recursive: true });
  const target = path.join(dir, 'deploy');
  const lockDir = `${target}.lock`;
  const ownerFile = `${target}.owner`;
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const release = await lockfile.lock(target, { realpath: false, stale: 10_000, update: 2_000, lockfilePath: lockDir });
      await writeFile(ownerFile, JSON.stringify({ pid: process.pid, host: hostname() }));
      try {
        return await fn();
      } finally {
        await release().catch(() => undefined);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      if (await holderIsDead(ownerFile)) {
        await rm(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`Another deploy to ${what} is running (lock ${lockDir}); wait for it to finish and try again.`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}
