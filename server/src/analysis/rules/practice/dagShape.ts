import { plainString, rangeOf } from '../../model/syntax';
import type { Node } from '../../parser';
import { allTasks, py } from '../helpers';
import type { Rule, RuleContext } from '../rule';
import { qualifiedCallee } from './calls';

export const dagNeverCalled: Rule = {
  id: 'HGR201',
  name: 'dag-never-called',
  title: '@dag function never called',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/tutorial/taskflow.html',
  doc: `A function decorated with \`@dag\` only defines a DAG when it is called at module level. Without the call Airflow
finds no DAG in the file and nothing shows up in the UI.

**Bad**
${py('@dag(schedule="@daily")\ndef orders():\n    ...')}

**Good**
${py('@dag(schedule="@daily")\ndef orders():\n    ...\n\norders()')}`,
  check(context) {
    for (const dag of context.model.dags) {
      if (dag.kind !== 'decorator' || dag.called !== false || !dag.variable) continue;
      const definition = dag.node.childForFieldName('definition');
      const name = definition?.childForFieldName('name') ?? dag.node;
      const atModule = dag.node.parent?.type === 'module';
      const end = rangeOf(dag.node).end;
      context.report(name, `@dag function ${dag.variable}() is never called, so Airflow does not see this DAG; add "${dag.variable}()" after it.`,
        atModule ? { title: `Call ${dag.variable}()`, edits: [{ range: { start: end, end }, newText: `\n\n\n${dag.variable}()` }] } : undefined);
    }
  },
};

export const taskOutsideDag: Rule = {
  id: 'HGR202',
  name: 'task-outside-dag',
  title: 'Task outside any DAG',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#declaring-a-dag',
  doc: `A task created at module level outside \`with DAG(...)\` and without \`dag=\` belongs to no DAG: Airflow never runs it.

**Bad**
${py('with DAG("etl", schedule="@daily"):\n    extract = BashOperator(task_id="extract", bash_command="e")\nload = BashOperator(task_id="load", bash_command="l")')}

**Good**
${py('with DAG("etl", schedule="@daily"):\n    extract = BashOperator(task_id="extract", bash_command="e")\n    load = BashOperator(task_id="load", bash_command="l")')}`,
  check(context) {
    if (context.model.dags.length === 0 && !/\bDAG\b|@dag/.test(context.source)) return;
    for (const task of context.model.orphanTasks) {
      if (task.variable && borrowsMethod(context.source, task.variable)) continue;
      context.report(task.node.childForFieldName('function') ?? task.node, `${task.operator} task ${task.taskId.known ? `"${task.taskId.value}" ` : ''}is not in any DAG; create it inside "with DAG(...)" or pass dag=.`);
    }
  },
};

/** `alert.execute` passed as a callback: the operator is made to borrow a method, not to run as a task. */
function borrowsMethod(source: string, variable: string): boolean {
  const uses = new RegExp(`\\b${variable}\\s*\\.\\s*(\\w+)`, 'g');
  for (const match of source.matchAll(uses)) if (!DEPENDENCY_METHODS.has(match[1]!)) return true;
  return false;
}

const DEPENDENCY_METHODS = new Set(['set_upstream', 'set_downstream', 'update_relative', 'as_setup', 'as_teardown', 'output', 'expand', 'partial', 'override']);

const RUNTIME_VALUE = /^(?:datetime\.(?:datetime\.)?(?:now|utcnow|today)|date\.today|datetime\.date\.today|pendulum\.(?:now|today|yesterday|tomorrow)|airflow\.utils\.dates\.days_ago|airflow\.utils\.timezone\.(?:utcnow)|time\.time)$/;
const DATE_ARGUMENTS = ['start_date', 'end_date'];

