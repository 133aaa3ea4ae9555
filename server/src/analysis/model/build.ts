import type { Node, Tree } from '../parser';
import { MODULE_CONTEXT, type Variables } from './building';
import { Calls } from './calls';
import { Dags } from './dags';
import { Edges } from './edges';
import { Names } from './names';
import { parseTimeOracle } from './parseTime';
import { Scope } from './scope';
import { Tasks } from './tasks';
import type { DagFileModel } from './types';
import { Values } from './values';
import { Walk } from './walk';

/**
 * Builds the DAG model of one file. The passes, each with its own state and file, are, in the order they depend
 * on each other: names and imports (names.ts) → scopes and values (values.ts) → DAGs and groups (dags.ts) → tasks
 * (tasks.ts) → edges (edges.ts). One walk over the statements (walk.ts) carries the context each statement runs
 * in and hands its calls (calls.ts: found once in the text, in document order) to the pass they concern.
 */
export function buildModel(tree: Tree, source: string): DagFileModel {
  const root = tree.rootNode;
  const variables: Variables = new Map();
  const handled = new Set<number>();
  const names = new Names(root, source);
  const values = new Values(root, source);
  const dags = new Dags(values, variables);
  const tasks = new Tasks(source, names, values, dags, variables, handled);
  const edges = new Edges(names, values, tasks, variables);
  const calls = new Calls(tree, root, source, { names, dags, tasks, edges, variables }, handled);
  const walk = new Walk(root, source, { names, values, dags, tasks, edges, calls, variables });

  walk.block(root, MODULE_CONTEXT);
  calls.consume(Number.MAX_SAFE_INTEGER, MODULE_CONTEXT, root);
  edges.resolveDataDependencies();
  dags.settleDagFunctions();
  return fileModel(root, source, { names, values, dags, tasks, edges, walk });
}

/** The model the rules read, from the passes' results. */
function fileModel(
  root: Node,
  source: string,
  { names, values, dags, tasks, edges, walk }: { names: Names; values: Values; dags: Dags; tasks: Tasks; edges: Edges; walk: Walk },
): DagFileModel {
  const runtime = [...walk.runtimeFunctions];
  for (const name of values.callbackNames) runtime.push(...(names.functionsByName.get(name) ?? []));
  let allCalls: Node[] | undefined;
  const calls = (): Node[] => (allCalls ??= root.descendantsOfType('call').filter((n): n is Node => n !== null));
  const isParseTime = parseTimeOracle(runtime, walk.parseTimeFunctions, names.functionsByName, calls);
  return {
    looksLikeDagFile: /airflow/i.test(source) && /dag/i.test(source),
    imports: names.imports,
    dags: dags.dags.map((dag) => ({ ...dag })),
    orphanTasks: tasks.orphanTasks,
    crossDagEdges: edges.crossDagEdges,
    undefinedDependencyNames: edges.undefinedNames.length === 0 || values.scope.dynamic ? [] : edges.undefinedNames,
    topLevelStatements: root.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment'),
    runtimeFunctions: runtime,
    get calls() {
      return calls();
    },
    isParseTime,
    qualifiedName: (name: string) => names.aliases.get(name),
    isBound: (name: string) => names.aliases.has(name) || values.moduleAssignments.has(name) || names.functionsByName.has(name)
      || names.localClasses.has(name) || Scope.isBuiltin(name) || values.scope.dynamic || values.scope.binds(name),
  };
}
