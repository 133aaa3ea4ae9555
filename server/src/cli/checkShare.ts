import type { CompiledWasm, Parser } from '../analysis/parser';
import { checkFile, type CheckedFile, type CheckJob } from './checkFile';

/** The analysis of one job, without the job's own fields: whoever gave the job has them (less to send between threads). */
export type Analysis = Omit<CheckedFile, 'file' | 'path' | 'config'>;

/** The analyses a thread made, each with the index of its job. */
export type Part = readonly (readonly [number, Analysis])[];

/** Jobs for one or more threads: with `next` (a counter in shared memory) the threads split them between them. */
export interface Share {
  readonly jobs: readonly CheckJob[];
  readonly next?: Int32Array;
  /** The parser's WebAssembly, compiled by the thread that started the worker. */
  readonly wasm?: CompiledWasm;
}

/**
 * Checks the jobs this thread takes: all of them in order, or, with a shared counter, the next one no thread has
 * taken until none is left, so a thread that started early or runs on a less busy core takes more.
 */
export function checkShare({ jobs, next }: Share, parser: Parser): Part {
  const part: [number, Analysis][] = [];
  const take = (previous: number): number => (next ? Atomics.add(next, 0, 1) : previous + 1);
  for (let at = take(-1); at < jobs.length; at = take(at)) {
    const { file: _file, path: _path, config: _config, ...analysis } = checkFile(jobs[at]!, parser);
    part.push([at, analysis]);
  }
  return part;
}

/** The results of `jobs` in their order, from the parts the threads reported. */
export function joinParts(jobs: readonly CheckJob[], parts: readonly Part[]): CheckedFile[] {
  const results = new Array<CheckedFile>(jobs.length);
  for (const part of parts) {
    for (const [at, analysis] of part) {
      const { file, path, config } = jobs[at]!;
      results[at] = { file, path, config, ...analysis };
    }
  }
  return results;
}
