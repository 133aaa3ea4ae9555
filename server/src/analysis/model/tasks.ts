import type { Node } from '../parser';
import { canCoexist } from './branches';
import type { Context, DagBuilder, Variables } from './building';
import type { Dags } from './dags';
import type { Names } from './names';
import { keywordArguments, known, unknown } from './syntax';
import type { Known, TaskModel } from './types';
import type { Values } from './values';

export interface TaskflowFunction {
  readonly operator: string;
  readonly taskId: Known<string>;
  readonly args: Map<string, Node>;
}

interface TaskShape {
  readonly kind: TaskModel['kind'];
  readonly operator: string;
  readonly qualifiedOperator?: string;
  readonly taskId: Known<string>;
  readonly args: Map<string, Node>;
  readonly expandArgs: Map<string, Node>;
  readonly mapped: boolean;
}

/**
 * The fourth pass of the model builder: tasks. Recognises the calls that create one (`Op(...)`,
 * `Op.partial(...).expand(...)`, TaskFlow calls and `.override()`), works out the task id Airflow gives it (group
 * prefix, TaskFlow numbering, the ids of a literal loop) and files it under its DAG and groups.
 */
export class Tasks {
  /** `@task` functions by name. */
  readonly taskflowFunctions = new Map<string, TaskflowFunction>();
  /** Tasks by the id of the call that creates them. */
  readonly taskByNode = new Map<number, TaskModel>();
  readonly dagOfTask = new Map<TaskModel, DagBuilder>();
  /** Tasks created at module level outside any DAG. */
  readonly orphanTasks: TaskModel[] = [];
  /** TaskFlow and mapped tasks with the arguments that may pass another task's result (edges, once all tasks are known). */
  readonly dataArguments: { task: TaskModel; arg: Node }[] = [];

  constructor(
    private readonly source: string,
    private readonly names: Names,
    private readonly values: Values,
    private readonly dags: Dags,
    private readonly variables: Variables,
    /** Ids of the calls already taken as part of another (the `.partial()` of an `.expand()`, decorators). */
    private readonly handled: Set<number>,
  ) {}

  /** Recognizes `Op(...)`, `Op.partial(...).expand(...)`, `fn()`, `fn.override(...)()`, `fn.expand(...)`. */
  shapeOf(call: Node, callee: Node): TaskShape | undefined {
    let base = callee;
    let baseType = callee.type;
    const args = new Map<string, Node>();
    let expandArgs = new Map<string, Node>();
    let mapped = false;
    let overridden = false;
    if (baseType === 'attribute') {
      const method = callee.childForFieldName('attribute')?.text;
      const object = callee.childForFieldName('object');
      if ((method === 'expand' || method === 'expand_kwargs') && object) {
        mapped = true;
        expandArgs = keywordArguments(call, this.source);
        base = object;
        baseType = object.type;
        if (baseType === 'call') {
          const partial = object.childForFieldName('function');
          if (partial?.type === 'attribute' && partial.childForFieldName('attribute')?.text === 'partial') {
            this.handled.add(object.id);
            for (const [k, v] of keywordArguments(object, this.source)) args.set(k, v);
            base = partial.childForFieldName('object') ?? object;
            baseType = base.type;
          }
        }
      } else if (method === 'partial') {
        return undefined;
      }
    }
    if (baseType === 'call') {
      const inner = base.childForFieldName('function');
      if (inner?.type === 'attribute' && inner.childForFieldName('attribute')?.text === 'override') {
        this.handled.add(base.id);
        for (const [k, v] of keywordArguments(base, this.source)) args.set(k, v);
        base = inner.childForFieldName('object') ?? base;
        baseType = base.type;
        overridden = true;
      }
    }
    const baseName = baseType === 'identifier' ? base.text : undefined;
    const fn = baseName === undefined ? undefined : this.taskflowFunctions.get(baseName);
    if (fn) {
      const merged = new Map([...fn.args, ...args]);
      const explicit = args.get('task_id');
      return { kind: 'taskflow', operator: fn.operator, taskId: explicit ? this.values.evalString(explicit) : fn.taskId, args: merged, expandArgs, mapped };
    }
    if (overridden) return undefined;
    const operator = this.names.operatorClass(baseName === undefined ? this.names.qualify(base) : this.names.qualifyName(baseName));
    if (!operator) return undefined;
    if (!mapped) for (const [k, v] of keywordArguments(call, this.source)) args.set(k, v);
    const taskIdNode = args.get('task_id');
    const taskId: Known<string> = taskIdNode ? this.values.evalString(taskIdNode) : unknown('missing');
    return {
      kind: operator.sensor ? 'sensor' : 'operator', operator: operator.name, qualifiedOperator: operator.qualified,
      taskId, args, expandArgs, mapped,
    };
  }

