import type { DagFileModel, DagModel, Known, TaskGroupModel, TaskModel } from '../analysis/model/types';
import type { Node } from '../analysis/parser';
import { argumentOf, calleeName, groupArguments, loopIterable, positional, wholeCall } from './callSyntax';
import { ModuleNames } from './moduleNames';
import { compare, sortedRecord } from './order';
import { digestOf, type SourceText } from './sourceText';
import type { DagSnapshot, EdgeSnapshot, GroupSnapshot, TaskSnapshot } from './types';

/** The DAG snapshots of one analysed file, and digests of the code they leave undescribed (see FileSnapshot). */
export interface FileDags {
  readonly dags: readonly Omit<DagSnapshot, 'file'>[];
  readonly residual: string;
  readonly names: Record<string, string>;
}

/** Reads the model of one file (its tree must still be alive) into snapshots; `source` is the file's tree. */
export function snapshotModel(model: DagFileModel, root: Node, source: SourceText): FileDags {
  const names = new ModuleNames(model, source);
  const described: Node[] = [];
  const dags = model.dags.map((dag, index) => {
    const reader = new DagReader(dag, names, source);
    const snapshot = reader.snapshot(index);
    described.push(...reader.described);
    return snapshot;
  });
  described.push(...modelImports(model, dags));
  const describedIds = new Set(described.map((n) => n.id));
  const fileNames = names.fileNames(describedIds);
  for (const node of fileNames.nodes) describedIds.add(node.id);
  return { dags, residual: digestOf(source.text(root, describedIds)), names: fileNames.digests };
}

/** Names the snapshot itself accounts for when Airflow provides them: the model's vocabulary. */
const MODEL_VOCABULARY = new Set(['DAG', 'dag', 'task', 'TaskGroup', 'task_group', 'chain', 'chain_linear', 'cross_downstream', 'Param']);

/**
 * Imported names the snapshots account for: the operator classes of the tasks (their qualified names are
 * compared) and Airflow's DAG vocabulary. Any other import stays in the residual: a helper imported from
 * elsewhere may change what an unchanged argument computes.
 */
function modelImports(model: DagFileModel, dags: readonly Omit<DagSnapshot, 'file'>[]): Node[] {
  const operators = new Set(dags.flatMap((d) => d.tasks.flatMap((t) => (t.qualifiedOperator ? [t.qualifiedOperator] : []))));
  return model.imports.flatMap((statement) =>
    statement.names
      .filter((n) => operators.has(`${statement.module}.${n.name}`) || (/^airflow(\.|$)/.test(statement.module) && MODEL_VOCABULARY.has(n.name)))
      .map((n) => n.node),
  );
}

const NOT_SETTINGS = new Set(['dag_id']);
const NOT_TASK_ARGS = new Set(['task_id', 'dag']);
const NOT_GROUP_ARGS = new Set(['group_id', 'dag']);

/** One DAG's snapshot; `described` collects the nodes the snapshot accounts for. */
class DagReader {
  readonly described: Node[] = [];
  /** Nodes whose names lead to module constants and definitions the DAG uses. */
  private readonly roots: Node[] = [];

  constructor(private readonly dag: DagModel, private readonly names: ModuleNames, private readonly source: SourceText) {}

  snapshot(index: number): Omit<DagSnapshot, 'file'> {
    const { dag } = this;
    const idNode = dag.args.get('dag_id') ?? (dag.kind === 'decorator' ? undefined : positional(dag.node)[0]);
    if (idNode) this.described.push(argumentOf(idNode));
    this.described.push(...wholeCall(dag.node, idNode));
    const id = idText(dag.dagId, this.unknownId(idNode));
    const loop = dag.inLoop ? loopIterable(dag.callSite ?? dag.node) : undefined;
    if (loop) this.described.push(loop);
    const settings = this.readArgs(dag.args, NOT_SETTINGS);
    const defaultArgs = dag.defaultArgs ? this.readArgs(dag.defaultArgs, new Set()) : undefined;
    const groups = dag.groups.map((g) => this.group(g));
    const tasks = dag.tasks.map((t) => this.task(t));
    const edges = uniqueEdges(dag.edges.map((e) => {
      this.described.push(e.node);
      return { upstream: this.idOfTask(e.upstream).id, downstream: this.idOfTask(e.downstream).id };
    }));
    const used = this.names.used(this.roots, this.boundToModel());
    this.described.push(...tasks.flatMap((t) => (t.operator.startsWith('@') && t.callable ? this.names.decoratedDefinitions(t.callable) : [])));
    return {
      dagId: id.id,
      known: id.known,
      ...(id.why ? { why: id.why } : {}),
      index,
      ...(loop ? { loop: this.source.text(loop) } : {}),
      settings,
      ...(defaultArgs ? { defaultArgs } : {}),
      constants: used.constants,
      definitions: used.definitions,
      tasks: [...tasks].sort((a, b) => compare(a.taskId, b.taskId)),
      edges,
      groups: [...groups].sort((a, b) => compare(a.groupId, b.groupId)),
    };
  }

