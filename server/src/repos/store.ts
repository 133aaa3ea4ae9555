import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { RepositoryState, SyncHistoryEntry } from './types';

/** Most recent entries kept per repository. */
export const HISTORY_LIMIT = 200;

/** Parsed files by path, reused while the file is unchanged (the tree reads the store on every redraw). */
const parsed = new Map<string, { mtimeMs: number; size: number; value: StoredRepository }>();

interface StoredRepository {
  state?: RepositoryState;
  history: SyncHistoryEntry[];
}

/** State and sync history per repository, one JSON file each under `<storageDir>/repos/`, written atomically. */
export class RepositoryStore {
  constructor(readonly storageDir: string) {}

  fileOf(name: string): string {
    return path.join(this.storageDir, 'repos', `${name}.json`);
  }

  read(name: string): StoredRepository {
    const file = this.fileOf(name);
    try {
      const { mtimeMs, size } = statSync(file);
      const cached = parsed.get(file);
      if (cached && cached.mtimeMs === mtimeMs && cached.size === size) return cached.value;
      const stored = JSON.parse(readFileSync(file, 'utf8')) as StoredRepository;
      const value = { state: stored.state, history: Array.isArray(stored.history) ? stored.history : [] };
      parsed.set(file, { mtimeMs, size, value });
      return value;
    } catch {
      return { history: [] };
    }
  }

  state(name: string): RepositoryState | undefined {
    return this.read(name).state;
  }

  /** Newest first. */
  history(name: string): SyncHistoryEntry[] {
    return this.read(name).history;
  }

  async record(name: string, entry: SyncHistoryEntry, state?: RepositoryState): Promise<void> {
    const stored = this.read(name);
    const next: StoredRepository = { state: state ?? stored.state, history: [entry, ...stored.history].slice(0, HISTORY_LIMIT) };
    mkdirSync(path.dirname(this.fileOf(name)), { recursive: true });
    await writeFileAtomic(this.fileOf(name), `${JSON.stringify(next, null, 1)}\n`);
  }

  /** Forgets a removed repository. */
  async forget(name: string): Promise<void> {
    await rm(this.fileOf(name), { force: true });
  }
}
