import type { HelperUse } from '../../localImports';
import { py } from '../helpers';
import type { Rule } from '../rule';
import { isGuardedImport } from './imports';

export const removedApiInHelper: Rule = {
  id: 'HGR110',
  name: 'removed-api-in-helper',
  title: 'Imported helper module uses a removed Airflow API',
  family: 'airflow3',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/administration-and-deployment/modules_management.html',
  doc: `A module of the repository that the DAG file imports (a helper next to it, under the DAGs folder, \`plugins/\`, or a
package at the repository root, found the way Airflow's \`sys.path\` finds it) imports an Airflow API the target Airflow
no longer has. The import fails inside the helper and Airflow lists the DAG file as an import error, so the finding is
on the DAG file's import line and names the helper's file and line. The helper's own imports are followed too (relative
ones inside a helper package included; four levels deep, at most 50 files per DAG file); only code that runs at
import counts, not imports inside functions.
\`hangar check\` and the editor follow helpers; the editor re-analyses the DAG files that import a helper when it changes.

**Bad**
${py('# common/__init__.py\nfrom airflow.models.taskinstance import Context\n\n# dags/etl.py\nfrom common import default_args')}

**Good**
${py('# common/__init__.py\nfrom airflow.sdk import Context')}`,
  check(context) {
    const local = context.localImports;
    if (!local) return;
    for (const imp of context.model.imports) {
      if (imp.module.startsWith('airflow') || imp.module.startsWith('.') || !context.model.isParseTime(imp.node) || isGuardedImport(imp.node)) continue;
      const seen = new Set<string>();
      const uses: HelperUse[] = [];
      for (const module of [imp.module, ...imp.names.map((n) => `${imp.module}.${n.name}`)]) {
        for (const use of local.usesOf(module)) {
          const key = `${use.file}:${use.line}:${use.api}`;
          if (seen.has(key)) continue;
          seen.add(key);
          uses.push(use);
        }
      }
      const first = uses[0];
      if (!first) continue;
      const via = first.via.length > 0 ? ` (through ${first.via.join(' -> ')})` : '';
      const more = uses.length > 1 ? ` (and ${uses.length - 1} more)` : '';
      context.report(imp.moduleNode, `Imports ${imp.module}, which uses ${first.api}${via}: ${first.file}:${first.line + 1}: ${first.message}${more}`);
    }
  },
};