  private task(task: TaskModel): TaskSnapshot {
    this.described.push(task.node);
    const loop = task.loopIds ? loopIterable(task.node) : undefined;
    if (loop) this.described.push(loop);
    const id = this.idOfTask(task);
    const args = this.readArgs(task.args, NOT_TASK_ARGS);
    const taskflow = task.kind === 'taskflow';
    const callArguments = taskflow || task.mapped ? task.node.childForFieldName('arguments') : null;
    if (callArguments) this.roots.push(callArguments);
    const pythonCallable = task.args.get('python_callable');
    const callable = taskflow ? calleeName(task.node) : pythonCallable?.type === 'identifier' ? pythonCallable.text : undefined;
    // The callee leads to the TaskFlow function, or to an operator class defined in the file.
    const callee = task.node.childForFieldName('function');
    if (callee) this.roots.push(callee);
    return {
      taskId: id.id,
      known: id.known,
      ...(id.why ? { why: id.why } : {}),
      localId: task.localId.known ? task.localId.value : this.unknownId(task.args.get('task_id')),
      operator: task.operator,
      ...(task.qualifiedOperator ? { qualifiedOperator: task.qualifiedOperator } : {}),
      ...(task.groupId !== undefined ? { group: task.groupId } : {}),
      args,
      ...(task.mapped && callArguments ? { expand: this.source.text(callArguments) } : {}),
      ...(!task.mapped && callArguments ? { inputs: this.source.text(callArguments) } : {}),
      ...(callable ? { callable } : {}),
      ...(task.loopIds ? { loopIds: [...task.loopIds] } : {}),
    };
  }

  private group(group: TaskGroupModel): GroupSnapshot {
    const { args, idNode } = groupArguments(group.node);
    if (idNode) this.described.push(argumentOf(idNode), ...wholeCall(group.node, idNode));
    return {
      groupId: idText(group.groupId, this.unknownId(idNode)).id,
      known: group.groupId.known,
      ...(group.parentId !== undefined ? { parent: group.parentId } : {}),
      args: this.readArgs(args, NOT_GROUP_ARGS),
    };
  }

  /** Canonical text of each argument but the excluded ones; the arguments count as described and as roots. */
  private readArgs(args: ReadonlyMap<string, Node>, exclude: ReadonlySet<string>): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [name, value] of args) {
      this.described.push(argumentOf(value));
      if (exclude.has(name)) continue;
      out[name] = this.source.text(value);
      this.roots.push(value);
    }
    return sortedRecord(out);
  }

  /** `?(expr)`: an id the model cannot know, written as the expression that computes it. */
  private unknownId(node: Node | undefined): string {
    return `?(${node ? this.source.text(node) : 'missing'})`;
  }

  /**
   * A task's id; unknown: `?(expr)` of its `task_id`, or `?(group expr).local_id` for a known local id inside this
   * DAG's one TaskGroup whose id is unknown (`?(group)` when there are several).
   */
  private idOfTask(task: TaskModel): IdText {
    if (task.taskId.known || !task.localId.known) return idText(task.taskId, this.unknownId(task.args.get('task_id')));
    const unknownGroups = this.dag.groups.filter((g) => !g.groupId.known);
    const group = unknownGroups.length === 1 ? this.unknownId(groupArguments(unknownGroups[0]!.node).idNode) : '?(group)';
    return idText(task.taskId, `${group}.${task.localId.value}`);
  }

  /**
   * Names bound to the DAG, its tasks and groups, and a `default_args` variable the model resolved (compared entry
   * by entry): none of them is a constant of its own.
   */
  private boundToModel(): Set<string> {
    const { dag } = this;
    const defaultArgs = dag.args.get('default_args');
    const names = [dag.variable, ...dag.tasks.map((t) => t.variable), ...dag.groups.map((g) => g.variable), dag.defaultArgs && defaultArgs?.type === 'identifier' ? defaultArgs.text : undefined];
    return new Set(names.filter((n): n is string => n !== undefined));
  }
}

interface IdText {
  readonly id: string;
  readonly known: boolean;
  readonly why?: string;
}

function idText(id: Known<string>, unknownText: string): IdText {
  return id.known ? { id: id.value, known: true } : { id: unknownText, known: false, why: id.why };
}

function uniqueEdges(edges: EdgeSnapshot[]): EdgeSnapshot[] {
  const byKey = new Map(edges.map((e) => [`${e.upstream}\0${e.downstream}`, e]));
  return [...byKey.entries()].sort(([a], [b]) => compare(a, b)).map(([, e]) => e);
}
