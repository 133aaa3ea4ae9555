import type { Node } from '../../parser';
import { callsByCallee, py } from '../helpers';
import type { Rule, RuleContext } from '../rule';
import { deprecatedApis, removedApis, removedAttributes } from './removedNames';

const SUBDAG_MODULES = /^airflow\.operators\.subdag(_operator)?$/;

/**
 * Compatibility code that never imports the old name on Airflow 3: inside `try:` whose `except` catches ImportError,
 * or under an `if` on the Airflow version (either arm) or on TYPE_CHECKING.
 */
export function isGuardedImport(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    if (current.type === 'try_statement') {
      return current.namedChildren.some((clause) => clause?.type === 'except_clause' && GUARD.test(clause.text.split(':')[0]!));
    }
    if (current.type === 'if_statement' && VERSION_CHECK.test(current.childForFieldName('condition')?.text ?? '')) return true;
    if (current.type === 'except_clause' || current.type === 'function_definition' || current.type === 'class_definition') return false;
  }
  return false;
}

const VERSION_CHECK = /AIRFLOW_V|[Vv]ersion|VERSION|TYPE_CHECKING/;
const GUARD = /^except\s*$|ImportError|ModuleNotFoundError|\bException\b|BaseException|AttributeError/;

function checkImports(context: RuleContext, removed: boolean): void {
  for (const imp of context.model.imports) {
    if (!imp.module.startsWith('airflow') || isGuardedImport(imp.node)) continue;
    if (removed) for (const api of removedApis(imp, context.target.airflow, context.source)) context.report(api.at, api.message, api.fix);
    else {
      const api = deprecatedApis(imp, context.target.airflow, context.source);
      if (api) context.report(api.at, api.message, api.fix);
    }
  }
  if (removed) for (const api of removedAttributes(context, isGuardedImport)) context.report(api.at, api.message);
}

export const removedImport: Rule = {
  id: 'HGR108',
  name: 'removed-import',
  title: 'Import removed in Airflow 3',
  family: 'airflow3',
  severity: 'error',
  safeFix: true,
  reference: 'ruff AIR301/AIR302; https://airflow.apache.org/docs/apache-airflow/stable/installation/upgrading_to_airflow3.html',
  doc: `An Airflow 2 module or name that the target Airflow no longer has: the import fails and the DAG file is an
import error. This covers \`airflow.operators.bash_operator\` and the other Airflow 2 shims (also in the module form
\`from airflow.operators import bash_operator\`), \`airflow.models.dataset\`, \`airflow.kubernetes.*\`, \`airflow.www.*\`,
names removed from modules that still exist (\`airflow.models.SlaMiss\`, \`airflow.models.taskinstance.Context\`,
\`airflow.settings\` constants, also read as \`settings.STATE_COLORS\` at parse time), Airflow 1 plugin-style imports (\`from airflow.operators import MyPluginOperator\`), and
provider APIs that later provider releases dropped (\`airflow.providers.postgres.operators\`, \`SnowflakeOperator\`).
The tables are generated from the real packages (\`scripts/gen-airflow-names.py\` diffs what Airflow 2.11 with older
provider releases and each Airflow 3 target export). Where Airflow or the tables know the new home, the fix rewrites
the import, keeping the local names (\`EmptyOperator as DummyOperator\`). With \`target-airflow = "3.4"\`, names
removed in 3.4 are reported too; with \`target-airflow = "2"\` the rule is off.

**Bad**
${py('from airflow.operators.bash_operator import BashOperator')}

**Good**
${py('from airflow.providers.standard.operators.bash import BashOperator')}`,
  check(context) {
    checkImports(context, true);
  },
};

export const deprecatedImport: Rule = {
  id: 'HGR109',
  name: 'deprecated-import',
  title: 'Import deprecated in Airflow 3',
  family: 'airflow3',
  severity: 'warning',
  safeFix: true,
  reference: 'ruff AIR311/AIR312; airflow/operators/__init__.py __deprecated_classes',
  doc: `Airflow 3 still resolves \`airflow.operators.bash\`, \`airflow.operators.python\`, \`airflow.sensors.*\`,
\`airflow.decorators\`, \`airflow.models.DAG\` and similar paths through deprecation shims that will be removed. The fix
imports from the standard provider or \`airflow.sdk\`.

**Bad**
${py('from airflow.decorators import dag, task\nfrom airflow.operators.bash import BashOperator')}

**Good**
${py('from airflow.sdk import dag, task\nfrom airflow.providers.standard.operators.bash import BashOperator')}`,
  check(context) {
    checkImports(context, false);
  },
};

