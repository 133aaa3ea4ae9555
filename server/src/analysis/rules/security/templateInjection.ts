import type { Range } from '../../findings';
import type { Node } from '../../parser';
import type { Rule, RuleContext } from '../rule';
import { callOfKeyword, rangeWithin, stringAt } from './syntax';
import { triggers } from './triggers';

/** What whoever triggers a run writes freely: `dag_run.conf`. */
const RUN_CONF = /\bdag_run\s*\.\s*conf\b/;
/** Filters that leave only a number or a boolean, which cannot inject anything. */
const NUMERIC_FILTER = /\|\s*(?:int|float|bool|length|abs|round)\b/;
const MAX_EXPRESSION = 300;
/** Expressions that pass a string through unchanged on its way to the argument. */
const PASS_THROUGH = new Set(['concatenated_string', 'binary_operator', 'parenthesized_expression', 'conditional_expression']);

export const templateInjection: Rule = {
  id: 'HGR305',
  name: 'template-injection',
  title: 'Run input rendered into a shell command or SQL',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/security/security_model.html#dag-authors ; https://airflow.apache.org/docs/apache-airflow-providers-standard/stable/operators/bash.html#jinja-templating',
  doc: `\`{{ dag_run.conf[...] }}\` is rendered into \`bash_command\`, the string a \`@task.bash\` function returns, an SSH
\`command\`, or an operator's \`sql\` (directly, or through a variable passed as \`bash_command=\` or \`sql=\`). Whoever can
trigger the DAG writes that text freely, so they can run any shell command or SQL statement with the worker's
credentials. Pass the value through the environment (\`env=\`) and quote it in the script, or bind it as a SQL parameter.
Values filtered to numbers (\`| int\`) are not reported. \`{{ params.x }}\` is HGR315: params start from the DAG's own
defaults and a \`Param\` schema can constrain them, so they rank lower.

**Bad**
\`\`\`python
BashOperator(task_id="load", bash_command="load.sh {{ dag_run.conf['table'] }} ")
\`\`\`

**Good**
\`\`\`python
BashOperator(task_id="load", bash_command='load.sh "$TABLE" ', env={"TABLE": "{{ dag_run.conf['table'] }}"})
\`\`\``,
  check(context) {
    for (const use of renderedInput(context, RUN_CONF)) {
      context.report(use.range, `Run input rendered into ${use.sink}: whoever triggers the DAG controls this text. Pass it through env= or SQL parameters instead.`);
    }
  },
};

/** A Jinja expression matching `input` rendered into a shell command or SQL: where, into what, and the expression. */
export interface RenderedInput {
  readonly range: Range;
  readonly sink: string;
  readonly expression: string;
}

export function renderedInput(context: RuleContext, input: RegExp): RenderedInput[] {
  const found: RenderedInput[] = [];
  for (const trigger of triggers(context, 'template')) {
    const close = context.source.indexOf('}}', trigger.index + 2);
    if (close < 0 || close - trigger.index > MAX_EXPRESSION) continue;
    const expression = context.source.slice(trigger.index + 2, close);
    if (!input.test(expression) || NUMERIC_FILTER.test(expression)) continue;
    const literal = stringAt(context.tree, trigger.index);
    if (!literal || close > literal.endIndex || isFString(literal)) continue;
    const sink = sinkOf(context.source, literal);
    if (sink) found.push({ range: rangeWithin(literal, context.source, trigger.index, close + 2), sink, expression });
  }
  return found;
}

/** Where the literal ends up: `bash_command`, `sql`, an SSH `command`, or a `@task.bash` return value. */
function sinkOf(source: string, literal: Node): string | undefined {
  let node = literal;
  while (node.parent && PASS_THROUGH.has(node.parent.type)) node = node.parent;
  const parent = node.parent;
  if (parent?.type === 'keyword_argument') return keywordSink(parent);
  if (parent?.type === 'return_statement') return isBashTaskReturn(parent) ? 'a @task.bash command' : undefined;
  const variable = parent?.type === 'assignment' ? parent.childForFieldName('left') : undefined;
  if (variable?.type === 'identifier') return variableSink(source, variable.text);
  return undefined;
}

/** `CMD = "... {{ params.x }}"` then `bash_command=CMD` (or `sql=CMD`) anywhere in the file. */
function variableSink(source: string, variable: string): string | undefined {
  const use = new RegExp(`\\b(bash_command|sql)\\s*=\\s*${variable}\\b(?!\\s*[.([])`).exec(source);
  return use ? `${use[1]} (through ${variable})` : undefined;
}

function keywordSink(argument: Node): string | undefined {
  const name = argument.childForFieldName('name')?.text;
  if (name === 'bash_command' || name === 'sql') return name;
  if (name !== 'command') return undefined;
  const callee = callOfKeyword(argument)?.childForFieldName('function')?.text ?? '';
  return /SSH/.test(callee) ? 'an SSH command' : undefined;
}

/** In an f-string `{{` is an escaped brace: the text reaches Jinja as `{ params.x }`, not as a template. */
function isFString(literal: Node): boolean {
  return /f/i.test(literal.firstChild?.text ?? '');
}

function isBashTaskReturn(statement: Node): boolean {
  let node: Node | null = statement.parent;
  while (node && node.type !== 'function_definition') node = node.parent;
  const decorated = node?.parent;
  if (decorated?.type !== 'decorated_definition') return false;
  return decorated.namedChildren.some((child) => child?.type === 'decorator' && /^@\s*task\s*\.\s*bash\b/.test(child.text));
}
