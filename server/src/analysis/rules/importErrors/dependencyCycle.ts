import type { TaskModel } from '../../model/types';
import { py } from '../helpers';
import type { Rule } from '../rule';

const label = (task: TaskModel): string => (task.taskId.known ? task.taskId.value : task.variable ?? task.operator);

/** `a >> b >> c >> a`; a long cycle keeps its ends: `a >> b >> c >> ... (4,998 more) >> y >> z >> a`. */
function describeCycle(labels: string[]): string {
  if (labels.length <= 12) return labels.join(' >> ');
  return [...labels.slice(0, 6), `... (${(labels.length - 10).toLocaleString('en-US')} more)`, ...labels.slice(-4)].join(' >> ');
}

export const dependencyCycle: Rule = {
  id: 'HGR007',
  name: 'dependency-cycle',
  title: 'Dependency cycle',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#task-dependencies (AirflowDagCycleException)',
  doc: `The task dependencies form a cycle (a task downstream of itself, directly or through others). Airflow's cycle check
rejects the DAG at import. Tasks created in loops are left out: one static edge may stand for many runtime ones.

**Bad**
${py('extract >> transform >> load\nload >> extract')}

**Good**
${py('extract >> transform >> load')}`,
  check(context) {
    for (const dag of context.model.dags) {
      const next = new Map<TaskModel, { task: TaskModel; edge: (typeof dag.edges)[number] }[]>();
      for (const edge of dag.edges) {
        const self = edge.upstream === edge.downstream;
        if (!self && (edge.upstream.inLoop || edge.downstream.inLoop)) continue;
        next.set(edge.upstream, [...(next.get(edge.upstream) ?? []), { task: edge.downstream, edge }]);
      }
      const state = new Map<TaskModel, 'open' | 'done'>();
      const reported = new Set<number>();
      const path: TaskModel[] = [];
      // iterative depth-first search: a chain of thousands of tasks must not exhaust the call stack
      const visit = (start: TaskModel): void => {
        const stack: { task: TaskModel; next: number }[] = [{ task: start, next: 0 }];
        state.set(start, 'open');
        path.push(start);
        while (stack.length > 0) {
          const frame = stack[stack.length - 1]!;
          const children = next.get(frame.task) ?? [];
          if (frame.next >= children.length) {
            stack.pop();
            path.pop();
            state.set(frame.task, 'done');
            continue;
          }
          const { task: child, edge } = children[frame.next++]!;
          const childState = state.get(child);
          if (childState === 'open') {
            if (!reported.has(edge.node.id)) {
              reported.add(edge.node.id);
              const cycle = describeCycle([...path.slice(path.indexOf(child)), child].map(label));
              context.report(edge.node, `Dependency cycle: ${cycle}.`);
            }
          } else if (childState === undefined) {
            state.set(child, 'open');
            path.push(child);
            stack.push({ task: child, next: 0 });
          }
        }
      };
      for (const task of next.keys()) if (!state.has(task)) visit(task);
    }
  },
};
