import type { Rule } from '../rule';
import { calleeName, callOfKeyword, nodeAt } from './syntax';
import { triggers } from './triggers';

export const subprocessShell: Rule = {
  id: 'HGR306',
  name: 'subprocess-shell-true',
  title: 'subprocess call with shell=True',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  reference: 'bandit B602 (subprocess_popen_with_shell_equals_true); ruff S602',
  doc: `\`subprocess\` runs the command through \`/bin/sh\` when \`shell=True\`, so any value formatted into it (file names,
XCom values, run configuration) can add shell commands. Pass the program and its arguments as a list.

**Bad**
\`\`\`python
subprocess.run(f"gsutil cp {path} gs://bucket/", shell=True, check=True)
\`\`\`

**Good**
\`\`\`python
subprocess.run(["gsutil", "cp", path, "gs://bucket/"], check=True)
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'shellTrue')) {
      const argument = nodeAt(context.tree, trigger.index).parent;
      if (argument?.type !== 'keyword_argument' || argument.childForFieldName('value')?.type !== 'true') continue;
      const call = callOfKeyword(argument);
      const name = call && calleeName(context, call);
      if (name?.startsWith('subprocess.')) context.report(argument, `${name}(..., shell=True) runs the command through the shell: pass the arguments as a list without shell=True.`);
    }
  },
};
