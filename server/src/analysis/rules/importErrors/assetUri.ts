import { keywordArguments, plainString, positionalArguments } from '../../model/syntax';
import type { Node } from '../../parser';
import { callsByCallee, py } from '../helpers';
import { qualifiedCallee } from '../practice/calls';
import type { Rule } from '../rule';
import { assetUriProblem } from './assetUriRules';

const ASSET = /^airflow\.(?:sdk|datasets|assets|sdk\.definitions\.asset)\.(?:Asset|Dataset)$|^airflow\.(?:Asset|Dataset)$/;

export const invalidAssetUri: Rule = {
  id: 'HGR020',
  name: 'invalid-asset-uri',
  title: 'Asset URI the provider rejects',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/authoring-and-scheduling/assets.html#what-is-a-valid-uri',
  doc: `Creating an \`Asset\` checks its URI: the scheme \`airflow\` is reserved, and a provider that registers a scheme
checks its form (\`snowflake://account/database/schema/table\`, \`postgres://host/database/schema/table\`,
\`mysql://host/database/table\`, \`bigquery://project/dataset/table\`, \`s3://bucket/...\`, ...). A URI the provider's
\`sanitize_uri\` rejects raises \`ValueError\` while Airflow parses the file. Checked for the schemes of the Snowflake,
Postgres, MySQL, Google, Trino, Databricks, Amazon, Oracle, MSSQL, Hive, Mongo, FTP and SFTP providers (their rules as
of the providers Airflow 3.3 installs); other schemes, and URIs built at run time, are not judged. Airflow 3 targets only
(Airflow 2 warned).

**Bad**
${py('orders = Asset("snowflake://analytics.orders")')}

**Good**
${py('orders = Asset("snowflake://my_account/analytics/public/orders")')}`,
  appliesTo: (target) => target.airflow.major >= 3,
  check(context) {
    if (!/Asset|Dataset/.test(context.source)) return;
    for (const { call } of callsByCallee(context, (callee) => /(?:^|\.)(?:Asset|Dataset)$/.test(callee))) {
      if (!ASSET.test(qualifiedCallee(context, call) ?? '')) continue;
      const uri = uriArgument(call, context.source);
      const text = uri ? plainString(uri) : undefined;
      const problem = text === undefined ? undefined : assetUriProblem(text);
      if (problem) context.report(uri!, `Asset URI ${JSON.stringify(text)} is rejected when Airflow parses the file: ${problem}.`);
    }
  },
};

/** `Asset(uri=...)`, `Asset(name, uri)`, or `Asset(uri)` (a lone name is the URI too). */
function uriArgument(call: Node, source: string): Node | undefined {
  const keyword = keywordArguments(call, source);
  const positional = positionalArguments(call);
  return keyword.get('uri') ?? positional[1] ?? (keyword.has('name') ? undefined : positional[0]);
}
