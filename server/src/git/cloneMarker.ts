import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** A file in the `.git` folder of every repository Hangar creates: only those does Hangar ever check out into or delete. */
const MARKER = 'hangar-clone.json';

export function markHangarClone(dir: string, url: string): void {
  writeFileSync(path.join(dir, '.git', MARKER), `${JSON.stringify({ createdBy: 'hangar', url, at: new Date().toISOString() })}\n`);
}

export function isMarkedHangarClone(dir: string): boolean {
  return existsSync(path.join(dir, '.git', MARKER));
}