export const airflowContrib: Rule = {
  id: 'HGR105',
  name: 'airflow-contrib',
  title: 'airflow.contrib import',
  family: 'airflow3',
  severity: 'error',
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow-providers/',
  doc: `\`airflow.contrib\` was removed: its operators, hooks and sensors live in provider packages
(\`apache-airflow-providers-*\`). Importing from it fails in Airflow 3.

**Bad**
${py('from airflow.contrib.operators.ssh_operator import SSHOperator')}

**Good**
${py('from airflow.providers.ssh.operators.ssh import SSHOperator')}`,
  check(context) {
    for (const imp of context.model.imports) {
      const contribName = imp.module === 'airflow' ? imp.names.find((n) => n.name === 'contrib') : undefined;
      if ((imp.module === 'airflow.contrib' || imp.module.startsWith('airflow.contrib.') || contribName) && !isGuardedImport(imp.node)) {
        context.report(contribName?.node ?? imp.moduleNode, `${imp.module}${contribName ? '.contrib' : ''} was removed in Airflow 3; install the provider package and import from airflow.providers.*.`);
      }
    }
  },
};

export const subdagOperator: Rule = {
  id: 'HGR106',
  name: 'subdag-operator',
  title: 'SubDagOperator',
  family: 'airflow3',
  severity: 'error',
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#taskgroups',
  doc: `SubDagOperator was removed in Airflow 3. Group tasks with a TaskGroup (or \`@task_group\`) instead.

**Bad**
${py('from airflow.operators.subdag import SubDagOperator\nSubDagOperator(task_id="section", subdag=make_subdag())')}

**Good**
${py('with TaskGroup("section"):\n    ...')}`,
  check(context) {
    for (const imp of context.model.imports) {
      const subdag = SUBDAG_MODULES.test(imp.module);
      if ((!subdag && !imp.names.some((name) => name.name === 'SubDagOperator')) || isGuardedImport(imp.node)) continue;
      if (subdag) context.report(imp.moduleNode, 'SubDagOperator was removed in Airflow 3; use a TaskGroup instead.');
      else for (const name of imp.names) if (name.name === 'SubDagOperator') context.report(name.node, 'SubDagOperator was removed in Airflow 3; use a TaskGroup instead.');
    }
  },
};

export const daysAgo: Rule = {
  id: 'HGR104',
  name: 'days-ago',
  title: 'days_ago() was removed',
  family: 'airflow3',
  severity: 'error',
  reference: 'ruff AIR301; https://airflow.apache.org/docs/apache-airflow/stable/faq.html#what-s-the-deal-with-start-date',
  doc: `\`airflow.utils.dates.days_ago\` was removed in Airflow 3 (importing it fails). It was also a moving start date.
Use a fixed date.

**Bad**
${py('from airflow.utils.dates import days_ago\nwith DAG("etl", start_date=days_ago(1)): ...')}

**Good**
${py('import pendulum\nwith DAG("etl", start_date=pendulum.datetime(2025, 1, 1, tz="UTC")): ...')}`,
  check(context) {
    for (const imp of context.model.imports) {
      if (imp.module !== 'airflow.utils.dates' || isGuardedImport(imp.node)) continue;
      const name = imp.names.find((n) => n.name === 'days_ago');
      if (name) context.report(name.node, 'days_ago was removed in Airflow 3; use a fixed start_date such as pendulum.datetime(2025, 1, 1, tz="UTC").');
    }
    if (!context.source.includes('.days_ago')) return;
    for (const { call } of callsByCallee(context, (callee) => callee.endsWith('.days_ago'))) {
      const callee = call.childForFieldName('function');
      if (callee?.type !== 'attribute' || callee.childForFieldName('attribute')?.text !== 'days_ago') continue;
      const object = callee.childForFieldName('object');
      const qualified = object ? context.model.qualifiedName(object.text.split('.')[0]!) : undefined;
      if (qualified && `${qualified}${object!.text.slice(object!.text.split('.')[0]!.length)}` === 'airflow.utils.dates') {
        context.report(callee, 'days_ago was removed in Airflow 3; use a fixed start_date such as pendulum.datetime(2025, 1, 1, tz="UTC").');
      }
    }
  },
};
