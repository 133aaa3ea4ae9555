/** Real Git repositories for tests: a bare "remote" and a working copy that pushes to it. */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Hangar Test',
  GIT_AUTHOR_EMAIL: 'test@hangar.invalid',
  GIT_COMMITTER_NAME: 'Hangar Test',
  GIT_COMMITTER_EMAIL: 'test@hangar.invalid',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
};

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(os.tmpdir(), `hangar-${prefix}-`));
}

export interface TestRemote {
  /** The bare repository (use as a URL or path). */
  readonly bare: string;
  /** A working copy with `origin` = bare. */
  readonly work: string;
  /** Writes files (path -> content; null deletes), commits and pushes; returns the new commit. */
  commit(files: Record<string, string | null>, message?: string, branch?: string): string;
  tag(name: string): void;
}

/** A bare repository at `<root>/<name>.git` with a first commit of `files` on `main`. */
export function createRemote(root: string, name: string, files: Record<string, string>): TestRemote {
  const bare = path.join(root, `${name}.git`);
  const work = path.join(root, `${name}-work`);
  mkdirSync(root, { recursive: true });
  git(root, 'init', '--quiet', '--bare', '--initial-branch=main', bare);
  git(root, 'init', '--quiet', '--initial-branch=main', work);
  git(work, 'remote', 'add', 'origin', bare);
  const remote: TestRemote = {
    bare,
    work,
    commit(changes, message = 'change', branch = 'main') {
      for (const [file, content] of Object.entries(changes)) {
        const full = path.join(work, file);
        if (content === null) rmSync(full, { force: true });
        else {
          mkdirSync(path.dirname(full), { recursive: true });
          writeFileSync(full, content);
        }
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '-m', message);
      git(work, 'push', '--quiet', 'origin', `HEAD:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    tag(tagName) {
      git(work, 'tag', tagName);
      git(work, 'push', '--quiet', 'origin', `refs/tags/${tagName}`);
    },
  };
  remote.commit(files, 'first commit');
  return remote;
}

/** A small valid DAG file defining `dagId`. */
export function dagSource(dagId: string, extra = ''): string {
  return `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${dagId}", schedule=None):\n    EmptyOperator(task_id="start")\n${extra}`;
}

/** Every file under `dir` whose bytes contain `needle` (relative paths). */
export function filesContaining(dir: string, needle: string): string[] {
  const found: string[] = [];
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      const full = path.join(current, entry);
      const stat = statSync(full, { throwIfNoEntry: false });
      if (!stat) continue;
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile() && readFileSync(full).includes(needle)) found.push(path.relative(dir, full));
    }
  };
  walk(dir);
  return found;
}
