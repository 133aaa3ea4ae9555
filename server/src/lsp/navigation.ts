import type { CodeLens, Location } from 'vscode-languageserver/node';
import type { HangarInitializationOptions } from '../protocol';
import type { CurrentAnalysis } from './analyzer';
import { dagLabel, nodeAt, rangeOfNode, taskAt, type Position } from './modelQueries';

/** From a task variable (in `a >> b`, `chain(a, b)`, ...) to the call that creates the task. */
export function definition(analysis: CurrentAnalysis, position: Position): Location | null {
  const tree = analysis.stored.parsed;
  if (!tree || !analysis.model) return null;
  const node = nodeAt(tree, position);
  if (node?.type !== 'identifier') return null;
  const hit = taskAt(analysis.model, node);
  if (!hit) return null;
  return { uri: analysis.uri, range: rangeOfNode(hit.task.node) };
}

/** Lenses offered above a DAG besides the task count: each only when the extension registered its command. */
const ACTIONS: { command: string; title: string; needsTrust: boolean }[] = [
  { command: 'hangar.showDagGraph', title: '$(type-hierarchy) Show Graph', needsTrust: false },
  { command: 'hangar.validateDag', title: 'Validate', needsTrust: true },
  { command: 'hangar.testDag', title: 'Test', needsTrust: true },
  { command: 'hangar.deploy', title: 'Deploy', needsTrust: true },
];

/**
 * Above each DAG: "N tasks", "Show Graph", and "Validate", "Test", "Deploy" when those commands exist. In a file
 * Python cannot parse the count would be a guess (tasks after the error are missing): the lens says so instead.
 */
export function codeLenses(analysis: CurrentAnalysis, options: HangarInitializationOptions): CodeLens[] {
  const lenses: CodeLens[] = [];
  const syntaxError = analysis.stored.parsed?.rootNode.hasError === true || analysis.findings.some((f) => f.ruleId === 'HGR001');
  for (const dag of analysis.model?.dags ?? []) {
    const start = rangeOfNode(dag.node).start;
    const range = { start, end: start };
    const dagId = dag.dagId.known ? dag.dagId.value : undefined;
    const count = dag.tasks.length;
    lenses.push({ range, command: { title: syntaxError ? '$(error) syntax error: tasks not counted' : `${count} task${count === 1 ? '' : 's'}`, command: '' } });
    for (const action of ACTIONS) {
      if (!options.commands.includes(action.command) || (action.needsTrust && !options.trusted)) continue;
      lenses.push({ range, command: { title: action.title, command: action.command, arguments: [analysis.uri, dagId ?? dagLabel(dag)] } });
    }
  }
  return lenses;
}
