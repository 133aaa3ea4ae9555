import { readFileSync, statSync } from 'node:fs';
import type { HangarConfig } from '../analysis/config';
import type { DagDefinition } from '../analysis/dagIndex';
import { analyzeBytes } from '../analysis/engine';
import type { Finding } from '../analysis/findings';
import { notRegularFile, sizeFinding } from '../analysis/input';
import type { Parser } from '../analysis/parser';

/** One file to check, with the configuration that applies to it (plain data, sent to worker threads). */
export interface CheckJob {
  /** The file on disk, read when `bytes` is not given. */
  readonly file: string;
  /**
   * The file's content when the caller has it already (a Git blob, or the bytes `hangar check` hashed for its cache
   * key, so that what is checked is what was hashed); then `file` only names it.
   */
  readonly bytes?: Uint8Array;
  /** The path shown in the report. */
  readonly path: string;
  readonly config: HangarConfig;
}

export interface CheckedFile extends Omit<CheckJob, 'bytes'> {
  findings: Finding[];
  /** For duplicate dag_id findings across files, which need every file checked first. */
  readonly dags: readonly DagDefinition[];
  /** Every known dag_id the file defines (deploy manifests, sync state). */
  readonly dagIds: readonly string[];
}

/**
 * The content of a regular file small enough to analyse, else undefined: checkFile reports the others without
 * reading them (a device or FIFO may never end).
 */
export function readCheckable(file: string): Uint8Array | undefined {
  const info = statSync(file);
  return info.isFile() && !sizeFinding(info.size) ? readFileSync(file) : undefined;
}

export function checkFile(job: CheckJob, parser: Parser): CheckedFile {
  const { file, path, config } = job;
  const notRead = (findings: Finding[]): CheckedFile => ({ file, path, config, findings, dags: [], dagIds: [] });
  if (!job.bytes) {
    const info = statSync(file);
    // A device or FIFO (a symlink to /dev/zero committed to a repository) has no size and no end: never read it.
    if (!info.isFile()) return notRead([notRegularFile()]);
    const tooLarge = sizeFinding(info.size);
    if (tooLarge) return notRead([tooLarge]);
  }
  const analysis = analyzeBytes({ path, bytes: job.bytes ?? readFileSync(file), parser, config });
  return { file, path, config, findings: analysis.findings, dags: analysis.dags, dagIds: analysis.dagIds };
}
