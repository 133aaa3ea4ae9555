import { callHeads } from '../model/callHeads';
import { callStartingAt } from '../model/syntax';
import type { DagModel, Known, TaskModel } from '../model/types';
import type { Node } from '../parser';
import type { RuleContext } from './rule';

/** Every task the model knows, in a DAG or not. */
export function allTasks(context: RuleContext): TaskModel[] {
  const tasks: TaskModel[] = [];
  for (const dag of context.model.dags) tasks.push(...dag.tasks);
  tasks.push(...context.model.orphanTasks);
  return tasks;
}

export function knownValue<T>(value: Known<T>): T | undefined {
  return value.known ? value.value : undefined;
}

/**
 * Where to report a problem with a DAG argument: Airflow builds an `@dag` DAG when the function is called, so
 * its errors point at that call; a classic DAG's at the argument itself.
 */
export function dagErrorAt(dag: DagModel, argument: Node): Node {
  return dag.kind === 'decorator' && dag.callSite ? dag.callSite : argument;
}

/** Fenced python block for rule docs. */
export function py(code: string): string {
  return '```python\n' + code.trim() + '\n```';
}

/**
 * Calls whose callee text (`requests.get`, `BashOperator`) passes `accept`, found in the source text and located in
 * the tree: much cheaper than visiting every call when only a few names matter. Matches in strings or comments are
 * dropped (they resolve to no call).
 */
export function callsByCallee(context: RuleContext, accept: (callee: string) => boolean): { call: Node; callee: string }[] {
  const result: { call: Node; callee: string }[] = [];
  for (const { index, calleeEnd, callee } of callHeads(context.tree, context.source)) {
    if (!accept(callee)) continue;
    const call = callStartingAt(context.tree.rootNode, index, calleeEnd);
    if (call) result.push({ call, callee });
  }
  return result;
}
