import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { isMarkedHangarClone, markHangarClone } from '../git/cloneMarker';
import { WorkWouldBeLost } from '../git/errors';
import type { GitClient } from '../git/gitClient';

export interface CloneFolderOptions {
  readonly git: GitClient;
  readonly url: string;
  /**
   * Take an unmarked clone as Hangar's: one in Hangar's own storage, or one Hangar 0.1.0 (which wrote no
   * marker) recorded as synced in the state file.
   */
  readonly adopt: boolean;
}

const WHAT_TO_DO = 'point "path:" at a missing or empty folder (Hangar clones into it), or remove "path:" to keep the clone in Hangar\'s storage';

/**
 * Says whether sync clones into `dir` or fetches into the clone there, and refuses a folder that holds work
 * Hangar did not create: files that are not a clone, a repository Hangar did not clone, a clone whose work tree
 * or git folder lives elsewhere. Nothing is changed in a refused folder.
 */
export async function prepareCloneFolder(dir: string, options: CloneFolderOptions): Promise<'clone' | 'fetch'> {
  if (!existsSync(dir)) return 'clone';
  if (!statSync(dir).isDirectory()) throw new WorkWouldBeLost(`${dir} is a file, not a folder: ${WHAT_TO_DO}.`);
  if (!existsSync(path.join(dir, '.git'))) {
    if (readdirSync(dir).length === 0) return 'clone';
    throw new WorkWouldBeLost(`${dir} already holds files and is not a clone Hangar made; Hangar never writes over them: ${WHAT_TO_DO}.`);
  }
  const layout = await options.git.layout(dir);
  if (!layout || layout.workTree !== realpathSync(dir) || layout.gitDir !== realpathSync(path.join(dir, '.git'))) {
    throw new WorkWouldBeLost(`${dir} is not a plain clone (its work tree or its .git folder is elsewhere), so Hangar leaves it alone: ${WHAT_TO_DO}.`);
  }
  if (isMarkedHangarClone(dir)) return 'fetch';
  if (!options.adopt) {
    throw new WorkWouldBeLost(`${dir} holds a Git repository Hangar did not clone. Hangar syncs only clones it made, so your work there is never touched: ${WHAT_TO_DO}.`);
  }
  markHangarClone(dir, options.url);
  return 'fetch';
}

/** Deletes a clone Hangar made and that holds no local change; anything else is refused and left in place. */
export async function removeClone(dir: string, options: Omit<CloneFolderOptions, 'url'>): Promise<void> {
  if (!existsSync(dir)) return;
  if (!existsSync(path.join(dir, '.git')) || !(isMarkedHangarClone(dir) || options.adopt)) {
    throw new WorkWouldBeLost(`${dir} was not cloned by Hangar, so it was not deleted.`);
  }
  const changes = await options.git.localChanges(dir);
  if (changes.length > 0) throw new WorkWouldBeLost(`${dir} has local changes (${changes.slice(0, 10).join(', ')}), so it was not deleted. Delete it yourself once they are safe.`);
  await rm(dir, { recursive: true, force: true });
}
