import { findSecretFormat, isCredentialValue, isSecretName, repeatsName } from '../../secrets';
import type { Node } from '../../parser';
import type { Rule } from '../rule';
import { callOfKeyword, literalOf, nodeAt } from './syntax';
import { bindingOfName } from './targets';
import { triggers } from './triggers';

/** After a secret word: the rest of the name (or `"]` of a subscript), an optional annotation, then `=` or `:` and a string literal. */
const BOUND_TO_LITERAL = /[\w-]*["']?\]?\s*(?::[^=\n"']{0,60})?[:=](?!=)\s*[rRuUbB]{0,2}["']/y;
/** Kubernetes `Secret(secret="name", key="password")` names a secret object, it does not hold one. */
const SECRET_REFERENCE_CALL = /(?:^|\.)Secret$/;

export const hardcodedSecret: Rule = {
  id: 'HGR301',
  name: 'hardcoded-secret',
  title: 'Hard-coded password, token or key',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'bandit B105/B106/B107 (hardcoded_password_*); detect-secrets KeywordDetector; https://airflow.apache.org/docs/apache-airflow/stable/security/secrets/index.html',
  doc: `A literal password, token or API key is bound to a name that says it is one (\`password=\`, \`api_key = \`, \`"token": \`).
Anyone who can read the repository, the Airflow UI's code view or the DAG bundle can read it.

Templates (\`{{ conn.x.password }}\`, \`{{ var.value.x }}\`), environment look-ups, placeholders (\`<token>\`, \`xxxx\`, \`your-api-key\`),
paths, environment-variable names, labels of three or more words, values that only repeat the name (\`apiKey = "apiKey"\`),
values shorter than four characters and non-credential tokens (\`next_token\`, \`pad_token\`) are not reported. Weak defaults such as \`changeme\` are.

**Bad**
\`\`\`python
SimpleHttpOperator(task_id="notify", headers={"Authorization": "Bearer s3cr3t-v4lue"})
db_password = "hunter2-prod"
\`\`\`

**Good**
\`\`\`python
SimpleHttpOperator(task_id="notify", http_conn_id="notifier")  # credentials live in the connection
db_password = "{{ conn.warehouse.password }}"
\`\`\``,
  check(context) {
    const seen = new Set<number>();
    for (const trigger of triggers(context, 'secretName')) {
      BOUND_TO_LITERAL.lastIndex = trigger.index + trigger.text.length;
      if (!BOUND_TO_LITERAL.test(context.source)) continue;
      const binding = bindingOfName(nodeAt(context.tree, trigger.index));
      if (!binding || seen.has(binding.value.startIndex) || !isSecretName(binding.name)) continue;
      seen.add(binding.value.startIndex);
      if (isHardcodedCredential(binding.name, binding.value) && !namesSecretObject(binding.node)) {
        context.report(binding.value, `Hard-coded credential in "${binding.name}": move it to an Airflow connection or secrets backend and reference it with a template such as {{ conn.<conn_id>.password }}.`);
      }
    }
  },
};

function isHardcodedCredential(name: string, value: Node): boolean {
  const literal = literalOf(value);
  if (!literal || literal.interpolated || repeatsName(name, literal.value)) return false;
  // Known formats and URIs are reported by HGR302 and HGR304, more precisely.
  return isCredentialValue(literal.value) && !literal.value.includes('://') && !findSecretFormat(literal.value);
}

function namesSecretObject(binding: Node): boolean {
  if (binding.type !== 'keyword_argument') return false;
  const callee = callOfKeyword(binding)?.childForFieldName('function')?.text;
  return callee !== undefined && SECRET_REFERENCE_CALL.test(callee);
}
