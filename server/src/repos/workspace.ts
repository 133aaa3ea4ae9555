import path from 'node:path';
import type { RepositoryConfig } from '../config/types';
import { resolveConflicts, type ConflictResolution } from './conflicts';
import { RepositoryStore } from './store';

/** Where the CLI (and the editor, with clones in the workspace) keeps clones, state and history: `<config dir>/.hangar`. */
export function defaultStorageDir(configFile: string): string {
  return path.join(path.dirname(configFile), '.hangar');
}

/** Conflicts between the repositories as last synced (no parsing: the stored per-file DAG ids). */
export function workspaceConflicts(repositories: readonly RepositoryConfig[], storageDir: string): ConflictResolution {
  const store = new RepositoryStore(storageDir);
  return resolveConflicts(repositories.map((r) => ({ name: r.name, priority: r.priority, files: store.state(r.name)?.files ?? {} })));
}
