import { plainString, rangeOf as rangeOfNode } from '../../model/syntax';
import { allTasks, py } from '../helpers';
import type { Node } from '../../parser';
import type { Rule, RuleContext } from '../rule';

/** airflow.task.trigger_rule.TriggerRule in Airflow 3. */
export const TRIGGER_RULES = new Set([
  'all_success', 'all_failed', 'all_done', 'all_done_min_one_success', 'all_done_setup_success', 'one_success',
  'one_failed', 'one_done', 'none_failed', 'none_skipped', 'always', 'none_failed_min_one_success', 'all_skipped',
]);
/** Values removed in Airflow 3 and what replaced them. */
const RENAMED: Record<string, string> = { dummy: 'always', none_failed_or_skipped: 'none_failed_min_one_success' };

function checkValue(context: RuleContext, value: Node, at: Node, origin = ''): void {
  const literal = plainString(value);
  if (literal !== undefined) {
    if (TRIGGER_RULES.has(literal)) return;
    const replacement = RENAMED[literal];
    const quote = value.text.startsWith("'") ? "'" : '"';
    context.report(at, `Unknown trigger_rule ${JSON.stringify(literal)}${origin}${replacement ? `: removed in Airflow 3, use "${replacement}"` : `; expected one of ${[...TRIGGER_RULES].join(', ')}`}.`,
      replacement ? { title: `Use "${replacement}"`, edits: [{ range: rangeOfNode(value), newText: `${quote}${replacement}${quote}` }] } : undefined);
  } else if (value.type === 'attribute') {
    const object = value.childForFieldName('object');
    const member = value.childForFieldName('attribute')?.text ?? '';
    const qualified = object ? context.model.qualifiedName(object.text) ?? object.text : '';
    if (!/(^|\.)TriggerRule$/.test(qualified)) return;
    if (TRIGGER_RULES.has(member.toLowerCase()) && member === member.toUpperCase()) return;
    context.report(at, `TriggerRule has no member ${member}${origin}; expected one of ${[...TRIGGER_RULES].map((r) => r.toUpperCase()).join(', ')}.`);
  }
}

export const unknownTriggerRule: Rule = {
  id: 'HGR008',
  name: 'unknown-trigger-rule',
  title: 'Unknown trigger_rule',
  family: 'import-error',
  severity: 'error',
  safeFix: true,
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#trigger-rules',
  doc: `\`trigger_rule\` must be one of Airflow's TriggerRule values (${[...TRIGGER_RULES].map((r) => `\`${r}\``).join(', ')}).
Any other value fails the task's validation at import. \`dummy\` and \`none_failed_or_skipped\` were removed in Airflow 3;
the fix renames them to \`always\` and \`none_failed_min_one_success\`.

**Bad**
${py('EmptyOperator(task_id="join", trigger_rule="all_sucess")')}

**Good**
${py('EmptyOperator(task_id="join", trigger_rule=TriggerRule.ALL_SUCCESS)')}`,
  check(context) {
    for (const task of allTasks(context)) {
      const value = task.args.get('trigger_rule');
      if (value) checkValue(context, value, value);
    }
    for (const dag of context.model.dags) {
      const value = dag.defaultArgs?.get('trigger_rule');
      if (!value) continue;
      // Airflow fails when the first task that inherits the value is created: report there, fix the value.
      const heir = dag.tasks.find((task) => !task.args.has('trigger_rule') && task.node.startIndex > value.startIndex);
      checkValue(context, value, heir?.node.childForFieldName('function') ?? value, heir ? ` (from default_args on line ${value.startPosition.row + 1})` : '');
    }
  },
};
