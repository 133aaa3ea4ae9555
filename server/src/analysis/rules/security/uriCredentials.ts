import { uriPasswordAt } from '../../secrets';
import type { Rule } from '../rule';
import { isDocString, rangeWithin, stringAt } from './syntax';
import { triggers } from './triggers';

export const uriCredentials: Rule = {
  id: 'HGR304',
  name: 'credentials-in-uri',
  title: 'Password inside a connection URI',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'detect-secrets BasicAuthDetector; secretlint-rule-basicauth; https://airflow.apache.org/docs/apache-airflow/stable/howto/connection.html#storing-connections-in-environment-variables',
  doc: `A URI literal carries a password (\`postgresql://etl:s3cret@db:5432/dwh\`). Define the connection in Airflow
(UI, secrets backend or an \`AIRFLOW_CONN_*\` variable set outside the repository) and refer to it by id.
Templated or formatted passwords (\`{{ conn.x.password }}\`, \`{password}\`, \`\${PG_PASS}\`), placeholders and URIs in docstrings are not reported.

**Bad**
\`\`\`python
engine = create_engine("postgresql://etl:s3cret@db:5432/dwh")
\`\`\`

**Good**
\`\`\`python
engine = PostgresHook(postgres_conn_id="dwh").get_sqlalchemy_engine()
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'uri')) {
      const password = uriPasswordAt(context.source, trigger.index);
      if (!password) continue;
      const literal = stringAt(context.tree, trigger.index);
      if (!literal || password.end > literal.endIndex || isDocString(literal)) continue;
      context.report(rangeWithin(literal, context.source, password.start, password.end), `Password written inside a ${password.scheme} URI: store the connection in Airflow and refer to it by its conn_id.`);
    }
  },
};
