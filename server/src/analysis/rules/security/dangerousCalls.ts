import type { Rule, RuleContext } from '../rule';
import { suspiciousCalls, type ResolvedCall } from './calls';

/** Reports every suspicious call for which `describe` returns a message. */
export function reportCalls(context: RuleContext, describe: (call: ResolvedCall) => string | undefined): void {
  for (const call of suspiciousCalls(context)) {
    const message = describe(call);
    if (message) context.report(call.node, message);
  }
}

export const shellFunctions: Rule = {
  id: 'HGR307',
  name: 'os-shell-call',
  title: 'os.system / os.popen runs a shell',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  reference: 'bandit B605 (start_process_with_a_shell); ruff S605',
  doc: `\`os.system\`, \`os.popen\` and \`subprocess.getoutput\` always run their argument through the shell, so a value
formatted into the command can add commands. Use \`subprocess.run\` with a list of arguments, or a \`BashOperator\`
whose inputs come through \`env=\`.

**Bad**
\`\`\`python
os.system(f"aws s3 sync {local_dir} s3://exports/")
\`\`\`

**Good**
\`\`\`python
subprocess.run(["aws", "s3", "sync", local_dir, "s3://exports/"], check=True)
\`\`\``,
  check(context) {
    reportCalls(context, ({ name }) => (SHELL_FUNCTIONS.has(name) ? `${name}() runs its argument through the shell: use subprocess.run with a list of arguments.` : undefined));
  },
};

const SHELL_FUNCTIONS = new Set(['os.system', 'os.popen', 'subprocess.getoutput', 'subprocess.getstatusoutput', 'commands.getoutput']);

export const evalExec: Rule = {
  id: 'HGR308',
  name: 'eval-exec',
  title: 'eval / exec of dynamic code',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  reference: 'bandit B307 (eval) and B102 (exec_used); ruff S307, S102',
  doc: `\`eval\` and \`exec\` run any Python they are given; fed with run configuration, XCom or file contents they hand
the worker to whoever controls that input. Parse data with \`json.loads\` or \`ast.literal_eval\`, and dispatch on
names with a dictionary.

**Bad**
\`\`\`python
threshold = eval(context["dag_run"].conf["threshold"])
\`\`\`

**Good**
\`\`\`python
threshold = ast.literal_eval(context["dag_run"].conf["threshold"])
\`\`\``,
  check(context) {
    reportCalls(context, ({ name, bare }) => (bare && (name === 'eval' || name === 'exec') ? `${name}() runs arbitrary code: parse data with json.loads or ast.literal_eval instead.` : undefined));
  },
};

export const insecureTempFile: Rule = {
  id: 'HGR313',
  name: 'insecure-mktemp',
  title: 'tempfile.mktemp is race-prone',
  family: 'security',
  severity: 'warning',
  securitySeverity: 'medium',
  reference: 'bandit B306 (mktemp_q); ruff S306',
  doc: `\`tempfile.mktemp\` returns a name without creating the file; another process on the worker can create it
first (a symlink to a file the task then overwrites). Use \`tempfile.NamedTemporaryFile\`, \`mkstemp\` or \`TemporaryDirectory\`.

**Bad**
\`\`\`python
path = tempfile.mktemp(suffix=".csv")
\`\`\`

**Good**
\`\`\`python
with tempfile.NamedTemporaryFile(suffix=".csv") as handle:
    path = handle.name
\`\`\``,
  check(context) {
    reportCalls(context, ({ name }) => (name === 'tempfile.mktemp' ? 'tempfile.mktemp() returns a name another process can claim first: use NamedTemporaryFile or mkstemp.' : undefined));
  },
};
