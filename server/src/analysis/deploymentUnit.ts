import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * The deployment unit of a DAG file: what one Airflow environment serves together, so where a dag_id must be unique
 * and which folders Airflow puts on `sys.path`. It is the nearest enclosing `dags/` folder (a DAGs folder), else the
 * repository root (a DAG bundle), else `fallback` (the folder `hangar check` was given, the workspace folder).
 */
export function deploymentUnit(file: string, fallback?: string): string {
  const start = path.dirname(path.resolve(file));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (path.basename(dir) === 'dags') return dir;
    if (path.dirname(dir) === dir) break;
  }
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (fallback && dir === path.resolve(fallback)) return dir;
    if (path.dirname(dir) === dir) return fallback ? path.resolve(fallback) : start;
  }
}

/**
 * The folders Airflow's import of `file` finds top-level modules in, in `sys.path` order: the file's own folder,
 * the DAGs folder, the plugins folder next to it, and the repository root (Airflow 3 puts a DAG bundle's root on
 * `sys.path`; `fallback` stands in for it outside a repository). Only folders that exist.
 */
export function moduleSearchRoots(file: string, fallback?: string): string[] {
  const unit = deploymentUnit(file, fallback);
  let repository: string | undefined;
  for (let dir = unit; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) {
      repository = dir;
      break;
    }
    if (path.dirname(dir) === dir) break;
  }
  const top = repository ?? (fallback ? path.resolve(fallback) : undefined);
  const roots = [path.dirname(path.resolve(file)), unit, path.join(path.dirname(unit), 'plugins'), path.join(unit, 'plugins'), ...(top ? [top] : [])];
  return [...new Set(roots)].filter((root) => existsSync(root));
}
