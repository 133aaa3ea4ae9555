import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolveInside } from '../safePath';

/**
 * sha256 of catalog files as they are now, recomputed only when a file's size or modification time changes: a
 * verification applies to one sha256, so every badge is checked against the file, not against the index.
 */
export class FileDigests {
  private readonly known = new Map<string, { stamp: string; sha256: string }>();

  /** The file's sha256 (read in chunks, whatever its size), or undefined when it cannot be read. */
  of(root: string, relative: string): string | undefined {
    let file: string;
    try {
      file = resolveInside(root, relative);
    } catch {
      return undefined;
    }
    const stat = statSync(file);
    const stamp = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const cached = this.known.get(file);
    if (cached?.stamp === stamp) return cached.sha256;
    const sha256 = sha256OfFile(file);
    this.known.set(file, { stamp, sha256 });
    return sha256;
  }
}

/** sha256 of a file of any size, read in 1 MB chunks. */
export function sha256OfFile(file: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
