import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';

/** What was installed into a repository, so "Update available" and uninstall know which files are ours. */
export interface InstalledEntry {
  id: string;
  version: string;
  sha256: string;
  /** Files written, relative to the repository root, with the sha256 written. */
  files: { path: string; sha256: string }[];
  installedAt: string;
}

export interface InstallState {
  installed: Record<string, InstalledEntry>;
}

export const STATE_FILE = path.join('.hangar', 'marketplace.json');

export function readState(repoRoot: string): InstallState {
  const file = path.join(repoRoot, STATE_FILE);
  if (!existsSync(file)) return { installed: {} };
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<InstallState>;
    return { installed: value.installed ?? {} };
  } catch (error) {
    throw new Error(`${file} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
}

export function writeState(repoRoot: string, state: InstallState): void {
  const file = path.join(repoRoot, STATE_FILE);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${JSON.stringify(state, null, 2)}\n`);
}