  /** Files the task `call` creates; `inLoop`: the call may run several times; `variable`: `x = call(...)`. */
  create(call: Node, shape: TaskShape, context: Context, inLoop: boolean, variable: string | undefined): void {
    const prefix: Known<string> = context.group?.childPrefix ?? known('');
    const dag = this.dags.dagFor(shape.args.get('dag'), context);
    let taskId = shape.taskId;
    if (taskId.known) {
      if (!prefix.known) taskId = unknown('the task group id is not known statically');
      else if (prefix.value) taskId = known(`${prefix.value}.${taskId.value}`);
    }
    if (shape.kind === 'taskflow' && dag && taskId.known && prefix.known) taskId = uniqueTaskflowId(dag.tasks, taskId.value, prefix.value, { inLoop, branch: context.branch });
    const task: TaskModel = {
      variable,
      taskId,
      localId: shape.taskId,
      operator: shape.operator,
      qualifiedOperator: shape.qualifiedOperator,
      kind: shape.kind,
      node: call,
      args: shape.args,
      expandArgs: shape.expandArgs,
      mapped: shape.mapped,
      groupId: context.group?.model.groupId.known ? context.group.model.groupId.value : undefined,
      inLoop,
      repeatedInLoop: taskId.known && shape.kind !== 'taskflow' && context.repeatsAtDepth === context.branch.length,
      loopIds: !taskId.known && shape.kind !== 'taskflow' ? this.loopIds(shape.args.get('task_id'), context, prefix) : undefined,
      branch: context.branch,
    };
    this.taskByNode.set(call.id, task);
    for (let group = context.group; group; group = group.parent) group.tasks.push(task);
    if (dag) {
      dag.tasks.push(task);
      this.dagOfTask.set(task, dag);
    } else if (dag === null && context.mode === 'module') {
      this.orphanTasks.push(task);
    }
    if (variable) this.variables.set(variable, { kind: 'tasks', tasks: [task] });
    if (shape.kind === 'taskflow' || shape.mapped) {
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) if (arg) this.dataArguments.push({ task, arg });
    }
  }

  /** Airflow moves a DAG-less task into the DAG of the first task it gets a dependency with. */
  adopt(task: TaskModel, dag: DagBuilder | undefined): DagBuilder | undefined {
    const orphan = this.orphanTasks.indexOf(task);
    if (!dag || orphan < 0) return undefined;
    this.orphanTasks.splice(orphan, 1);
    dag.tasks.push(task);
    this.dagOfTask.set(task, dag);
    return dag;
  }

  /** The local ids a task_id expression takes on each iteration of the enclosing literal loop, when all are known. */
  private loopIds(idNode: Node | undefined, context: Context, prefix: Known<string>): string[] | undefined {
    const binding = context.loopBinding;
    if (!idNode || !binding || binding.depth !== context.branch.length || !prefix.known) return undefined;
    return this.values.evalForEach(idNode, binding);
  }
}

/**
 * The id Airflow gives a TaskFlow call (get_unique_task_id): its own when free in the DAG, else the local id with the
 * next number (`load__1`, `load__2`), the numbers found among the DAG's full ids as Airflow does. Unknown when an
 * earlier call with that id is in a loop, or this one is: the number depends on how many calls ran.
 */
function uniqueTaskflowId(tasks: readonly TaskModel[], full: string, prefix: string, at: { inLoop: boolean; branch: readonly string[] }): Known<string> {
  const taken = tasks.filter((task) => task.taskId.known && task.taskId.value === full);
  if (taken.length === 0) return known(full);
  if (at.inLoop || taken.some((task) => task.inLoop)) return unknown('a TaskFlow task called more than once gets a numbered id that depends on how many calls ran');
  if (!taken.some((task) => canCoexist(task, at))) return known(full);
  const core = (prefix ? full.slice(prefix.length + 1) : full).replace(/__\d+$/, '');
  let highest = 0;
  for (const task of tasks) {
    const suffix = task.taskId.known && task.taskId.value.startsWith(`${core}__`) ? task.taskId.value.slice(core.length + 2) : undefined;
    if (suffix !== undefined && /^\d+$/.test(suffix)) highest = Math.max(highest, Number(suffix));
  }
  return known(`${prefix ? `${prefix}.` : ''}${core}__${highest + 1}`);
}
