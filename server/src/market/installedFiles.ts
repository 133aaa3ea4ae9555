import { createHash } from 'node:crypto';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { MAX_FILE_BYTES } from '../analysis/input';
import { containedPath, UnsafePathError, type ContainedPath } from './safePath';
import { STATE_FILE, type InstalledEntry } from './state';

export class InstallError extends Error {}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/** A file an install recorded, located inside the repository, with the sha256 Hangar wrote. */
export interface RecordedFile extends ContainedPath {
  sha256: string;
}

/** A file Hangar did not remove, and why. */
export interface KeptFile {
  path: string;
  reason: string;
}

/** A path inside the repository, or an InstallError that says where the path came from. */
export function inRepository(repoRoot: string, text: unknown, origin: string, options?: { allowRoot?: boolean }): ContainedPath {
  try {
    return containedPath(repoRoot, text, 'the repository', options);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new InstallError(`${origin}: ${error.message}; nothing was changed`);
    throw error;
  }
}

/** Every file of a record, resolved inside the repository before anything is touched: one bad path refuses them all. */
export function recordedFiles(repoRoot: string, record: InstalledEntry): RecordedFile[] {
  return record.files.map((file) => ({ ...inRepository(repoRoot, file.path, `${STATE_FILE} lists a file of ${record.id} that Hangar will not touch`), sha256: file.sha256 }));
}

export type FileCondition = 'missing' | 'unchanged' | 'edited' | 'not a file';

/** Whether a recorded file still has the content Hangar installed (installed files are never over the size limit). */
export function conditionOf(file: RecordedFile): FileCondition {
  let stats;
  try {
    stats = statSync(file.real);
  } catch {
    return 'missing';
  }
  if (!stats.isFile()) return 'not a file';
  if (stats.size > MAX_FILE_BYTES) return 'edited';
  return sha256(readFileSync(file.real)) === file.sha256 ? 'unchanged' : 'edited';
}

/** Removes the files that still have the content Hangar installed; the others are kept and reported. */
export function removeUnchanged(files: readonly RecordedFile[]): { removed: string[]; kept: KeptFile[] } {
  const removed: string[] = [];
  const kept: KeptFile[] = [];
  for (const file of files) {
    const condition = conditionOf(file);
    if (condition === 'unchanged') {
      rmSync(file.real);
      removed.push(file.relative);
    } else if (condition === 'edited') {
      kept.push({ path: file.relative, reason: 'edited since it was installed' });
    } else if (condition === 'not a file') {
      kept.push({ path: file.relative, reason: 'not a file any more' });
    }
  }
  return { removed, kept };
}
