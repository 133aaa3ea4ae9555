import type { Parser } from '../analysis/parser';
import { CheckCache } from './checkCache';
import { checkFile, type CheckedFile, type CheckJob } from './checkFile';

/** The analysis of one job, without the job's own fields: whoever gave the job has them (less to send between threads). */
export type Analysis = Omit<CheckedFile, 'file' | 'path' | 'config'>;

/** What a thread reports: its analyses, each with the index of its job, and why it could not record them, if so. */
export interface Part {
  readonly analyses: readonly (readonly [number, Analysis])[];
  readonly cacheProblem?: string;
}

/** Records each file a thread analyses in the cache in `dir`, under the key at the job's index (none: not recorded). */
export interface Recording {
  readonly dir: string;
  readonly keys: readonly (string | undefined)[];
}

/** Jobs for one or more threads: with `next` (a counter in shared memory) the threads split them between them. */
export interface Share {
  readonly jobs: readonly CheckJob[];
  readonly next?: Int32Array;
  /** Each thread writes the cache entries of the files it analysed, while the others still analyse. */
  readonly record?: Recording;
}

/**
 * Checks the jobs this thread takes: all of them in order, or, with a shared counter, the next one no thread has
 * taken until none is left, so a thread that started early or runs on a less busy core takes more.
 */
export function checkShare({ jobs, next, record }: Share, parser: Parser): Part {
  const analyses: [number, Analysis][] = [];
  const cache = record && new CheckCache(record.dir);
  const take = (previous: number): number => (next ? Atomics.add(next, 0, 1) : previous + 1);
  for (let at = take(-1); at < jobs.length; at = take(at)) {
    const { file: _file, path: _path, config: _config, ...analysis } = checkFile(jobs[at]!, parser);
    const key = record?.keys[at];
    if (cache && key !== undefined) cache.set(key, analysis);
    analyses.push([at, analysis]);
  }
  return { analyses, ...(cache?.problem ? { cacheProblem: cache.problem } : {}) };
}

/** The results of `jobs` in their order, from the parts the threads reported. */
export function joinParts(jobs: readonly CheckJob[], parts: readonly Part[]): CheckedFile[] {
  const results = new Array<CheckedFile>(jobs.length);
  for (const part of parts) {
    for (const [at, analysis] of part.analyses) {
      const { file, path, config } = jobs[at]!;
      results[at] = { file, path, config, ...analysis };
    }
  }
  return results;
}
