import type { Fix } from '../../findings';
import { plainString, positionalArguments } from '../../model/syntax';
import type { Node } from '../../parser';
import { renameArgument } from '../edits';
import { allTasks, py } from '../helpers';
import type { Rule, RuleContext } from '../rule';
import { BASE_OPERATOR_PARAMETERS, DAG_PARAMETERS, type OperatorSignature } from './airflowSignatures';
import { closest, signatureOf } from './signatures';
import type { AnalysisTarget } from '../../target';

/** Removed in Airflow 3: reported by HGR101/HGR102 with their own fix, not again here. */
const REPORTED_ELSEWHERE = new Set(['schedule_interval', 'timetable', 'concurrency', 'full_filepath', 'default_view', 'orientation', 'fail_stop', 'task_concurrency', 'provide_context', 'use_airflow_context', '**']);

const acceptedCache = new WeakMap<OperatorSignature, readonly string[]>();

/** The arguments an operator accepts, built once per signature (the rule runs for every task on every edit). */
function acceptedArguments(signature: OperatorSignature): readonly string[] {
  let accepted = acceptedCache.get(signature);
  if (!accepted) acceptedCache.set(signature, (accepted = [...signature.params, ...BASE_OPERATOR_PARAMETERS, 'task_id']));
  return accepted;
}

function reportUnknown(context: RuleContext, args: ReadonlyMap<string, Node>, accepted: readonly string[], owner: string, at?: Node): void {
  for (const [name, value] of args) {
    if (accepted.includes(name) || REPORTED_ELSEWHERE.has(name)) continue;
    const keyword = value.parent;
    if (keyword?.type !== 'keyword_argument') continue;
    const suggestion = closest(name, accepted);
    const fix: Fix | undefined = suggestion && !args.has(suggestion) ? { title: `Rename to ${suggestion}`, edits: [renameArgument(keyword, suggestion)] } : undefined;
    context.report(at ?? keyword.childForFieldName('name')!, `${owner} has no argument "${name}"${suggestion ? `; did you mean "${suggestion}"?` : ''} Airflow raises TypeError when it parses the file.`, fix);
  }
}

/** The signatures were generated from Airflow 3: an Airflow 2 target takes other arguments. */
const airflow3Signatures = (target: AnalysisTarget): boolean => target.airflow.major >= 3;

export const unknownArgument: Rule = {
  id: 'HGR015',
  name: 'unknown-argument',
  title: 'Unknown argument to DAG or an Airflow operator',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/operators.html ("Invalid arguments were passed")',
  doc: `\`DAG(...)\`, \`@dag(...)\` and Airflow's own operators reject keyword arguments they do not define (usually a typo),
with \`TypeError\` at import. Signatures come from Airflow 3.3 (\`scripts/gen-airflow-signatures.py\`); operators from other
packages and your own classes are not checked. The fix renames to the closest valid name.

**Bad**
${py('with DAG("etl", schedul="@daily"): ...\nBashOperator(task_id="run", bash_cmd="run")')}

**Good**
${py('with DAG("etl", schedule="@daily"): ...\nBashOperator(task_id="run", bash_command="run")')}`,
  appliesTo: airflow3Signatures,
  check(context) {
    for (const dag of context.model.dags) {
      if (dag.kind !== 'decorator' && !dag.node.childForFieldName('function')?.text.endsWith('DAG')) continue;
      reportUnknown(context, dag.args, DAG_PARAMETERS, dag.kind === 'decorator' ? '@dag' : 'DAG', dag.kind === 'decorator' ? dag.callSite : undefined);
    }
    for (const task of allTasks(context)) {
      const signature = signatureOf(task);
      if (!signature?.closed) continue;
      const accepted = acceptedArguments(signature);
      reportUnknown(context, task.args, accepted, task.operator);
      reportUnknown(context, task.expandArgs, accepted, task.operator);
    }
  },
};

export const missingRequiredArgument: Rule = {
  id: 'HGR016',
  name: 'missing-required-argument',
  title: 'Operator without a required argument',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow-providers-standard/stable/operators/index.html',
  doc: `An Airflow operator is created without an argument it requires (\`bash_command\` for BashOperator,
\`python_callable\` for PythonOperator, ...); Airflow raises \`TypeError\` at import. (\`task_id\` is HGR010.)

**Bad**
${py('BashOperator(task_id="run", bash_cmd="make run")')}

**Good**
${py('BashOperator(task_id="run", bash_command="make run")')}`,
  appliesTo: airflow3Signatures,
  check(context) {
    for (const task of allTasks(context)) {
      const signature = signatureOf(task);
      if (!signature || task.args.has('**') || signature.required.length === 0 || task.mapped) continue;
      const missing = signature.required.filter((name) => !task.args.has(name));
      if (missing.length === 0) continue;
      if (positionalArguments(task.node).length > 0 || task.node.childForFieldName('arguments')?.namedChildren.some((a) => a?.type === 'list_splat')) continue;
      {
        context.report(task.node.childForFieldName('function') ?? task.node, `${task.operator} needs ${missing.map((m) => `${m}=`).join(', ')}; Airflow raises TypeError without ${missing.length > 1 ? 'them' : 'it'}.`);
      }
    }
  },
};

const PARTIAL_ONLY = ['task_id', 'dag', 'task_group'];

