import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const SKIPPED_DIRECTORIES = new Set(['node_modules', '__pycache__', 'venv', 'site-packages', 'dist', 'build']);
const MAX_DEPTH = 12;

/** Python files under `dir`, skipping hidden folders, virtual environments and caches; sorted for stable output. */
export function pythonFilesUnder(dir: string, into: string[] = [], depth = 0): string[] {
  if (depth > MAX_DEPTH) return into;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return into;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) pythonFilesUnder(full, into, depth + 1);
    } else if (entry.isFile() && entry.name.endsWith('.py')) {
      into.push(full);
    }
  }
  return into;
}

/** `dags/` folders under `root` (not inside another `dags/`). */
function dagFolders(root: string, depth = 0, into: string[] = []): string[] {
  if (depth > 4) return into;
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return into;
  }
  for (const entry of entries) {
    if (!entry.isDirectory() || entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const full = path.join(root, entry.name);
    if (entry.name === 'dags') into.push(full);
    else dagFolders(full, depth + 1, into);
  }
  return into.sort();
}

/** Airflow's own heuristic (`might_contain_dag`): the file mentions both "airflow" and "dag". */
export function mightContainDag(file: string): boolean {
  try {
    const head = readFileSync(file, 'utf8').toLowerCase();
    return head.includes('airflow') && head.includes('dag');
  } catch {
    return false;
  }
}

export class MissingPathError extends Error {}

/**
 * The files `hangar check` looks at: the given files and the Python files of the given folders; with no path, the
 * `dags/` folders under `cwd`, or else the Python files under `cwd` that pass Airflow's DAG heuristic.
 */
export function resolveCheckFiles(paths: readonly string[], cwd: string): string[] {
  const files: string[] = [];
  if (paths.length === 0) {
    const folders = dagFolders(cwd);
    if (folders.length > 0) for (const folder of folders) pythonFilesUnder(folder, files);
    else for (const file of pythonFilesUnder(cwd)) if (mightContainDag(file)) files.push(file);
    return files;
  }
  for (const given of paths) {
    const full = path.resolve(cwd, given);
    if (!existsSync(full)) throw new MissingPathError(`${given}: no such file or folder`);
    if (statSync(full).isDirectory()) pythonFilesUnder(full, files);
    else files.push(full);
  }
  return [...new Set(files)];
}
