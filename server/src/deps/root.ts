import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

const MARKERS = ['requirements.txt', 'pyproject.toml', '.git', 'airflow-repos.yaml'];

/**
 * The repository a path belongs to: the nearest folder up from it with requirements.txt, pyproject.toml or
 * .git, or else the folder that holds its `dags/` folder.
 */
export function repositoryRoot(target: string): string {
  const start = existsSync(target) && statSync(target).isDirectory() ? path.resolve(target) : path.dirname(path.resolve(target));
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (MARKERS.some((marker) => existsSync(path.join(dir, marker)))) return dir;
    if (path.basename(dir) === 'dags') return path.dirname(dir);
    if (path.dirname(dir) === dir) return start;
  }
}