export const invalidExpandArgument: Rule = {
  id: 'HGR017',
  name: 'invalid-expand-argument',
  title: 'Argument that cannot be mapped with expand()',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/authoring-and-scheduling/dynamic-task-mapping.html',
  doc: `\`.expand()\` cannot map over \`task_id\`, \`dag\` or \`task_group\`, nor over an argument already given to
\`.partial()\`; Airflow raises "unmappable or already specified" at import.

**Bad**
${py('BashOperator.partial(task_id="export").expand(task_id=["a", "b"])')}

**Good**
${py('BashOperator.partial(task_id="export").expand(bash_command=["export a", "export b"])')}`,
  check(context) {
    for (const task of allTasks(context)) {
      if (!task.mapped || task.kind === 'taskflow') continue;
      for (const [name, value] of task.expandArgs) {
        const keyword = value.parent;
        if (keyword?.type !== 'keyword_argument') continue;
        if (PARTIAL_ONLY.includes(name)) context.report(keyword.childForFieldName('name')!, `"${name}" cannot be mapped: give it to .partial(), not .expand().`);
        else if (task.args.has(name)) context.report(keyword.childForFieldName('name')!, `"${name}" is given to both .partial() and .expand(); Airflow rejects it as already specified.`);
      }
    }
  },
};

const TIMEDELTA_ARGUMENTS = new Set(['dagrun_timeout', 'execution_timeout']);
const DATETIME_ARGUMENTS = new Set(['start_date', 'end_date']);
const NUMBER_TYPES = new Set(['integer', 'float']);
const MAX_TAG_LENGTH = 100;

const CHECKED_ARGUMENTS = new Set([...TIMEDELTA_ARGUMENTS, ...DATETIME_ARGUMENTS, 'pool_slots', 'max_active_runs', 'max_active_tasks', 'tags', 'owner_links']);
/** Airflow's check: a mailto: link with an address, or a URL with a scheme and a host. */
const OWNER_LINK = /^(?:mailto:[^\s]+|[A-Za-z][\w+.-]*:\/\/[^\s/?#]+.*)$/;

function valueProblem(name: string, value: Node): string | undefined {
  if (!CHECKED_ARGUMENTS.has(name)) return undefined;
  const type = value.type;
  if (TIMEDELTA_ARGUMENTS.has(name) && (NUMBER_TYPES.has(type) || type === 'string')) {
    return `${name} must be a timedelta (for example timedelta(seconds=${NUMBER_TYPES.has(type) ? value.text : 300})), not a ${type === 'string' ? 'string' : 'number'}`;
  }
  if (DATETIME_ARGUMENTS.has(name) && (type === 'string' || NUMBER_TYPES.has(type))) {
    return `${name} must be a datetime (for example pendulum.datetime(2025, 1, 1, tz="UTC")), not a ${type === 'string' ? 'string' : 'number'}`;
  }
  if ((name === 'pool_slots' || name === 'max_active_runs' || name === 'max_active_tasks') && type === 'integer' && Number(value.text) < 1) {
    return `${name} must be at least 1`;
  }
  if (name === 'tags' && (type === 'list' || type === 'set' || type === 'tuple')) {
    const long = value.namedChildren.map((tag) => (tag ? plainString(tag) : undefined)).find((tag) => tag !== undefined && tag.length > MAX_TAG_LENGTH);
    if (long !== undefined) return `tag "${long.slice(0, 30)}..." is ${long.length} characters long; Airflow allows ${MAX_TAG_LENGTH}`;
  }
  if (name === 'owner_links' && type === 'dictionary') {
    for (const pair of value.namedChildren) {
      const link = pair?.type === 'pair' ? pair.childForFieldName('value') : null;
      const text = link ? plainString(link) : undefined;
      if (text !== undefined && !OWNER_LINK.test(text)) return `owner link ${JSON.stringify(text.slice(0, 40))} is neither an http(s) URL nor a mailto: link`;
    }
  }
  return undefined;
}

export const invalidArgumentValue: Rule = {
  id: 'HGR018',
  name: 'invalid-argument-value',
  title: 'Argument value of the wrong type or out of range',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html',
  doc: `Literal values Airflow rejects when it builds the DAG: a number or string where a \`timedelta\` is required
(\`dagrun_timeout\`, \`execution_timeout\`), a string \`start_date\`/\`end_date\`, \`pool_slots\` below 1, a tag
longer than 100 characters, an \`owner_links\` value that is not a URL or \`mailto:\` link.

**Bad**
${py('with DAG("etl", start_date="2025-01-01", dagrun_timeout=3600): ...')}

**Good**
${py('with DAG("etl", start_date=pendulum.datetime(2025, 1, 1, tz="UTC"), dagrun_timeout=timedelta(hours=1)): ...')}`,
  check(context) {
    const inspect = (args: ReadonlyMap<string, Node> | undefined, at?: Node): void => {
      for (const [name, value] of args ?? []) {
        const problem = valueProblem(name, value);
        if (problem) context.report(at ?? value, `Invalid ${name}: ${problem}.`);
      }
    };
    for (const dag of context.model.dags) {
      inspect(dag.args, dag.kind === 'decorator' ? dag.callSite : undefined);
      inspect(dag.defaultArgs);
    }
    for (const task of allTasks(context)) inspect(task.args);
  },
};
