import { keywordArguments, plainString } from '../../model/syntax';
import type { Node } from '../../parser';
import type { Rule, RuleContext } from '../rule';
import { renderedInput } from './templateInjection';

const PARAMS = /\bparams\s*(?:\.\s*(\w+)|\[\s*["'](\w+)["']\s*\])/;
/** Param() arguments that limit what a trigger may pass: a list of values, a pattern, a non-string type. */
const CONSTRAINING = new Set(['enum', 'pattern', 'const', 'format']);
const SAFE_TYPES = /^["'](?:integer|number|boolean|null)["']$|^\[\s*["'](?:integer|number|boolean|null)["']/;

export const templateParams: Rule = {
  id: 'HGR315',
  name: 'params-in-command',
  title: 'DAG params rendered into a shell command or SQL',
  family: 'security',
  severity: 'info',
  securitySeverity: 'low',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/params.html',
  doc: `\`{{ params.x }}\` is rendered into \`bash_command\`, an SSH \`command\` or \`sql\`. A run starts from the DAG's own
default for \`x\`, but a user allowed to trigger the DAG can change it in the trigger form (or the run's conf) unless the
DAG constrains it, so it ranks below \`dag_run.conf\` (HGR305). It is not reported when the DAG's \`Param\` for it
allows only safe values: \`enum=\`, \`pattern=\`, \`const=\`, \`format=\`, or \`type="integer"\`/\`"number"\`/\`"boolean"\`.

**Bad**
${'```python'}
with DAG("purge", params={"day": "2025-01-01"}):
    SQLExecuteQueryOperator(task_id="purge", sql="DELETE FROM t WHERE day = '{{ params.day }}'")
${'```'}

**Good**
${'```python'}
with DAG("purge", params={"day": Param("2025-01-01", type="string", format="date")}):
    SQLExecuteQueryOperator(task_id="purge", sql="DELETE FROM t WHERE day = %(day)s", parameters={"day": "{{ params.day }}"})
${'```'}`,
  check(context) {
    let constrained: Set<string> | undefined;
    for (const use of renderedInput(context, PARAMS)) {
      const match = PARAMS.exec(use.expression);
      const name = match?.[1] ?? match?.[2];
      constrained ??= constrainedParams(context);
      if (name && constrained.has(name)) continue;
      context.report(use.range, `DAG param${name ? ` "${name}"` : ''} rendered into ${use.sink}: a user who triggers the DAG can change it unless its Param constrains it (enum=, pattern=, a numeric type). Pass it through env= or SQL parameters, or constrain the Param.`);
    }
  },
};

/** Names of the params any DAG of the file declares with a constraining `Param(...)`. */
function constrainedParams(context: RuleContext): Set<string> {
  const names = new Set<string>();
  for (const dag of context.model.dags) {
    const params = dag.args.get('params');
    if (params?.type !== 'dictionary') continue;
    for (const pair of params.namedChildren) {
      if (pair?.type !== 'pair') continue;
      const key = plainString(pair.childForFieldName('key')!);
      const value = pair.childForFieldName('value');
      if (key && value && constrains(value, context.source)) names.add(key);
    }
  }
  return names;
}

function constrains(value: Node, source: string): boolean {
  if (value.type !== 'call' || !/\bParam$/.test(value.childForFieldName('function')?.text ?? '')) return false;
  const args = keywordArguments(value, source);
  if ([...args.keys()].some((name) => CONSTRAINING.has(name))) return true;
  const type = args.get('type');
  return type !== undefined && SAFE_TYPES.test(type.text);
}
