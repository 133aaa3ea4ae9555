import type { DagGraph } from '../protocol';
import { describeDiff } from './format';
import type { EdgeSnapshot, SemanticDiff, TaskSummary } from './types';

/** What the graph view marks for one DAG compared with another version of it (see client/src/graph). */
export interface GraphMarks {
  readonly dagId: string;
  /** Tasks of the compared-to side that are new or changed, by task id. */
  readonly tasks: Readonly<Record<string, 'added' | 'changed'>>;
  /** Tasks only the other side has: drawn as ghosts. */
  readonly removedTasks: readonly TaskSummary[];
  readonly addedEdges: readonly EdgeSnapshot[];
  readonly removedEdges: readonly EdgeSnapshot[];
  /** The DAG as a whole: new, gone, changed or unchanged. */
  readonly dag: 'added' | 'removed' | 'changed' | 'unchanged';
  /** The `hangar diff` lines of this DAG, for the summary beside the graph. */
  readonly lines: readonly string[];
}

/** The marks of `dagId` in a diff from the other version (before) to the shown one (after). */
export function graphMarks(diff: SemanticDiff, dagId: string): GraphMarks {
  const only = (pick: Partial<SemanticDiff['dags']>): SemanticDiff => ({ dags: { added: [], removed: [], changed: [], unchanged: 0, ...pick }, files: { added: [], removed: [], changed: [] }, warnings: [] });
  const changed = diff.dags.changed.find((d) => d.dagId === dagId || d.renamedFrom === dagId);
  if (changed) {
    const tasks: Record<string, 'added' | 'changed'> = {};
    for (const t of changed.tasks.added) tasks[t.taskId] = 'added';
    for (const t of changed.tasks.changed) tasks[t.taskId] = 'changed';
    return {
      dagId,
      tasks,
      removedTasks: changed.tasks.removed,
      addedEdges: changed.edges.added,
      removedEdges: changed.edges.removed,
      dag: 'changed',
      lines: describeDiff(only({ changed: [changed] })),
    };
  }
  const added = diff.dags.added.find((d) => d.dagId === dagId);
  const removed = diff.dags.removed.find((d) => d.dagId === dagId);
  const dag = added ? 'added' : removed ? 'removed' : 'unchanged';
  const lines = added ? describeDiff(only({ added: [added] })) : removed ? describeDiff(only({ removed: [removed] })) : ['no changes in this DAG'];
  return { dagId, tasks: {}, removedTasks: [], addedEdges: [], removedEdges: [], dag, lines };
}

const NO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The graph with the marks on: changed and added tasks and edges marked, removed ones added as ghosts. */
export function markGraph(graph: DagGraph, marks: GraphMarks): DagGraph {
  const everything = marks.dag === 'added' ? 'added' : undefined;
  const edgeKey = (e: EdgeSnapshot) => `${e.upstream}\u0000${e.downstream}`;
  const added = new Set(marks.addedEdges.map(edgeKey));
  const ids = new Set(graph.nodes.map((n) => n.id));
  return {
    ...graph,
    nodes: [
      ...graph.nodes.map((n) => {
        const mark = everything ?? marks.tasks[n.id];
        return mark ? { ...n, mark } : n;
      }),
      ...marks.removedTasks.filter((t) => !ids.has(t.taskId)).map((t) => ({ id: t.taskId, operator: t.operator, ...(t.group ? { group: t.group } : {}), range: NO_RANGE, mark: 'removed' as const })),
    ],
    edges: [
      ...graph.edges.map((e) => (everything || added.has(edgeKey(e)) ? { ...e, mark: 'added' as const } : e)),
      ...marks.removedEdges.map((e) => ({ ...e, mark: 'removed' as const })),
    ],
  };
}
