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
}

export interface CheckedFile extends CheckJob {
  findings: Finding[];
  /** For duplicate dag_id findings across files, which need every file checked first. */
  readonly dags: readonly DagDefinition[];
}

export function checkFile(job: CheckJob, parser: Parser): CheckedFile {
  const size = statSync(job.file).size;
  if (size > MAX_FILE_BYTES) return { ...job, findings: [fileTooLarge(size)], dags: [] };
  const analysis = analyzeBytes({ path: job.path, bytes: readFileSync(job.file), parser, config: job.config });
  return { ...job, findings: analysis.findings, dags: analysis.dags };
}
