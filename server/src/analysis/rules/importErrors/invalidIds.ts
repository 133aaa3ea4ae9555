import { keywordArguments, positionalArguments } from '../../model/syntax';
import { allTasks, dagErrorAt, py } from '../helpers';
import type { Rule } from '../rule';
import { idNode, keyProblem } from './ids';

const docTail = (what: string, bad: string, good: string): string => `Airflow validates ${what} with \`^[\\w.-]+$\` and at most 250 characters when it parses the file; an invalid one is an import error.

**Bad**
${py(bad)}

**Good**
${py(good)}`;

export const invalidDagId: Rule = {
  id: 'HGR002',
  name: 'invalid-dag-id',
  title: 'Invalid dag_id',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html (airflow.utils.helpers.validate_key)',
  doc: docTail('every dag_id', 'with DAG(dag_id="sales report", schedule="@daily"):\n    ...', 'with DAG(dag_id="sales_report", schedule="@daily"):\n    ...'),
  check(context) {
    for (const dag of context.model.dags) {
      if (!dag.dagId.known) continue;
      const problem = keyProblem(dag.dagId.value);
      if (!problem) continue;
      const at = dag.kind === 'decorator' ? dag.args.get('dag_id') ?? dag.node.childForFieldName('definition')?.childForFieldName('name') ?? dag.node : idNode(dag.args.get('dag_id') ?? dag.node.childForFieldName('arguments')?.namedChildren[0] ?? undefined, dag.node);
      context.report(dagErrorAt(dag, at), `Invalid dag_id ${JSON.stringify(dag.dagId.value.slice(0, 60))}: ${problem}.`);
    }
  },
};

export const invalidTaskId: Rule = {
  id: 'HGR003',
  name: 'invalid-task-id',
  title: 'Invalid task_id',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/tasks.html (BaseOperator validate_key)',
  doc: docTail('every task_id', 'BashOperator(task_id="load data!", bash_command="load")', 'BashOperator(task_id="load_data", bash_command="load")'),
  check(context) {
    for (const task of allTasks(context)) {
      for (const id of task.loopIds ?? []) {
        const problem = keyProblem(id);
        if (!problem) continue;
        context.report(idNode(task.args.get('task_id'), task.node), `Invalid task_id ${JSON.stringify(id.slice(0, 60))} (made by this loop): ${problem}.`);
        break;
      }
      if (!task.localId.known) continue;
      const problem = keyProblem(task.localId.value);
      // a TaskFlow id set in the decorator fails where the function is called
      if (!problem) continue;
      const written = task.args.get('task_id');
      const at = written && written.startIndex >= task.node.startIndex && written.endIndex <= task.node.endIndex ? written : task.node;
      context.report(at, `Invalid task_id ${JSON.stringify(task.localId.value.slice(0, 60))}: ${problem}.`);
    }
  },
};

export const invalidGroupId: Rule = {
  id: 'HGR004',
  name: 'invalid-group-id',
  title: 'Invalid TaskGroup id',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#taskgroups (validate_group_key)',
  doc: `Airflow validates TaskGroup ids with \`^[\\w-]+$\` (no dots) and at most 250 characters; an invalid one is an import error.

**Bad**
${py('with TaskGroup(group_id="clean.up"):\n    ...')}

**Good**
${py('with TaskGroup(group_id="clean_up"):\n    ...')}`,
  check(context) {
    for (const dag of context.model.dags) {
      for (const group of dag.groups) {
        if (!group.localId.known || group.localId.value === '') continue;
        const problem = keyProblem(group.localId.value, true);
        if (!problem) continue;
        const at = group.node.type === 'call' ? keywordArguments(group.node, context.source).get('group_id') ?? positionalArguments(group.node)[0] ?? group.node : group.node;
        context.report(group.callSite ?? at, `Invalid TaskGroup id ${JSON.stringify(group.localId.value.slice(0, 60))}: ${problem}.`);
      }
    }
  },
};
