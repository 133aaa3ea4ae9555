import type { Node } from '../../parser';
import { py } from '../helpers';
import type { Rule, RuleContext } from '../rule';

/** Template/context variables Airflow 3 no longer provides, with the replacement to suggest. */
const REMOVED_KEYS: Record<string, string> = {
  execution_date: 'logical_date',
  next_execution_date: 'data_interval_end',
  prev_execution_date: 'prev_data_interval_start_success',
  prev_execution_date_success: 'prev_data_interval_start_success',
  next_ds: '{{ data_interval_end | ds }}',
  next_ds_nodash: '{{ data_interval_end | ds_nodash }}',
  prev_ds: '{{ prev_data_interval_start_success | ds }}',
  prev_ds_nodash: '{{ prev_data_interval_start_success | ds_nodash }}',
  tomorrow_ds: '{{ macros.ds_add(ds, 1) }}',
  tomorrow_ds_nodash: '{{ macros.ds_add(ds, 1) }} without dashes',
  yesterday_ds: '{{ macros.ds_add(ds, -1) }}',
  yesterday_ds_nodash: '{{ macros.ds_add(ds, -1) }} without dashes',
};
const KEY = new RegExp(`\\b(${Object.keys(REMOVED_KEYS).join('|')})\\b`, 'g');
/** Names a task callable conventionally gives the context dict. */
const CONTEXT_NAMES = new Set(['context', 'ctx', 'kwargs', 'kw', 'kwds', 'airflow_context']);

export const removedContextKey: Rule = {
  id: 'HGR107',
  name: 'removed-context-key',
  title: 'Template or context key removed in Airflow 3',
  family: 'airflow3',
  severity: 'warning',
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow/stable/templates-ref.html',
  doc: `Airflow 3 no longer provides \`execution_date\`, \`next_ds\`, \`prev_ds\`, \`tomorrow_ds\`, \`yesterday_ds\`,
\`next_execution_date\`, \`prev_execution_date\` and their \`_nodash\` forms: templates render them empty and
\`context["execution_date"]\` raises \`KeyError\` when the task runs. Use \`logical_date\`, \`data_interval_start\`/\`_end\` or
\`macros.ds_add\`.

**Bad**
${py('BashOperator(task_id="export", bash_command="export --day {{ execution_date | ds }}")')}

**Good**
${py('BashOperator(task_id="export", bash_command="export --day {{ logical_date | ds }}")')}`,
  check(context) {
    if (!/_ds\b|_date\b|next_ds|prev_ds/.test(context.source)) return;
    KEY.lastIndex = 0;
    for (let match = KEY.exec(context.source); match; match = KEY.exec(context.source)) {
      const key = match[1]!;
      const node = context.tree.rootNode.descendantForIndex(match.index, match.index + key.length);
      const string = node ? enclosingString(node) : undefined;
      if (!string) continue;
      if (inJinjaExpression(context.source, string, match.index) || isContextLookup(string, key)) {
        const replacement = REMOVED_KEYS[key]!;
        report(context, match.index, key, replacement);
      }
    }
  },
};

function report(context: RuleContext, index: number, key: string, replacement: string): void {
  const before = context.source.slice(0, index);
  const line = before.split('\n').length - 1;
  const character = index - (before.lastIndexOf('\n') + 1);
  const range = { start: { line, character }, end: { line, character: character + key.length } };
  const simple = /^\w+$/.test(replacement);
  context.report(range, `"${key}" was removed from the task context in Airflow 3; use ${simple ? `"${replacement}"` : replacement}.`,
    simple ? { title: `Use ${replacement}`, edits: [{ range, newText: replacement }] } : undefined);
}

function enclosingString(node: Node): Node | undefined {
  let current: Node | null = node;
  for (let depth = 0; current && depth < 3; depth++, current = current.parent) {
    if (current.type === 'string') return current;
  }
  return undefined;
}

/** Inside `{{ ... }}` (or `{% ... %}`), as a top-level name (not `dag_run.execution_date`, which is checked elsewhere). */
function inJinjaExpression(source: string, string: Node, index: number): boolean {
  const text = source.slice(string.startIndex, index);
  const open = Math.max(text.lastIndexOf('{{'), text.lastIndexOf('{%'));
  if (open < 0) return false;
  const close = Math.max(text.lastIndexOf('}}'), text.lastIndexOf('%}'));
  if (close > open) return false;
  return source[index - 1] !== '.';
}

/** `context["execution_date"]` or `kwargs.get("execution_date")`. */
function isContextLookup(string: Node, key: string): boolean {
  if (string.text.slice(1, -1) !== key) return false;
  const parent = string.parent;
  if (parent?.type === 'subscript') {
    const value = parent.childForFieldName('value');
    return value?.type === 'identifier' && CONTEXT_NAMES.has(value.text);
  }
  if (parent?.type === 'argument_list') {
    const callee = parent.parent?.childForFieldName('function');
    const object = callee?.type === 'attribute' ? callee.childForFieldName('object') : undefined;
    return callee?.childForFieldName('attribute')?.text === 'get' && object?.type === 'identifier' && CONTEXT_NAMES.has(object.text);
  }
  return false;
}
