import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DeployRepository, Environment } from '../../../server/src/deploy/types';

export function gitIn(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' },
  }).trim();
}

export function dagSource(dagId: string, description: string): string {
  return `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${dagId}", description="${description}", schedule=None):\n    EmptyOperator(task_id="start")\n`;
}

/** A Git repository with `dags/` whose commits tests make with `commit(files)`. */
export class DagRepo {
  readonly path: string;

  constructor(root: string, readonly name = 'team') {
    this.path = path.join(root, name);
    mkdirSync(path.join(this.path, 'dags'), { recursive: true });
    gitIn(this.path, 'init', '-q', '-b', 'main');
    // Tests make hundreds of commits quickly: a detached `git gc --auto` would race with the next `git add`.
    gitIn(this.path, 'config', 'gc.auto', '0');
  }

  /** Writes (or deletes, with null) files under dags/ and commits; returns the sha. */
  commit(files: Record<string, string | null>, message = 'change'): string {
    for (const [file, text] of Object.entries(files)) {
      const full = path.join(this.path, 'dags', file);
      if (text === null) rmSync(full);
      else {
        mkdirSync(path.dirname(full), { recursive: true });
        writeFileSync(full, text);
      }
    }
    gitIn(this.path, 'add', '-A');
    gitIn(this.path, 'commit', '-q', '-m', message);
    return gitIn(this.path, 'rev-parse', 'HEAD');
  }

  asDeployRepository(priority = 0): DeployRepository {
    return { name: this.name, namespace: this.name, path: this.path, subdir: 'dags', priority, defaultRef: 'main' };
  }
}

const scratchDirs: string[] = [];
process.on('exit', () => {
  if (!process.env.HANGAR_KEEP_SCRATCH) for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true });
});

/** A temporary folder removed when the test process exits (kept with HANGAR_KEEP_SCRATCH=1). */
export function scratch(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `hangar-${prefix}-`));
  scratchDirs.push(dir);
  return dir;
}

/** An airflow-repos.yaml in `root` whose one repository is the DagRepo `team` at `root/team`, and these environments (YAML lines). */
export function writeTeamConfig(root: string, environments: readonly string[]): void {
  const lines = ['repositories:', '  - name: team', '    url: ./team', '    path: team', '    branch: main', 'environments:', ...environments, ''];
  writeFileSync(path.join(root, 'airflow-repos.yaml'), lines.join('\n'));
}

export function folderEnvironment(name: string, dagsFolder: string, repositories: DeployRepository[], keepReleases = 5, airflowUrl?: string): Environment {
  return {
    name,
    target: { kind: 'folder', path: dagsFolder, keepReleases },
    ...(airflowUrl ? { airflow: { url: airflowUrl, version: 3 } } : {}),
    repositories,
  };
}
