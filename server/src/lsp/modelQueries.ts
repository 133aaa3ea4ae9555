import type { Range } from '../analysis/findings';
import type { DagFileModel, DagModel, TaskGroupModel, TaskModel } from '../analysis/model/types';
import type { Node, Tree } from '../analysis/parser';

export interface Position {
  line: number;
  character: number;
}

export function rangeOfNode(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function contains(range: Range, position: Position): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  if (position.line === end.line && position.character > end.character) return false;
  return true;
}

/** The smallest range covering all of them. */
export function union(ranges: readonly Range[]): Range {
  const before = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.character < b.character);
  let { start, end } = ranges[0]!;
  for (const range of ranges.slice(1)) {
    if (before(range.start, start)) start = range.start;
    if (before(end, range.end)) end = range.end;
  }
  return { start, end };
}

/** The named node at a position (an identifier, a string, ...). */
export function nodeAt(tree: Tree, position: Position): Node | undefined {
  const point = { row: position.line, column: position.character };
  return tree.rootNode.namedDescendantForPosition(point) ?? undefined;
}

/** What a user calls a task: its id, else its variable. */
export function taskLabel(task: TaskModel): string {
  return task.taskId.known ? task.taskId.value : (task.variable ?? task.operator);
}

export function dagLabel(dag: DagModel): string {
  return dag.dagId.known ? dag.dagId.value : (dag.variable ?? '(dag id not known statically)');
}

export function groupLabel(group: TaskGroupModel): string {
  return group.groupId.known ? group.groupId.value : (group.variable ?? 'task group');
}

/** The whole extent of a DAG: its definition and everything created in it (a `with` block's tasks follow the call). */
export function dagExtent(dag: DagModel): Range {
  return union([dag.node, ...dag.tasks.map((t) => t.node), ...dag.groups.map((g) => g.node)].map(rangeOfNode));
}

export function groupExtent(dag: DagModel, group: TaskGroupModel): Range {
  const id = group.groupId.known ? group.groupId.value : undefined;
  const inside = id ? dag.tasks.filter((t) => t.groupId === id || t.groupId?.startsWith(`${id}.`)) : [];
  return union([group.node, ...inside.map((t) => t.node)].map(rangeOfNode));
}

const sameNode = (a: Node, b: Node): boolean => a.startIndex === b.startIndex && a.endIndex === b.endIndex;

export interface TaskHit {
  dag: DagModel;
  task: TaskModel;
}

/** The task a node names: its variable, its `task_id="..."` string, or the call creating it. */
export function taskAt(model: DagFileModel, node: Node): TaskHit | undefined {
  const dags = model.dags;
  const keyword = node.parent?.type === 'keyword_argument' && node.parent.childForFieldName('name')?.text === 'task_id' ? node.parent.childForFieldName('value') : null;
  if (keyword && keyword.startIndex !== node.startIndex) return taskAt(model, keyword);
  if (node.type === 'identifier') {
    // Prefer the DAG the identifier is written in; a variable may be reused by several DAGs of one file.
    const candidates = dags.flatMap((dag) => dag.tasks.filter((t) => t.variable === node.text).map((task) => ({ dag, task })));
    const position = { line: node.startPosition.row, character: node.startPosition.column };
    return candidates.find((c) => contains(dagExtent(c.dag), position)) ?? candidates[0];
  }
  const string = node.type === 'string' ? node : node.parent?.type === 'string' ? node.parent : undefined;
  if (string) {
    for (const dag of dags) {
      const task = dag.tasks.find((t) => {
        const id = t.args.get('task_id');
        return id !== undefined && sameNode(id, string);
      });
      if (task) return { dag, task };
    }
  }
  return undefined;
}

/** The DAG whose `dag_id` string (or `@dag` function name) is at this node. */
export function dagIdAt(model: DagFileModel, node: Node): DagModel | undefined {
  const string = node.type === 'string' ? node : node.parent?.type === 'string' ? node.parent : undefined;
  return model.dags.find((dag) => {
    const id = dag.args.get('dag_id');
    if (string && id && sameNode(id, string)) return true;
    return dag.kind === 'decorator' && node.type === 'identifier' && node.parent?.type === 'function_definition' && node.text === dag.variable;
  });
}

export function upstreamOf(dag: DagModel, task: TaskModel): TaskModel[] {
  return dag.edges.filter((e) => e.downstream === task).map((e) => e.upstream);
}

export function downstreamOf(dag: DagModel, task: TaskModel): TaskModel[] {
  return dag.edges.filter((e) => e.upstream === task).map((e) => e.downstream);
}
