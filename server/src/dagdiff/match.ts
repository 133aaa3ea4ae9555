import type { DagSnapshot } from './types';

export interface Matching<T> {
  readonly pairs: readonly (readonly [T, T])[];
  readonly removed: readonly T[];
  readonly added: readonly T[];
}

/**
 * Pairs items with equal keys; several items with one key (a dag_id in two files, a task id created in two
 * exclusive branches) pair first with a `preferred` partner, then in order.
 */
export function pairByKey<T>(before: readonly T[], after: readonly T[], key: (item: T) => string, preferred: (b: T, a: T) => boolean = () => false): Matching<T> {
  const waiting = new Map<string, T[]>();
  for (const item of after) waiting.set(key(item), [...(waiting.get(key(item)) ?? []), item]);
  const pairs: (readonly [T, T])[] = [];
  const removed: T[] = [];
  const unpaired: T[] = [];
  for (const item of before) {
    const candidates = waiting.get(key(item)) ?? [];
    (candidates.length ? unpaired : removed).push(item);
  }
  for (const pass of [true, false]) {
    for (const item of [...unpaired]) {
      const candidates = waiting.get(key(item))!;
      const index = pass ? candidates.findIndex((c) => preferred(item, c)) : candidates.length ? 0 : -1;
      if (index < 0) continue;
      pairs.push([item, candidates.splice(index, 1)[0]!]);
      unpaired.splice(unpaired.indexOf(item), 1);
    }
  }
  const added = after.filter((item) => !pairs.some(([, a]) => a === item));
  return { pairs, removed: [...removed, ...unpaired], added };
}

/** A dag_id the model knows is global; an unknown one (`?(expr)`) only means something inside its file. */
export function dagKey(dag: DagSnapshot): string {
  return dag.known ? dag.dagId : `${dag.file}\0${dag.dagId}`;
}

/** Same-file rename: at least this share of the task ids in common (intersection over union). */
export const RENAME_SAME_FILE = 0.5;
/** A rename that also moved the DAG to another file needs more tasks in common, and at least one task. */
export const RENAME_OTHER_FILE = 0.8;

/**
 * Rename rule: a removed DAG and an added DAG are one DAG renamed when they share enough task ids — at least
 * RENAME_SAME_FILE of them when both are in the same file, RENAME_OTHER_FILE (and some tasks) across files.
 * The best pairs win first: more tasks in common, then the same file, then the closest position in the file.
 */
export function findRenames(removed: readonly DagSnapshot[], added: readonly DagSnapshot[]): Matching<DagSnapshot> {
  const candidates: { b: DagSnapshot; a: DagSnapshot; similarity: number; sameFile: boolean; distance: number }[] = [];
  for (const b of removed) {
    for (const a of added) {
      const sameFile = a.file === b.file;
      const similarity = taskSimilarity(b, a);
      const eligible = sameFile ? similarity >= RENAME_SAME_FILE : similarity >= RENAME_OTHER_FILE && b.tasks.length > 0 && a.tasks.length > 0;
      if (eligible) candidates.push({ b, a, similarity, sameFile, distance: Math.abs(a.index - b.index) });
    }
  }
  candidates.sort((x, y) => y.similarity - x.similarity || Number(y.sameFile) - Number(x.sameFile) || x.distance - y.distance);
  const pairs: (readonly [DagSnapshot, DagSnapshot])[] = [];
  for (const { b, a } of candidates) {
    if (pairs.some(([pb, pa]) => pb === b || pa === a)) continue;
    pairs.push([b, a]);
  }
  return { pairs, removed: removed.filter((b) => !pairs.some(([pb]) => pb === b)), added: added.filter((a) => !pairs.some(([, pa]) => pa === a)) };
}

function taskSimilarity(b: DagSnapshot, a: DagSnapshot): number {
  const before = new Set(b.tasks.map((t) => t.taskId));
  const after = new Set(a.tasks.map((t) => t.taskId));
  const union = new Set([...before, ...after]);
  if (union.size === 0) return 1;
  return [...before].filter((id) => after.has(id)).length / union.size;
}
