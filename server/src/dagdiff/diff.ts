import { compare } from './order';
import { dagKey, findRenames, pairByKey } from './match';
import type {
  DagChange,
  DagSnapshot,
  DagSummary,
  EdgeSnapshot,
  FileChanges,
  FileSnapshot,
  GroupChange,
  GroupSnapshot,
  SemanticDiff,
  TaskChange,
  TaskSnapshot,
  TaskSummary,
  TreeSnapshot,
  ValueChange,
} from './types';

/**
 * What changed from `before` to `after`: DAGs are matched by dag_id (an unknown id by its expression within its
 * file), then removed and added DAGs by the rename rule (match.ts); tasks by task id, then a removed and an added
 * task with the same local id in different TaskGroups as one task that moved.
 */
export function diffSnapshots(before: TreeSnapshot, after: TreeSnapshot): SemanticDiff {
  const same = pairByKey(before.dags, after.dags, dagKey, (b, a) => b.file === a.file);
  const renamed = findRenames(same.removed, same.added);
  const filesBefore = new Map(before.files.map((f) => [f.path, f]));
  const filesAfter = new Map(after.files.map((f) => [f.path, f]));
  const changed: DagChange[] = [];
  let unchanged = 0;
  for (const [b, a] of [...same.pairs, ...renamed.pairs]) {
    const change = diffDag(b, a, otherCodeChanged(b, a, filesBefore.get(b.file), filesAfter.get(a.file)));
    if (change) changed.push(change);
    else unchanged++;
  }
  return {
    dags: {
      added: renamed.added.map(dagSummary).sort(byDag),
      removed: renamed.removed.map(dagSummary).sort(byDag),
      changed: changed.sort(byDag),
      unchanged,
    },
    files: fileChanges(before, after),
    warnings: warnings(before.files, after.files),
  };
}

/** True when the diff has nothing to report. */
export function isEmptyDiff(diff: SemanticDiff): boolean {
  const { dags, files } = diff;
  return dags.added.length + dags.removed.length + dags.changed.length + files.added.length + files.removed.length + files.changed.length + diff.warnings.length === 0;
}

/**
 * The DAG's file changed in code its snapshot does not describe: the residual, or a module-level name the DAG does
 * not use itself (a name it uses is compared as a constant or a definition).
 */
function otherCodeChanged(b: DagSnapshot, a: DagSnapshot, fileBefore: FileSnapshot | undefined, fileAfter: FileSnapshot | undefined): boolean {
  if (fileBefore?.residual !== fileAfter?.residual) return true;
  const used = new Set([b, a].flatMap((d) => [...Object.keys(d.constants), ...Object.keys(d.definitions)]));
  const namesBefore = fileBefore?.names ?? {};
  const namesAfter = fileAfter?.names ?? {};
  const names = new Set([...Object.keys(namesBefore), ...Object.keys(namesAfter)]);
  return [...names].some((name) => !used.has(name) && namesBefore[name] !== namesAfter[name]);
}

function diffDag(b: DagSnapshot, a: DagSnapshot, otherCode: boolean): DagChange | undefined {
  const entryByEntry = b.defaultArgs !== undefined && a.defaultArgs !== undefined;
  const settings = [
    ...(b.loop !== a.loop ? [{ name: 'loop', before: b.loop ?? null, after: a.loop ?? null }] : []),
    ...valueChanges(without(b.settings, entryByEntry), without(a.settings, entryByEntry)),
    ...(entryByEntry ? valueChanges(b.defaultArgs!, a.defaultArgs!, 'default_args.') : []),
  ];
  const tasks = diffTasks(b.tasks, a.tasks);
  const movedTo = new Map(tasks.changed.flatMap((t) => (t.previousId ? [[t.previousId, t.taskId] as const] : [])));
  const renamedEdge = (e: EdgeSnapshot): EdgeSnapshot => ({ upstream: movedTo.get(e.upstream) ?? e.upstream, downstream: movedTo.get(e.downstream) ?? e.downstream });
  const edges = diffEdges(b.edges.map(renamedEdge), a.edges);
  const groups = diffGroups(b.groups, a.groups);
  const change: DagChange = {
    ...identity(a),
    file: a.file,
    ...(a.dagId !== b.dagId ? { renamedFrom: b.dagId } : {}),
    ...(a.file !== b.file ? { movedFrom: b.file } : {}),
    settings,
    constants: valueChanges(b.constants, a.constants),
    definitions: valueChanges(b.definitions, a.definitions),
    tasks,
    edges,
    groups,
    otherCode,
  };
  const lists = [settings, change.constants, change.definitions, tasks.added, tasks.removed, tasks.changed, edges.added, edges.removed, groups.added, groups.removed, groups.changed];
  const nothing = lists.every((l) => l.length === 0) && !otherCode && !change.renamedFrom && !change.movedFrom;
  return nothing ? undefined : change;
}

function diffTasks(before: readonly TaskSnapshot[], after: readonly TaskSnapshot[]): DagChange['tasks'] {
  const byId = pairByKey(before, after, (t) => t.taskId);
  const moved = pairByKey(byId.removed, byId.added, (t) => `${t.known}\0${t.localId}`);
  // Only a unique local id is a move; two `load` tasks leaving two groups are not paired by guess.
  const unique = (list: readonly TaskSnapshot[], t: TaskSnapshot) => list.filter((x) => x.localId === t.localId).length === 1;
  const moves = moved.pairs.filter(([b, a]) => b.group !== a.group && unique(byId.removed, b) && unique(byId.added, a));
  const changed = [...byId.pairs, ...moves].flatMap(([b, a]) => {
    const changes = taskValueChanges(b, a);
    if (changes.length === 0) return [];
    const change: TaskChange = { ...taskIdentity(a), ...(a.taskId !== b.taskId ? { previousId: b.taskId } : {}), changes };
    return [change];
  });
  const movedBefore = new Set(moves.map(([b]) => b));
  const movedAfter = new Set(moves.map(([, a]) => a));
  return {
    added: byId.added.filter((t) => !movedAfter.has(t)).map(taskSummary).sort(byTask),
    removed: byId.removed.filter((t) => !movedBefore.has(t)).map(taskSummary).sort(byTask),
    changed: changed.sort(byTask),
  };
}

