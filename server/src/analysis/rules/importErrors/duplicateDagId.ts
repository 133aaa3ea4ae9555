import { rangeOf } from '../../model/syntax';
import { canCoexist } from '../../model/branches';
import { py } from '../helpers';
import type { Rule } from '../rule';

export function duplicateMessage(dagId: string, otherFiles: readonly string[]): string {
  return `dag_id ${JSON.stringify(dagId)} is also defined in ${otherFiles.join(', ')}; Airflow loads only one of them.`;
}

export const duplicateDagId: Rule = {
  id: 'HGR006',
  name: 'duplicate-dag-id',
  title: 'Duplicate dag_id',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html (AirflowDagDuplicatedIdException)',
  doc: `Two DAGs share a dag_id, in one file or across the DAG folder. Airflow keeps one and reports the other file as an
import error, so which DAG runs depends on parse order.

**Bad**
${py('# dags/sales.py\nwith DAG(dag_id="sales", schedule="@daily"): ...\n# dags/sales_v2.py\nwith DAG(dag_id="sales", schedule="@daily"): ...')}

**Good**
${py('# dags/sales_v2.py\nwith DAG(dag_id="sales_v2", schedule="@daily"): ...')}`,
  check(context) {
    const seen = new Map<string, { line: number; dag: (typeof context.model.dags)[number] }>();
    for (const dag of context.model.dags) {
      if (!dag.dagId.known || dag.inLoop) continue;
      const at = dag.args.get('dag_id') ?? dag.node;
      const previous = seen.get(dag.dagId.value);
      if (previous && canCoexist(previous.dag, dag) && previous.dag.kind !== 'decorator' && dag.kind !== 'decorator') {
        context.report(at, `dag_id ${JSON.stringify(dag.dagId.value)} is already used by the DAG on line ${previous.line}.`);
      }
      seen.set(dag.dagId.value, { line: rangeOf(at).start.line + 1, dag });
    }
    for (const duplicate of context.dagIndex?.duplicatesIn(context.path) ?? []) {
      context.report(duplicate.range, duplicateMessage(duplicate.dagId, duplicate.otherFiles));
    }
  },
};
