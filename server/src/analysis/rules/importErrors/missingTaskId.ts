import { allTasks, py } from '../helpers';
import type { Rule } from '../rule';

export const missingTaskId: Rule = {
  id: 'HGR010',
  name: 'missing-task-id',
  title: 'Operator without task_id',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/operators.html',
  doc: `Every operator needs a \`task_id\`; without one Airflow raises \`TypeError\` at import. Operators whose arguments
come from \`**kwargs\` and operator classes defined in the same file (which may set their own id) are not reported.

**Bad**
${py('BashOperator(bash_command="make report")')}

**Good**
${py('BashOperator(task_id="make_report", bash_command="make report")')}`,
  check(context) {
    for (const task of allTasks(context)) {
      if (task.kind === 'taskflow' || task.args.has('task_id') || task.args.has('**')) continue;
      if (!task.qualifiedOperator?.includes('.')) continue; // a class of this file or an unresolved name
      if (task.node.childForFieldName('arguments')?.namedChildren.some((a) => a?.type === 'list_splat')) continue;
      context.report(task.node.childForFieldName('function') ?? task.node, `${task.operator} has no task_id; add task_id="..." (required).`);
    }
  },
};
