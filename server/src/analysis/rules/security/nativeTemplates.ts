import type { Rule } from '../rule';
import { nodeAt } from './syntax';
import { triggers } from './triggers';

export const nativeTemplates: Rule = {
  id: 'HGR312',
  name: 'native-template-rendering',
  title: 'Templates rendered as native Python objects',
  family: 'security',
  severity: 'info',
  securitySeverity: 'low',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/operators.html#rendering-fields-as-native-python-objects',
  doc: `With \`render_template_as_native_obj=True\` Airflow renders templates with Jinja's \`NativeEnvironment\`, which
turns rendered text into Python objects with \`literal_eval\`. Run input (\`dag_run.conf\`, \`params\`) then decides the
*type* of a task argument (a list instead of a string, a dict of options), which operators rarely validate. Keep it
off unless a task needs it, and validate such values in the task.

**Bad**
\`\`\`python
with DAG("exports", schedule=None, render_template_as_native_obj=True): ...
\`\`\`

**Good**
\`\`\`python
with DAG("exports", schedule=None): ...  # parse JSON explicitly in the task that needs a structure
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'nativeObj')) {
      const argument = nodeAt(context.tree, trigger.index).parent;
      if (argument?.type === 'keyword_argument' && argument.childForFieldName('value')?.type === 'true') {
        context.report(argument, 'Templates are rendered as native Python objects: run input can change the type of task arguments; validate them in the task.');
      }
    }
  },
};
