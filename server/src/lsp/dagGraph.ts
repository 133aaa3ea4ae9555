import type { DagGraph } from '../protocol';
import type { CurrentAnalysis } from './analyzer';
import { dagLabel, rangeOfNode, taskLabel } from './modelQueries';

/** The tasks and dependencies of one DAG of the document, for the graph view. */
export function dagGraph(analysis: CurrentAnalysis, dagId: string | undefined): DagGraph | null {
  const dags = analysis.model?.dags ?? [];
  const dag = dags.find((d) => dagLabel(d) === dagId) ?? dags[0];
  if (!dag) return null;
  const edges = new Map<string, { upstream: string; downstream: string }>();
  for (const edge of dag.edges) {
    const upstream = taskLabel(edge.upstream);
    const downstream = taskLabel(edge.downstream);
    edges.set(`${upstream}\u0000${downstream}`, { upstream, downstream });
  }
  const nodes = new Map<string, DagGraph['nodes'][number]>();
  for (const task of dag.tasks) {
    const id = taskLabel(task);
    if (!nodes.has(id)) nodes.set(id, { id, operator: task.operator, ...(task.groupId ? { group: task.groupId } : {}), range: rangeOfNode(task.node) });
  }
  return {
    uri: analysis.uri,
    version: analysis.version,
    dagId: dagLabel(dag),
    dagIds: dags.map(dagLabel),
    nodes: [...nodes.values()],
    edges: [...edges.values()],
  };
}
