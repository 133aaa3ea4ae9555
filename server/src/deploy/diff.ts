import type { DagDiff, Manifest } from './types';

/** DAGs added, changed (a file defining it changed) and removed between two manifests. */
export function dagDiff(before: Manifest, after: Manifest): DagDiff {
  const index = (manifest: Manifest): Map<string, Set<string>> => {
    const map = new Map<string, Set<string>>();
    for (const [file, entry] of Object.entries(manifest)) {
      for (const id of entry.dagIds) map.set(id, (map.get(id) ?? new Set()).add(`${file}@${entry.blob}`));
    }
    return map;
  };
  const old = index(before);
  const now = index(after);
  const added = [...now.keys()].filter((id) => !old.has(id));
  const removed = [...old.keys()].filter((id) => !now.has(id));
  const changed = [...now.keys()].filter((id) => {
    const a = old.get(id);
    const b = now.get(id)!;
    return a !== undefined && (a.size !== b.size || [...b].some((x) => !a.has(x)));
  });
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}

/** Files whose content differs between two manifests (for targeted re-parse requests). */
export function changedFiles(before: Manifest, after: Manifest): string[] {
  return Object.keys(after).filter((file) => before[file]?.blob !== after[file]!.blob);
}

export function describeDiff(diff: DagDiff): string {
  const part = (label: string, ids: readonly string[]): string => (ids.length ? `${label} ${ids.length} (${ids.slice(0, 5).join(', ')}${ids.length > 5 ? ', …' : ''})` : '');
  return [part('added', diff.added), part('changed', diff.changed), part('removed', diff.removed)].filter(Boolean).join('; ') || 'no DAG changes';
}