const RUNTIME_WORDS = /now|today|days_ago|yesterday|tomorrow|time\(/;

function runtimeCall(context: RuleContext, value: Node): Node | undefined {
  if (!RUNTIME_WORDS.test(context.source.slice(value.startIndex, value.endIndex))) return undefined;
  if (value.type === 'call') {
    const name = qualifiedCallee(context, value);
    if (name && RUNTIME_VALUE.test(name.replace(/^datetime\.datetime\.datetime\./, 'datetime.datetime.'))) return value;
    const callee = value.childForFieldName('function');
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
    if (object?.type === 'call') return runtimeCall(context, object); // datetime.now().replace(...)
  }
  if (value.type === 'binary_operator') {
    const left = value.childForFieldName('left');
    return left ? runtimeCall(context, left) : undefined;
  }
  return undefined;
}

export const runtimeDagArgument: Rule = {
  id: 'HGR203',
  name: 'runtime-dag-argument',
  title: 'Moving date in DAG arguments',
  family: 'practice',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/faq.html#what-s-the-deal-with-start-date',
  doc: `\`start_date=datetime.now()\` (or \`pendulum.now()\`, \`days_ago(1)\`) changes on every parse, so the schedule never
settles: runs are skipped or never created. Use a fixed date.

**Bad**
${py('with DAG("etl", schedule="@daily", start_date=datetime.now() - timedelta(days=1)): ...')}

**Good**
${py('with DAG("etl", schedule="@daily", start_date=pendulum.datetime(2025, 1, 1, tz="UTC")): ...')}`,
  check(context) {
    const seen = new Set<number>();
    const inspect = (value: Node | undefined, name: string): void => {
      const call = value ? runtimeCall(context, value) : undefined;
      if (!call || seen.has(call.id)) return;
      seen.add(call.id);
      context.report(call, `${name}=${call.text.slice(0, 40)} changes every time Airflow parses the file; use a fixed date such as pendulum.datetime(2025, 1, 1, tz="UTC").`);
    };
    for (const dag of context.model.dags) {
      for (const name of DATE_ARGUMENTS) inspect(dag.args.get(name), name);
      const defaults = dag.args.get('default_args');
      if (defaults?.type === 'dictionary') {
        for (const pair of defaults.namedChildren) {
          if (pair?.type !== 'pair') continue;
          const key = plainString(pair.childForFieldName('key')!);
          if (key && DATE_ARGUMENTS.includes(key)) inspect(pair.childForFieldName('value') ?? undefined, key);
        }
      }
    }
    for (const task of allTasks(context)) for (const name of DATE_ARGUMENTS) inspect(task.args.get(name), name);
  },
};

export const bashScriptTrailingSpace: Rule = {
  id: 'HGR208',
  name: 'bash-script-trailing-space',
  title: 'bash_command ending in .sh is read as a template file',
  family: 'practice',
  severity: 'warning',
  safeFix: true,
  reference: 'https://airflow.apache.org/docs/apache-airflow-providers-standard/stable/operators/bash.html#jinja-template-not-found',
  doc: `Airflow treats a \`bash_command\` ending in \`.sh\` or \`.bash\` as the path of a Jinja template file and fails with
\`TemplateNotFound\` unless the script sits in the template search path. To run the script, add a space at the end.

**Bad**
${py('BashOperator(task_id="load", bash_command="/opt/scripts/load.sh")')}

**Good**
${py('BashOperator(task_id="load", bash_command="/opt/scripts/load.sh ")')}`,
  check(context) {
    for (const task of allTasks(context)) {
      if (task.operator !== 'BashOperator') continue;
      const command = task.args.get('bash_command');
      const text = command ? plainString(command) : undefined;
      if (!command || text === undefined || !/\.(?:sh|bash)$/.test(text)) continue;
      const end = command.type === 'string' ? command.lastChild : command.lastChild?.lastChild;
      if (!end) continue;
      const at = rangeOf(end).start;
      context.report(command, `bash_command ${JSON.stringify(text.slice(-40))} ends in "${text.slice(text.lastIndexOf('.'))}", so Airflow loads it as a Jinja template file; add a trailing space to run the script.`,
        { title: 'Add a trailing space', edits: [{ range: { start: at, end: at }, newText: ' ' }] });
    }
  },
};

export const missingSchedule: Rule = {
  id: 'HGR209',
  name: 'missing-schedule',
  title: 'DAG without an explicit schedule',
  family: 'practice',
  severity: 'warning',
  reference: 'ruff AIR002; https://airflow.apache.org/docs/apache-airflow/stable/installation/upgrading_to_airflow3.html',
  doc: `On Airflow 2 a DAG without \`schedule\` runs every day (the default was \`timedelta(days=1)\`), which is rarely what
its author meant, and the default changes when the project moves to Airflow 3 (where it is \`None\`). Say what you mean:
\`schedule="@daily"\`, a cron expression, assets, or \`schedule=None\`. Checked only when the project targets Airflow 2
(\`target-airflow = "2"\`): on Airflow 3 leaving \`schedule\` out is how you ask for no schedule.

**Bad**
${py('with DAG("reports", start_date=datetime(2025, 1, 1)): ...')}

**Good**
${py('with DAG("reports", schedule=None, start_date=datetime(2025, 1, 1)): ...')}`,
  appliesTo: (target) => target.airflow.major < 3,
  check(context) {
    for (const dag of context.model.dags) {
      if (dag.args.has('schedule') || dag.args.has('schedule_interval') || dag.args.has('timetable') || dag.args.has('**')) continue;
      const at = dag.kind === 'decorator' ? dag.node.childForFieldName('definition')?.childForFieldName('name') ?? dag.node : dag.node.childForFieldName('function') ?? dag.node;
      context.report(at, `DAG ${dag.dagId.known ? `"${dag.dagId.value}" ` : ''}has no explicit schedule, so Airflow 2 runs it daily (and Airflow 3 never). Add schedule=... or schedule=None.`);
    }
  },
};
