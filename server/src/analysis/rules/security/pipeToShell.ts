import type { Rule } from '../rule';
import { isDocString, rangeWithin, stringAt } from './syntax';
import { triggers } from './triggers';

/** `curl ... | sh`, `wget -qO- ... | sudo bash`; bounded classes keep the match linear. */
const PIPED = /(?:curl|wget)\b[^|\n]{0,400}\|\s*(?:sudo\s+(?:-\S+\s+){0,3})?(?:ba|z|da|k|fi)?sh\b/iy;
/** `bash <(curl ...)`, `sh -c "$(curl ...)"`, checked on the text just before the download command. */
const SUBSTITUTED = /\b(?:ba|z|da|k)?sh\s+(?:-c\s+)?["']?(?:<\(|\$\()\s*$/i;

export const pipeToShell: Rule = {
  id: 'HGR311',
  name: 'pipe-to-shell',
  title: 'Downloaded script piped into a shell',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'high',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/security/workload.html ; CWE-494 (download of code without integrity check)',
  doc: `A command downloads a script and runs it straight away (\`curl ... | sh\`, \`bash <(curl ...)\`). Whoever controls
that URL, its DNS or its TLS path runs code on the worker, on every run. Pin the tool in the worker image, or download
a fixed version and check its checksum before running it.

**Bad**
\`\`\`python
BashOperator(task_id="setup", bash_command="curl -fsSL https://get.example.com/install.sh | bash")
\`\`\`

**Good**
\`\`\`python
BashOperator(task_id="setup", bash_command="tool --version")  # installed in the worker image
\`\`\``,
  check(context) {
    for (const trigger of triggers(context, 'pipeToShell')) {
      PIPED.lastIndex = trigger.index;
      const piped = PIPED.exec(context.source);
      const substituted = !piped && SUBSTITUTED.test(context.source.slice(Math.max(0, trigger.index - 16), trigger.index));
      if (!piped && !substituted) continue;
      const literal = stringAt(context.tree, trigger.index);
      if (!literal || isDocString(literal)) continue;
      const end = Math.min(literal.endIndex - 1, piped ? trigger.index + piped[0].length : trigger.index + trigger.text.length);
      context.report(rangeWithin(literal, context.source, trigger.index, end), 'A downloaded script is run without any integrity check: install the tool in the worker image or verify a pinned download.');
    }
  },
};
