import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HangarApi } from '../../../client/src/extension';
import { waitFor } from './harness';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };

export const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

export interface DeployRemote {
  /** The scratch folder holding the rest. */
  readonly root: string;
  /** A bare repository on `main`, the remote the editor syncs. */
  readonly bare: string;
  /** A working copy whose origin is `bare`, with an empty dags/ folder. */
  readonly work: string;
  /** An empty folder for a folder environment to deploy into. */
  readonly dags: string;
}

/** A scratch folder with a bare remote, a working copy of it and an empty DAGs folder to deploy to. */
export function createDeployRemote(prefix: string): DeployRemote {
  const root = mkdtempSync(path.join(os.tmpdir(), prefix));
  const remote = { root, bare: path.join(root, 'origin.git'), work: path.join(root, 'work'), dags: path.join(root, 'airflow-dags') };
  mkdirSync(remote.dags);
  git(root, 'init', '-q', '--bare', '--initial-branch=main', remote.bare);
  git(root, 'init', '-q', '--initial-branch=main', remote.work);
  git(remote.work, 'remote', 'add', 'origin', remote.bare);
  mkdirSync(path.join(remote.work, 'dags'));
  return remote;
}

/** Commits files under dags/ in the working copy `work` and pushes them to its remote's main; returns the commit. */
export function pushDags(work: string, files: Record<string, string>): string {
  for (const [file, text] of Object.entries(files)) writeFileSync(path.join(work, 'dags', file), text);
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', `change ${Object.keys(files).join(', ')}`);
  git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
  return git(work, 'rev-parse', 'HEAD');
}

/** Adds a folder environment deploying `repository` to `dags` to the workspace's airflow-repos.yaml, and waits for the editor to load it. */
export async function addFolderEnvironment(api: HangarApi, name: string, dags: string, repository: string): Promise<void> {
  const configFile = api.repositories.controller.configFile;
  const text = readFileSync(configFile, 'utf8');
  const environment = `  - name: ${name}\n    target: { kind: folder, path: ${JSON.stringify(dags)}, keep_releases: 3 }\n    repositories: [${repository}]\n`;
  writeFileSync(configFile, /^environments:/m.test(text) ? text.replace(/^environments:\n/m, `environments:\n${environment}`) : `${text.trimEnd()}\nenvironments:\n${environment}`);
  await waitFor('the environment to be loaded', () => api.deploy.environments().some((e) => e.name === name), 20_000);
}
