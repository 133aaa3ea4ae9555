import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { gitEnvironment } from '../../git/environment';
import { canaryText } from '../../canary/rewrite';
import { git, gitWithInput, readBlobs } from '../gitSource';
import type { ComposedFile, Composition, RepositoryRef } from '../types';

/** What a repository folder needs for composing: its clone and DAG folder. */
export interface ComposedRepository {
  readonly path: string;
  readonly subdir: string;
}

/** Keeps composed commits from `git gc` in the clone (they are on no branch). */
const KEEP_REF = 'refs/hangar/composed';

/** The composition a deployed repository version stands for (a plain commit is its own base with no files). */
export function compositionOf(ref: Pick<RepositoryRef, 'commit' | 'composition'>): Composition {
  return ref.composition ?? { base: ref.commit, files: [] };
}

/** The commit a file of a deployed version came from, or null when the version leaves it out. */
export function originOf(composition: Composition, file: string): string | null {
  const entry = composition.files.find((f) => f.path === file);
  return entry ? entry.from : composition.base;
}

/** `composition` with `changes` applied (a file whose origin becomes the base again drops out of the list). */
export function withFiles(composition: Composition, changes: readonly ComposedFile[]): Composition {
  const byPath = new Map(composition.files.map((f) => [f.path, f]));
  for (const change of changes) {
    if (change.from === composition.base && !change.canary) byPath.delete(change.path);
    else byPath.set(change.path, change);
  }
  return { base: composition.base, files: [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)) };
}

/** `composition` without the files at `paths`, as the base has them. */
export function withoutFiles(composition: Composition, paths: readonly string[]): Composition {
  return { base: composition.base, files: composition.files.filter((f) => !paths.includes(f.path)) };
}

const fullPath = (repository: ComposedRepository, file: string): string => (repository.subdir ? `${repository.subdir.replace(/\/+$/, '')}/${file}` : file);

/**
 * The commit that holds `composition`, made in the clone with git plumbing in a temporary index (no checkout, no
 * working tree touched): the base's tree with each listed file replaced, added or removed, committed with the base as
 * parent and a fixed author, committer and date, so the same composition always gives the same commit on any clone.
 * A composition without files is the base itself.
 */
export async function composeCommit(repository: ComposedRepository, composition: Composition): Promise<string> {
  if (composition.files.length === 0) return composition.base;
  const entries = await Promise.all(composition.files.map((file) => indexEntry(repository, file)));
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'hangar-compose-'));
  try {
    const env = { ...gitEnvironment(), GIT_INDEX_FILE: path.join(scratch, 'index') };
    await git(repository.path, ['read-tree', '--end-of-options', composition.base], env);
    // --index-info: "<mode> <sha>\t<path>" NUL-terminated; mode 0 removes the path.
    await gitWithInput(repository.path, ['update-index', '-z', '--index-info'], entries.join(''), env);
    const tree = (await git(repository.path, ['write-tree'], env)).trim();
    const date = (await git(repository.path, ['show', '-s', '--format=%ct', '--end-of-options', composition.base])).trim();
    const identity = { GIT_AUTHOR_NAME: 'Hangar', GIT_AUTHOR_EMAIL: 'hangar@localhost', GIT_AUTHOR_DATE: `${date} +0000`, GIT_COMMITTER_NAME: 'Hangar', GIT_COMMITTER_EMAIL: 'hangar@localhost', GIT_COMMITTER_DATE: `${date} +0000` };
    const commit = (await gitWithInput(repository.path, ['commit-tree', tree, '-p', composition.base], describeComposition(composition), { ...gitEnvironment(), ...identity })).trim();
    await git(repository.path, ['update-ref', `${KEEP_REF}/${commit}`, commit]);
    return commit;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The commit message of a composed commit: what it is made of. */
function describeComposition(composition: Composition): string {
  const lines = composition.files.map((f) => (f.from === null ? `- ${f.path}: left out` : f.canary ? `+ ${f.path}: canary of ${f.canary.dagId} from ${f.canary.source} at ${f.from}` : `~ ${f.path}: from ${f.from}`));
  return `Hangar: ${composition.base.slice(0, 12)} with ${composition.files.length} file(s) from other versions\n\n${lines.join('\n')}\n`;
}

/** The `update-index --index-info` line of one composed file. */
async function indexEntry(repository: ComposedRepository, file: ComposedFile): Promise<string> {
  const target = fullPath(repository, file.path);
  if (file.from === null) return `0 ${'0'.repeat(40)}\t${target}\0`;
  const source = fullPath(repository, file.canary?.source ?? file.path);
  // Paths come from history records: read literally, never as pathspec magic or globs.
  const listed = (await git(repository.path, ['--literal-pathspecs', 'ls-tree', '-z', '--full-tree', '--end-of-options', file.from, '--', source])).split('\0')[0] ?? '';
  const match = /^(\d+) blob ([0-9a-f]+)\t/.exec(listed);
  if (!match) throw new Error(`${source} does not exist at ${file.from.slice(0, 12)}; the version cannot be put together.`);
  if (!file.canary) return `${match[1]} ${match[2]}\t${target}\0`;
  const text = (await readBlobs(repository.path, [match[2]!])).get(match[2]!) ?? '';
  const blob = (await gitWithInput(repository.path, ['hash-object', '-w', '--no-filters', '--stdin'], await canaryText(text, file.canary.source, file.canary.dagId))).trim();
  return `100644 ${blob}\t${target}\0`;
}

/** The version's commit, rebuilt from its composition when this clone lacks it (another machine composed it). */
export async function ensureCommit(repository: ComposedRepository, ref: Pick<RepositoryRef, 'commit' | 'composition'>): Promise<string> {
  const present = await git(repository.path, ['cat-file', '-e', '--end-of-options', `${ref.commit}^{commit}`]).then(
    () => true,
    () => false,
  );
  if (present || !ref.composition) return ref.commit;
  const rebuilt = await composeCommit(repository, ref.composition);
  if (rebuilt !== ref.commit) throw new Error(`The composed commit ${ref.commit.slice(0, 12)} could not be rebuilt (got ${rebuilt.slice(0, 12)}); run hangar repos sync and try again.`);
  return rebuilt;
}
