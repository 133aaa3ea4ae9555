import { positionalArguments } from '../../model/syntax';
import type { Node } from '../../parser';
import { callsByCallee, py } from '../helpers';
import type { Rule } from '../rule';

export const undefinedDependencyName: Rule = {
  id: 'HGR012',
  name: 'undefined-name',
  title: 'Undefined name in a dependency or call at parse time',
  family: 'import-error',
  severity: 'error',
  reference: 'https://docs.python.org/3/library/exceptions.html#NameError',
  doc: `A name used in \`>>\`, \`<<\`, \`chain(...)\` or \`set_downstream(...)\`, or called while Airflow parses the file
(a class such as an operator that was never imported), is bound nowhere in the file: Airflow fails with \`NameError\`. Files with
\`from x import *\` or \`globals()\` are skipped.

**Bad**
${py('extract >> transfrom >> load')}

**Good**
${py('extract >> transform >> load')}`,
  check(context) {
    const reported = new Set<string>();
    for (const name of context.model.undefinedDependencyNames) {
      reported.add(name.text);
      context.report(name, `"${name.text}" is not defined in this file.`);
    }
    // Class-like names only (an operator or sensor that was never imported): cheap, and where the mistakes are.
    const unbound = (callee: string): boolean => /^[A-Z]\w*$/.test(callee) && !reported.has(callee) && !context.model.isBound(callee);
    for (const { call, callee } of callsByCallee(context, unbound)) {
      if (reported.has(callee) || !context.model.isParseTime(call)) continue;
      reported.add(callee);
      context.report(call.childForFieldName('function') ?? call, `"${callee}" is not defined in this file${/^[A-Z]\w*(Operator|Sensor)$/.test(callee) ? ' (missing import?)' : ''}; Python raises NameError when Airflow parses it.`);
    }
  },
};

export const crossDagDependency: Rule = {
  id: 'HGR013',
  name: 'cross-dag-dependency',
  title: 'Dependency between tasks of different DAGs',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/howto/operator/external_task_sensor.html',
  doc: `\`>>\` between tasks of two DAGs raises "Tried to set relationships between tasks in more than one DAG". Use
an asset schedule, \`TriggerDagRunOperator\` or \`ExternalTaskSensor\` to link DAGs.

**Bad**
${py('with DAG("a"): export = EmptyOperator(task_id="export")\nwith DAG("b"): load = EmptyOperator(task_id="load")\nexport >> load')}

**Good**
${py('with DAG("b", schedule=[Asset("s3://bucket/export")]): load = EmptyOperator(task_id="load")')}`,
  check(context) {
    const seen = new Set<number>();
    for (const edge of context.model.crossDagEdges) {
      if (seen.has(edge.node.id)) continue;
      seen.add(edge.node.id);
      context.report(edge.node, 'These tasks belong to different DAGs; Airflow cannot set dependencies across DAGs.');
    }
  },
};

export const chainLengthMismatch: Rule = {
  id: 'HGR019',
  name: 'chain-length-mismatch',
  title: 'chain() between lists of different lengths',
  family: 'import-error',
  severity: 'error',
  reference: 'https://airflow.apache.org/docs/apache-airflow/stable/core-concepts/dags.html#task-dependencies',
  doc: `\`chain()\` connects two adjacent lists pairwise, so they must have the same length; otherwise Airflow raises
\`ValueError\` at import. To connect every task of one list to every task of the next, use \`cross_downstream\` or
\`chain_linear\`.

**Bad**
${py('chain([extract_a, extract_b], [load_x, load_y, load_z])')}

**Good**
${py('chain_linear([extract_a, extract_b], [load_x, load_y, load_z])')}`,
  check(context) {
    if (!context.source.includes('chain(')) return;
    const isChain = (callee: string): boolean => {
      if (!/(^|\.)chain$/.test(callee)) return false;
      const qualified = context.model.qualifiedName(callee.split('.')[0]!) ?? callee;
      return qualified === 'chain' || qualified.startsWith('airflow.');
    };
    for (const { call } of callsByCallee(context, isChain)) {
      const args = positionalArguments(call);
      for (let i = 0; i + 1 < args.length; i++) {
        const a = args[i]!;
        const b = args[i + 1]!;
        if (!LISTS.has(a.type) || !LISTS.has(b.type) || hasSplat(a) || hasSplat(b)) continue;
        if (a.namedChildCount !== b.namedChildCount) {
          context.report(b, `chain() pairs adjacent lists element by element, but these have ${a.namedChildCount} and ${b.namedChildCount} tasks; use chain_linear() or cross_downstream() to connect all of them.`);
        }
      }
    }
  },
};

const LISTS = new Set(['list', 'tuple']);
const hasSplat = (node: Node): boolean => node.namedChildren.some((c) => c?.type === 'list_splat' || c?.type === 'comment');
