import type { Rule } from '../rule';

/** Reported by `decodeSource` before parsing (the file is never parsed), listed here for docs, config and SARIF. */
export const fileNotAnalyzed: Rule = {
  id: 'HGR014',
  name: 'file-not-analyzed',
  title: 'File too large to analyze',
  family: 'import-error',
  severity: 'warning',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/best-practices.html#reducing-dag-complexity',
  doc: `Files over 1 MB are skipped: a DAG file that large is almost always generated data. Binary files, invalid UTF-8 and
nesting deeper than Python allows are reported as syntax errors (HGR001) instead.

**Bad**
\`\`\`text
dags/huge_generated.py  (4 MB)
\`\`\`

**Good**
\`\`\`text
dags/orders.py reading its table list from dags/config/tables.yaml
\`\`\``,
  check() {
    // nothing to do on a parsed tree
  },
};
