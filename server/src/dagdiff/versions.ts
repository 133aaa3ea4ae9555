import { existsSync } from 'node:fs';
import path from 'node:path';
import { git, listFiles, resolveCommit, type TreeFile } from '../deploy/gitSource';
import type { HistoryRecord } from '../deploy/types';
import { diffSnapshots } from './diff';
import { snapshotFiles, type AnalysisCache } from './folder';
import type { SemanticDiff } from './types';

/** A repository's clone and DAG folder (a `DeployRepository` fits). */
export interface RepositoryFolder {
  readonly name: string;
  readonly path: string;
  /** DAG folder inside the repository ('' = the root). */
  readonly subdir: string;
}

/**
 * The semantic diff of a repository's DAG folder between two commits; `from` null compares with an empty folder.
 * Only the files whose content or path differs are analysed: a file identical at both commits defines the same
 * DAGs on both sides, so the diff is the same as for whole snapshots, and `unchanged` counts the DAGs of the
 * analysed files.
 */
export async function diffCommits(repository: RepositoryFolder, from: string | null, to: string): Promise<SemanticDiff> {
  const [old, now] = await Promise.all([from === null ? [] : listFiles(repository.path, from, repository.subdir), listFiles(repository.path, to, repository.subdir)]);
  const key = (f: TreeFile) => `${f.blob} ${f.path}`;
  const atFrom = new Set(old.map(key));
  const identical = new Set(now.filter((f) => atFrom.has(key(f))).map(key));
  const differs = (f: TreeFile) => !identical.has(key(f));
  const cache: AnalysisCache = new Map();
  const [before, after] = await Promise.all([snapshotFiles(repository.path, old.filter(differs), cache), snapshotFiles(repository.path, now.filter(differs), cache)]);
  return diffSnapshots(before, after);
}

/**
 * The commit `ref` names in the clone. `HEAD`, `HEAD~1`, `HEAD^` … are the clone's own checked-out history;
 * branches, tags and shas resolve as deploys resolve them (a branch as `origin/<branch>` when the clone has it).
 */
export async function resolveVersion(repository: RepositoryFolder, ref: string): Promise<string> {
  if (!existsSync(path.join(repository.path, '.git'))) throw new Error(`Repository "${repository.name}" has no clone at ${repository.path}: run hangar repos sync ${repository.name}.`);
  if (!/^HEAD(?:[~^]\d*)*$/.test(ref)) return resolveCommit(repository.path, ref);
  const sha = await commitOf(repository, ref);
  if (!sha) throw new Error(`"${ref}" is not a commit of ${repository.name} (${repository.path}): the history is shorter than that.`);
  return sha;
}

/** The parent of `commit`, or null for a root commit. */
export async function parentOf(repository: RepositoryFolder, commit: string): Promise<string | null> {
  return (await commitOf(repository, `${commit}~1`)) || null;
}

/** What an environment serves of one repository: the newest history record (a rollback is a record too). */
export interface LiveVersion {
  readonly version: number;
  readonly ref: string;
  readonly commit: string;
}

/** The live version of `repository` in `history`, or undefined when nothing of it was deployed. */
export function liveVersion(history: readonly HistoryRecord[], repository: string): LiveVersion | undefined {
  const live = history.at(-1);
  const deployed = live?.repositories.find((r) => r.name === repository);
  return live && deployed ? { version: live.version, ref: deployed.ref, commit: deployed.commit } : undefined;
}

/** Fails clearly when the clone lacks a commit the history names (another machine deployed from a newer clone). */
export async function requireCommit(repository: RepositoryFolder, commit: string, what: string): Promise<string> {
  const sha = await commitOf(repository, commit);
  if (!sha) throw new Error(`${what} is commit ${commit.slice(0, 12)} of "${repository.name}", which the clone at ${repository.path} does not have: run hangar repos sync ${repository.name}.`);
  return sha;
}

/** The commit an expression names in the clone, or '' (never read as an option, whatever the text). */
async function commitOf(repository: RepositoryFolder, expression: string): Promise<string> {
  return (await git(repository.path, ['rev-parse', '--verify', '--quiet', '--end-of-options', `${expression}^{commit}`]).catch(() => '')).trim();
}
