import { readFileSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { HangarConfig } from '../analysis/config';
import type { DagDefinition } from '../analysis/dagIndex';
import { analyzeBytes } from '../analysis/engine';
import type { Finding } from '../analysis/findings';
import { notRegularFile, sizeFinding } from '../analysis/input';
import { LocalModules } from '../analysis/localModules';
import { moduleSearchRoots } from '../analysis/deploymentUnit';
import type { Parser } from '../analysis/parser';
import { resolveTarget } from '../analysis/target';

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
  /**
   * Follow the repository-local modules the file imports (read from disk next to `file`): only when `file` on disk is
   * what is checked (`hangar check`), not for a Git blob whose neighbours on disk may be of another commit.
   */
  readonly followImports?: boolean;
  /** The folder the check was asked for: the deployment unit when no `dags/` folder or repository encloses the file. */
  readonly root?: string;
}

export interface CheckedFile extends Omit<CheckJob, 'bytes'> {
  findings: Finding[];
  /** For duplicate dag_id findings across files, which need every file checked first. */
  readonly dags: readonly DagDefinition[];
  /** Every known dag_id the file defines (deploy manifests, sync state). */
  readonly dagIds: readonly string[];
  /** The helper modules the analysis read: [file, sha256 of its content] (a cached result holds while they do). */
  readonly helpers?: readonly (readonly [string, string])[];
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
  const target = resolveTarget(config);
  const local = job.followImports ? localModulesFor(parser, job.root) : undefined;
  const localImports = local?.forFile(file, target.airflow);
  const analysis = analyzeBytes({ path, bytes: job.bytes ?? readFileSync(file), parser, config, target, ...(localImports ? { localImports } : {}) });
  const helpers = local ? [...local.helpersOf(file)] : [];
  return { file, path, config, findings: analysis.findings, dags: analysis.dags, dagIds: analysis.dagIds, ...(helpers.length ? { helpers } : {}) };
}

const localModules = new Map<string, LocalModules>();

/** One reader of helper modules per parser and check root (a worker thread checks many files with one parser). */
function localModulesFor(parser: Parser, root: string | undefined): LocalModules {
  const key = root ?? '';
  let local = localModules.get(key);
  if (!local) {
    // The roots depend on the file's folder alone, and a check's files share a few folders: one look-up per folder.
    const byFolder = new Map<string, string[]>();
    const searchRoots = (file: string): string[] => {
      const folder = dirname(file);
      let roots = byFolder.get(folder);
      if (!roots) byFolder.set(folder, (roots = moduleSearchRoots(file, root)));
      return roots;
    };
    localModules.set(key, (local = new LocalModules({ parser, searchRoots })));
  }
  return local;
}
