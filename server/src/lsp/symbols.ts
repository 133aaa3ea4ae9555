import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver/node';
import type { DagFileModel, DagModel, TaskModel } from '../analysis/model/types';
import { dagExtent, dagLabel, groupExtent, groupLabel, rangeOfNode, taskLabel } from './modelQueries';

function taskSymbol(task: TaskModel): DocumentSymbol {
  const range = rangeOfNode(task.node);
  const id = task.args.get('task_id');
  return { name: taskLabel(task), detail: task.operator, kind: SymbolKind.Function, range, selectionRange: id ? rangeOfNode(id) : range };
}

function dagSymbol(dag: DagModel): DocumentSymbol {
  const groups = new Map<string, DocumentSymbol>();
  const roots: DocumentSymbol[] = [];
  for (const group of dag.groups) {
    if (!group.groupId.known) continue;
    const range = groupExtent(dag, group);
    const symbol: DocumentSymbol = { name: groupLabel(group), detail: 'TaskGroup', kind: SymbolKind.Namespace, range, selectionRange: rangeOfNode(group.node), children: [] };
    groups.set(group.groupId.value, symbol);
  }
  for (const group of dag.groups) {
    if (!group.groupId.known) continue;
    const symbol = groups.get(group.groupId.value)!;
    const parent = group.parentId ? groups.get(group.parentId) : undefined;
    (parent?.children ?? roots).push(symbol);
  }
  for (const task of dag.tasks) {
    const parent = task.groupId ? groups.get(task.groupId) : undefined;
    (parent?.children ?? roots).push(taskSymbol(task));
  }
  const id = dag.args.get('dag_id');
  const range = dagExtent(dag);
  return {
    name: dagLabel(dag),
    detail: `DAG · ${dag.tasks.length} task${dag.tasks.length === 1 ? '' : 's'}`,
    kind: SymbolKind.Class,
    range,
    selectionRange: id ? rangeOfNode(id) : rangeOfNode(dag.node),
    children: roots,
  };
}

/** The outline: DAG -> task groups -> tasks. */
export function documentSymbols(model: DagFileModel | undefined): DocumentSymbol[] {
  return model?.dags.map(dagSymbol) ?? [];
}
