import type { DagModel } from '../../model/types';
import { dagErrorAt, py } from '../helpers';
import type { Rule } from '../rule';

/** start_date in the DAG call or its static default_args; undefined when default_args is not static. */
function hasStartDate(dag: DagModel): boolean | undefined {
  if (dag.args.has('start_date') || dag.args.has('**')) return true;
  if (!dag.args.has('default_args')) return false;
  return dag.defaultArgs ? dag.defaultArgs.has('start_date') : undefined;
}

export const catchupWithoutStartDate: Rule = {
  id: 'HGR011',
  name: 'catchup-without-start-date',
  title: 'catchup=True without start_date',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dag-run.html#catchup',
  doc: `With \`catchup=True\` Airflow needs a \`start_date\` to know where to start; without one the DAG is rejected.

**Bad**
${py('with DAG("backfill", schedule="@daily", catchup=True): ...')}

**Good**
${py('with DAG("backfill", schedule="@daily", start_date=datetime(2025, 1, 1), catchup=True): ...')}`,
  check(context) {
    for (const dag of context.model.dags) {
      const catchup = dag.args.get('catchup');
      if (catchup?.type !== 'true') continue;
      if (hasStartDate(dag) === false) context.report(dagErrorAt(dag, catchup), 'catchup=True needs a start_date: add start_date=... to the DAG or its default_args.');
    }
  },
};
