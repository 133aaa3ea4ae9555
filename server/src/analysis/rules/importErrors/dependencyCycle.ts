import type { TaskModel } from '../../model/types';
import { py } from '../helpers';
import type { Rule } from '../rule';

const label = (task: TaskModel): string => (task.taskId.known ? task.taskId.value : task.variable ?? task.operator);

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
      const visit = (task: TaskModel): void => {
        state.set(task, 'open');
        path.push(task);
        for (const { task: child, edge } of next.get(task) ?? []) {
          const childState = state.get(child);
          if (childState === 'open') {
            if (!reported.has(edge.node.id)) {
              reported.add(edge.node.id);
              const cycle = [...path.slice(path.indexOf(child)), child].map(label).join(' >> ');
              context.report(edge.node, `Dependency cycle: ${cycle}.`);
            }
          } else if (childState === undefined) visit(child);
        }
        path.pop();
        state.set(task, 'done');
      };
      for (const task of next.keys()) if (!state.has(task)) visit(task);
    }
  },
};