function taskValueChanges(b: TaskSnapshot, a: TaskSnapshot): ValueChange[] {
  const changes: ValueChange[] = [];
  const field = (name: string, x: string | undefined, y: string | undefined): void => {
    if (x !== y) changes.push({ name, before: x ?? null, after: y ?? null });
  };
  field('group', b.group, a.group);
  if (b.operator !== a.operator) field('operator', b.operator, a.operator);
  else field('operator', b.qualifiedOperator, a.qualifiedOperator);
  changes.push(...valueChanges(b.args, a.args));
  field('expand', b.expand, a.expand);
  field('inputs', b.inputs, a.inputs);
  if (a.args.python_callable === undefined) field('callable', b.callable, a.callable);
  field('loop ids', b.loopIds?.join(', '), a.loopIds?.join(', '));
  return changes;
}

function diffEdges(before: readonly EdgeSnapshot[], after: readonly EdgeSnapshot[]): DagChange['edges'] {
  const key = (e: EdgeSnapshot) => `${e.upstream}\0${e.downstream}`;
  const had = new Set(before.map(key));
  const has = new Set(after.map(key));
  const sorted = (edges: EdgeSnapshot[]) => edges.sort((x, y) => compare(key(x), key(y)));
  return { added: sorted(after.filter((e) => !had.has(key(e)))), removed: sorted(before.filter((e) => !has.has(key(e)))) };
}

function diffGroups(before: readonly GroupSnapshot[], after: readonly GroupSnapshot[]): DagChange['groups'] {
  const { pairs, removed, added } = pairByKey(before, after, (g) => g.groupId);
  const changed = pairs.flatMap(([b, a]): GroupChange[] => {
    const changes = [...(b.parent !== a.parent ? [{ name: 'parent', before: b.parent ?? null, after: a.parent ?? null }] : []), ...valueChanges(b.args, a.args)];
    return changes.length ? [{ groupId: a.groupId, changes }] : [];
  });
  const ids = (groups: readonly GroupSnapshot[]) => [...new Set(groups.map((g) => g.groupId))].sort(compare);
  return { added: ids(added), removed: ids(removed), changed: changed.sort((x, y) => compare(x.groupId, y.groupId)) };
}

/** Changes between two records of canonical texts, by name. */
function valueChanges(before: Readonly<Record<string, string>>, after: Readonly<Record<string, string>>, prefix = ''): ValueChange[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort(compare);
  return names.flatMap((name) => {
    const x = before[name] ?? null;
    const y = after[name] ?? null;
    return x === y ? [] : [{ name: prefix + name, before: x, after: y }];
  });
}

function without(settings: Readonly<Record<string, string>>, dropDefaultArgs: boolean): Readonly<Record<string, string>> {
  if (!dropDefaultArgs) return settings;
  const { default_args: _dropped, ...rest } = settings;
  return rest;
}

function fileChanges(before: TreeSnapshot, after: TreeSnapshot): FileChanges {
  const withDags = new Set([...before.dags, ...after.dags].map((d) => d.file));
  const old = new Map(before.files.map((f) => [f.path, f.digest]));
  const now = new Map(after.files.map((f) => [f.path, f.digest]));
  const paths = [...new Set([...old.keys(), ...now.keys()])].filter((p) => !withDags.has(p)).sort(compare);
  return {
    added: paths.filter((p) => !old.has(p) && now.has(p)),
    removed: paths.filter((p) => old.has(p) && !now.has(p)),
    changed: paths.filter((p) => old.has(p) && now.has(p) && old.get(p) !== now.get(p)),
  };
}

/** Files that changed and that one side could not fully analyse. */
function warnings(before: readonly FileSnapshot[], after: readonly FileSnapshot[]): string[] {
  const old = new Map(before.map((f) => [f.path, f]));
  const now = new Map(after.map((f) => [f.path, f]));
  const paths = [...new Set([...old.keys(), ...now.keys()])].sort(compare);
  return paths.flatMap((path) => {
    const [b, a] = [old.get(path), now.get(path)];
    if (b?.digest === a?.digest) return [];
    return [b?.problem ? `${path} (before): ${b.problem}` : '', a?.problem ? `${path} (after): ${a.problem}` : ''].filter(Boolean);
  });
}

function identity(item: { dagId: string; known: boolean; why?: string }): { dagId: string; known: boolean; why?: string } {
  return { dagId: item.dagId, known: item.known, ...(item.why ? { why: item.why } : {}) };
}

function taskIdentity(task: TaskSnapshot): { taskId: string; known: boolean; why?: string } {
  return { taskId: task.taskId, known: task.known, ...(task.why ? { why: task.why } : {}) };
}

function dagSummary(dag: DagSnapshot): DagSummary {
  return { ...identity(dag), file: dag.file, tasks: dag.tasks.length };
}

function taskSummary(task: TaskSnapshot): TaskSummary {
  return { ...taskIdentity(task), operator: task.operator, ...(task.group !== undefined ? { group: task.group } : {}) };
}

function byDag(x: { dagId: string; file: string }, y: { dagId: string; file: string }): number {
  return compare(x.dagId, y.dagId) || compare(x.file, y.file);
}

function byTask(x: { taskId: string }, y: { taskId: string }): number {
  return compare(x.taskId, y.taskId);
}
