import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { git, gitWithInput, listFiles, readBlobs, type TreeFile } from '../deploy/gitSource';
import { analyzePythonFile, isPythonFile, treeSnapshot, type FolderEntry, type PythonFileAnalysis } from './snapshot';
import type { TreeSnapshot } from './types';

/** Analyses shared between snapshots, by git blob id: a file unchanged between two commits is analysed once. */
export type AnalysisCache = Map<string, Promise<PythonFileAnalysis>>;

/** The DAG folder `subdir` of the repository at `commit`, read from the object store (no checkout). */
export async function snapshotCommit(repoPath: string, commit: string, subdir: string, cache: AnalysisCache = new Map()): Promise<TreeSnapshot> {
  return snapshotFiles(repoPath, await listFiles(repoPath, commit, subdir), cache);
}

/** The snapshot of some files of the object store (`listFiles` entries: path in the DAG folder and blob id). */
export async function snapshotFiles(repoPath: string, files: readonly TreeFile[], cache: AnalysisCache = new Map()): Promise<TreeSnapshot> {
  const python = files.filter((f) => isPythonFile(f.path));
  const texts = await readBlobs(repoPath, python.filter((f) => !cache.has(f.blob)).map((f) => f.blob));
  const entries = await Promise.all(
    files.map(async (file): Promise<FolderEntry> => {
      if (!isPythonFile(file.path)) return { path: file.path, blob: file.blob };
      let analysis = cache.get(file.blob);
      if (!analysis) cache.set(file.blob, (analysis = analyzePythonFile(file.path, texts.get(file.blob) ?? '')));
      return { path: file.path, python: await analysis };
    }),
  );
  return treeSnapshot(entries);
}

/**
 * The DAG folder `subdir` as it is on disk in the repository's working tree, uncommitted changes included: the
 * files Git tracks or would add (`.gitignore` applies).
 */
export async function snapshotWorkingTree(repoPath: string, subdir: string): Promise<TreeSnapshot> {
  const prefix = subdir && subdir !== '.' ? `${subdir.replace(/\/+$/, '')}/` : '';
  const listed = (await git(repoPath, ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--full-name', '--', ...(prefix ? [prefix] : [])])).split('\0').filter(Boolean);
  const present: string[] = [];
  for (const file of new Set(listed)) {
    if ((await stat(path.join(repoPath, file)).catch(() => undefined))?.isFile()) present.push(file);
  }
  const blobs = await blobIds(repoPath, present.filter((f) => !isPythonFile(f)));
  const entries = await Promise.all(
    present.map(async (file): Promise<FolderEntry> => {
      const relative = file.slice(prefix.length);
      if (!isPythonFile(file)) return { path: relative, blob: blobs.get(file)! };
      return { path: relative, python: await analyzePythonFile(relative, await readFile(path.join(repoPath, file), 'utf8')) };
    }),
  );
  return treeSnapshot(entries);
}

/** What `git add` would store for each file (filters such as autocrlf applied), by path. */
async function blobIds(repoPath: string, files: readonly string[]): Promise<Map<string, string>> {
  // --stdin-paths reads one path a line: a name with a newline in it is hashed on its own.
  const plain = files.filter((f) => !f.includes('\n'));
  const ids = plain.length ? (await gitWithInput(repoPath, ['hash-object', '--stdin-paths'], plain.join('\n') + '\n')).trim().split('\n') : [];
  const blobs = new Map(plain.map((file, i) => [file, ids[i]!]));
  for (const file of files.filter((f) => f.includes('\n'))) blobs.set(file, (await git(repoPath, ['hash-object', '--', file])).trim());
  return blobs;
}
