import type { Fix } from '../../findings';
import type { Node } from '../../parser';
import { removeArgument, renameArgument } from '../edits';
import { allTasks, py } from '../helpers';
import type { Rule, RuleContext } from '../rule';

/** DAG(...) arguments Airflow 3 rejects with TypeError, and their replacement (undefined: just drop it). */
const REMOVED_DAG_ARGUMENTS: Record<string, string | undefined> = {
  schedule_interval: 'schedule',
  timetable: 'schedule',
  concurrency: 'max_active_tasks',
  full_filepath: undefined,
  default_view: undefined,
  orientation: undefined,
  fail_stop: 'fail_fast',
};

/** Operator arguments Airflow 3 rejects ("Invalid arguments were passed"). */
const REMOVED_OPERATOR_ARGUMENTS: Record<string, string | undefined> = {
  task_concurrency: 'max_active_tis_per_dag',
  provide_context: undefined,
  use_airflow_context: undefined,
};

function replacementFix(keyword: Node, name: string, replacement: string | undefined, present: ReadonlyMap<string, Node>): Fix | undefined {
  if (replacement === undefined) return { title: `Remove ${name}`, edits: [removeArgument(keyword)] };
  if (present.has(replacement)) return undefined;
  return { title: `Rename ${name} to ${replacement}`, edits: [renameArgument(keyword, replacement)] };
}

function reportRemoved(context: RuleContext, args: ReadonlyMap<string, Node>, table: Record<string, string | undefined>, what: string, at?: Node): void {
  for (const [name, value] of args) {
    if (!Object.hasOwn(table, name)) continue;
    const keyword = value.parent;
    if (keyword?.type !== 'keyword_argument') continue;
    const replacement = table[name];
    const advice = replacement ? `use ${replacement}=` : 'remove it';
    context.report(at ?? keyword.childForFieldName('name')!, `${what} argument "${name}" was removed in Airflow 3; ${advice}.`, replacementFix(keyword, name, replacement, args));
  }
}

export const removedDagArgument: Rule = {
  id: 'HGR101',
  name: 'removed-dag-argument',
  title: 'DAG argument removed in Airflow 3',
  family: 'airflow3',
  severity: 'error',
  safeFix: true,
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow/stable/installation/upgrading_to_airflow3.html',
  doc: `Airflow 3 removed \`schedule_interval\` and \`timetable\` (use \`schedule\`), \`concurrency\` (use \`max_active_tasks\`),
\`fail_stop\` (use \`fail_fast\`), \`full_filepath\`, \`default_view\` and \`orientation\`. Passing one raises \`TypeError\` at
import. The fix renames or removes the argument.

**Bad**
${py('with DAG("etl", schedule_interval="@daily", concurrency=4): ...')}

**Good**
${py('with DAG("etl", schedule="@daily", max_active_tasks=4): ...')}`,
  check(context) {
    for (const dag of context.model.dags) reportRemoved(context, dag.args, REMOVED_DAG_ARGUMENTS, 'DAG', dag.kind === 'decorator' ? dag.callSite : undefined);
  },
};

export const removedOperatorArgument: Rule = {
  id: 'HGR102',
  name: 'removed-operator-argument',
  title: 'Operator argument removed in Airflow 3',
  family: 'airflow3',
  severity: 'error',
  safeFix: true,
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow/stable/installation/upgrading_to_airflow3.html',
  doc: `Airflow 3 operators reject \`provide_context\` (the context is always passed), \`task_concurrency\` (use
\`max_active_tis_per_dag\`) and \`use_airflow_context\` with "Invalid arguments were passed". Only Airflow's own operators
are checked; a class of yours may accept these names.

**Bad**
${py('PythonOperator(task_id="report", python_callable=report, provide_context=True)')}

**Good**
${py('PythonOperator(task_id="report", python_callable=report)')}`,
  check(context) {
    for (const task of allTasks(context)) {
      if (task.kind === 'taskflow' || !task.qualifiedOperator?.startsWith('airflow.')) continue;
      reportRemoved(context, task.args, REMOVED_OPERATOR_ARGUMENTS, task.operator);
    }
  },
};

export const slaRemoved: Rule = {
  id: 'HGR103',
  name: 'sla-removed',
  title: 'SLA arguments do nothing in Airflow 3',
  family: 'airflow3',
  severity: 'warning',
  safeFix: false,
  reference: 'ruff AIR311; https://airflow.apache.org/docs/apache-airflow/stable/howto/deadline-alerts.html',
  doc: `The SLA feature was removed in Airflow 3: \`sla=\` on a task and \`sla_miss_callback=\` on a DAG are accepted but ignored,
so nobody is alerted. Use Deadline Alerts (\`deadline=\` on the DAG).

**Bad**
${py('BashOperator(task_id="load", bash_command="load", sla=timedelta(hours=1))')}

**Good**
${py('with DAG("etl", deadline=DeadlineAlert(reference=DeadlineReference.DAGRUN_QUEUED_AT, interval=timedelta(hours=1), callback=notify)): ...')}`,
  check(context) {
    for (const task of allTasks(context)) {
      const sla = task.args.get('sla');
      if (sla?.parent?.type === 'keyword_argument') context.report(sla.parent.childForFieldName('name')!, 'sla= is ignored in Airflow 3 (SLAs were removed); use a DAG deadline alert instead.', { title: 'Remove sla', edits: [removeArgument(sla.parent)] });
    }
    for (const dag of context.model.dags) {
      const callback = dag.args.get('sla_miss_callback');
      if (callback?.parent?.type === 'keyword_argument') context.report(callback.parent.childForFieldName('name')!, 'sla_miss_callback= is never called in Airflow 3 (SLAs were removed); use a deadline alert instead.');
    }
  },
};
