import { readFileSync, statSync } from 'node:fs';
import type { HangarConfig } from '../analysis/config';
import type { DagDefinition } from '../analysis/dagIndex';
import { analyzeBytes } from '../analysis/engine';
import type { Finding } from '../analysis/findings';
import { fileTooLarge, MAX_FILE_BYTES } from '../analysis/input';
import type { Parser } from '../analysis/parser';

/** One file to check, with the configuration that applies to it (plain data, sent to worker threads). */
export interface CheckJob {
  readonly file: string;
  /** The path shown in the report. */
  readonly path: string;
  readonly config: HangarConfig;
  /** The file's content when already read (for the cache key): what is checked is what was hashed. */
  readonly bytes?: Uint8Array;
}

export interface CheckedFile extends Omit<CheckJob, 'bytes'> {
  findings: Finding[];
  /** For duplicate dag_id findings across files, which need every file checked first. */
  readonly dags: readonly DagDefinition[];
}

/** The content of a file that is not too large to analyse, else undefined (the size is known from a stat alone). */
export function readCheckable(file: string): Uint8Array | undefined {
  return statSync(file).size > MAX_FILE_BYTES ? undefined : readFileSync(file);
}

export function checkFile({ bytes, ...job }: CheckJob, parser: Parser): CheckedFile {
  if (!bytes) {
    const size = statSync(job.file).size;
    if (size > MAX_FILE_BYTES) return { ...job, findings: [fileTooLarge(size)], dags: [] };
  }
  const analysis = analyzeBytes({ path: job.path, bytes: bytes ?? readFileSync(job.file), parser, config: job.config });
  return { ...job, findings: analysis.findings, dags: analysis.dags };
}
