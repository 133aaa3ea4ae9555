import type { Rule } from '../rule';
import { isDocString, literalOf, stringAt } from './syntax';
import { triggers } from './triggers';

const SHARED_TMP = /^(?:\/tmp|\/var\/tmp|\/dev\/shm)(?:\/|$)/;

export const hardcodedTmp: Rule = {
  id: 'HGR314',
  name: 'hardcoded-tmp-path',
  title: 'Hard-coded path in a shared temporary folder',
  family: 'security',
  severity: 'info',
  securitySeverity: 'low',
  reference: 'bandit B108 (hardcoded_tmp_directory); ruff S108',
  doc: `A fixed path under \`/tmp\`, \`/var/tmp\` or \`/dev/shm\` is shared by every task and user on the worker: another
process can read it, pre-create it or replace it with a symlink, and two runs of the task overwrite each other.
Use \`tempfile.TemporaryDirectory()\` or a per-run folder.

**Bad**
\`\`\`python
df.to_csv("/tmp/orders.csv")
\`\`\`

**Good**
\`\`\`python
with tempfile.TemporaryDirectory() as folder:
    df.to_csv(os.path.join(folder, "orders.csv"))
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'tmpPath')) {
      const node = stringAt(context.tree, trigger.index);
      if (!node || node.startIndex > trigger.index || isDocString(node)) continue;
      const literal = literalOf(node);
      if (literal && literal.valueStart === trigger.index + 1 && SHARED_TMP.test(literal.value)) {
        context.report(node, 'Hard-coded path in a shared temporary folder: use tempfile.TemporaryDirectory() or a per-run folder.');
      }
    }
  },
};
