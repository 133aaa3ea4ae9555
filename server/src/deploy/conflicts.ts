import { resolveConflicts } from '../repos/conflicts';
import type { DeployRepository, Manifest } from './types';

/**
 * Files to leave out per namespace (relative to it): a dag_id defined in several repositories is deployed from
 * the one with the highest priority only (the repositories service decides, as it does in the sidebar).
 */
export function conflictLosers(manifest: Manifest, repositories: readonly DeployRepository[]): Map<string, string[]> {
  const resolution = resolveConflicts(
    repositories.map((r) => ({
      name: r.name,
      priority: r.priority,
      files: Object.fromEntries(Object.entries(manifest).filter(([key]) => key.startsWith(`${r.namespace}/`)).map(([key, entry]) => [key.slice(r.namespace.length + 1), { dagIds: [...entry.dagIds] }])),
    })),
  );
  const byName = new Map(repositories.map((r) => [r.name, r.namespace]));
  return new Map([...resolution.excluded].map(([name, files]) => [byName.get(name)!, [...files].sort()]));
}
