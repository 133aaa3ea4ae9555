import { readFile } from 'node:fs/promises';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import type { HistoryRecord } from './types';

/** History of a folder target, next to its releases so every machine that mounts the folder shares it. */
export class FolderHistory {
  private readonly file: string;

  constructor(stateDir: string) {
    this.file = path.join(stateDir, 'history.json');
  }

  async list(): Promise<HistoryRecord[]> {
    const text = await readFile(this.file, 'utf8').catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? '[]' : Promise.reject(error)));
    return JSON.parse(text) as HistoryRecord[];
  }

  /** Callers hold the deploy lock; the file is replaced atomically. */
  async write(records: readonly HistoryRecord[]): Promise<void> {
    await writeFileAtomic(this.file, JSON.stringify(records, null, 1));
  }
}
