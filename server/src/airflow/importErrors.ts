import path from 'node:path';
import type { MappedImportError } from '../deploy/types';
import type { AirflowImportError } from './client';

export interface SourceFile {
  /** Key in the deploy manifest: `namespace/relative/path.py`. */
  readonly key: string;
  readonly repository: string;
  /** Absolute path of the file in the workspace clone. */
  readonly file: string;
}

/**
 * The deployed file an Airflow file name refers to: a path ending in `namespace/relative` (folder target) beats one
 * ending only in the namespace-relative path (Git bundle, relative to the bundle); longer matches win.
 */
export function matchSource(airflowPath: string, sources: readonly SourceFile[]): SourceFile | undefined {
  const normalized = airflowPath.split(path.sep).join('/');
  const ends = (suffix: string): boolean => normalized === suffix || normalized.endsWith(`/${suffix}`);
  let best: SourceFile | undefined;
  let bestScore = 0;
  for (const source of sources) {
    const rel = source.key.slice(source.key.indexOf('/') + 1);
    const score = ends(source.key) ? 100_000 + source.key.length : ends(rel) ? rel.length : 0;
    if (score > bestScore) {
      best = source;
      bestScore = score;
    }
  }
  return best;
}

/** The line of the error in the file itself: the last traceback frame in it, or Python's `(file, line N)`. */
export function errorLine(stackTrace: string, airflowPath: string): number | undefined {
  const base = path.basename(airflowPath);
  let line: number | undefined;
  for (const match of stackTrace.matchAll(/File "([^"]+)", line (\d+)/g)) if (path.basename(match[1]!) === base) line = Number(match[2]);
  if (line !== undefined) return line;
  const syntax = /\(([^()]+), line (\d+)\)/.exec(stackTrace);
  return syntax ? Number(syntax[2]) : undefined;
}

export function mapImportError(error: AirflowImportError, sources: readonly SourceFile[]): MappedImportError {
  const source = matchSource(error.filename, sources);
  const line = errorLine(error.stack_trace, error.filename);
  const lines = error.stack_trace.trim().split('\n');
  return {
    airflowPath: error.filename,
    ...(source ? { repository: source.repository, file: source.file } : {}),
    ...(line !== undefined ? { line } : {}),
    message: lines.at(-1) ?? error.stack_trace,
  };
}
