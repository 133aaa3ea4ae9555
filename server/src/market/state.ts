import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { isRecord } from './locatedYaml';
import { containedPath, UnsafePathError } from './safePath';

/**
 * What was installed into a repository, so "Update available" and uninstall know which files are ours. The file is
 * committed with the repository, so its content is untrusted: every path in it goes through containedPath before
 * use, and a file is only removed while it still has the sha256 recorded here.
 */
export interface InstalledEntry {
  id: string;
  version: string;
  sha256: string;
  /** Files written, relative to the repository root, with the sha256 of the content written. */
  files: { path: string; sha256: string }[];
  installedAt: string;
}

export interface InstallState {
  installed: Record<string, InstalledEntry>;
}

export const STATE_FILE = '.hangar/marketplace.json';

/** A state file Hangar cannot use as it is: the message says what to fix. */
export class StateFileError extends Error {}

/** The state file's real location, inside the repository (a `.hangar` symlink pointing elsewhere is refused). */
function stateFile(repoRoot: string): string {
  try {
    return containedPath(repoRoot, STATE_FILE, 'the repository').real;
  } catch (error) {
    if (error instanceof UnsafePathError) throw new StateFileError(`${STATE_FILE}: ${error.message}; nothing was changed`);
    throw error;
  }
}

/** Checks the shape of one record; the paths themselves are checked where they are used. */
function checkedRecord(id: string, value: unknown): InstalledEntry {
  const bad = (what: string): never => {
    throw new StateFileError(`${STATE_FILE}: entry ${JSON.stringify(id)}: ${what}; fix or remove that entry`);
  };
  if (!isRecord(value)) return bad('is not an object');
  if (value.id !== id) bad('"id" differs from its key');
  for (const key of ['version', 'sha256', 'installedAt'] as const) if (typeof value[key] !== 'string') bad(`"${key}" must be a string`);
  if (!Array.isArray(value.files)) return bad('"files" must be a list');
  value.files.forEach((file: unknown, index) => {
    if (!isRecord(file) || typeof file.path !== 'string' || typeof file.sha256 !== 'string') bad(`files[${index}] must be { "path": string, "sha256": string }`);
  });
  return value as unknown as InstalledEntry;
}

/** Records keyed by entry id, without a prototype: an id such as "__proto__" in the file is just a key. */
const noRecords = (): Record<string, InstalledEntry> => Object.create(null) as Record<string, InstalledEntry>;

export function readState(repoRoot: string): InstallState {
  const file = stateFile(repoRoot);
  if (!existsSync(file)) return { installed: noRecords() };
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new StateFileError(`${STATE_FILE} is not valid JSON (${(error as Error).message}); fix or delete it`);
  }
  const installed = isRecord(value) ? (value.installed ?? {}) : undefined;
  if (!isRecord(installed)) throw new StateFileError(`${STATE_FILE}: "installed" must be an object of entries; fix or delete it`);
  const records = noRecords();
  for (const [id, record] of Object.entries(installed)) records[id] = checkedRecord(id, record);
  return { installed: records };
}

export function writeState(repoRoot: string, state: InstallState): void {
  const file = stateFile(repoRoot);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileAtomic.sync(file, `${JSON.stringify(state, null, 2)}\n`);
}
