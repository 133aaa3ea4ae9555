import type { Node } from '../parser';
import type { Context, DagBuilder, Group, Variables } from './building';
import type { Values } from './values';
import { known, positionalArguments, unknown } from './syntax';
import type { DagModel, Known, TaskGroupModel } from './types';

/**
 * The third pass of the model builder: DAGs and task groups, in every form (`with DAG(...)`, `dag = DAG(...)`,
 * `@dag` functions, `TaskGroup(...)`, `@task_group` functions), with their ids and where they were created.
 */
export class Dags {
  readonly dags: DagBuilder[] = [];
  /** `@dag` functions by name: whether the module calls them is settled once the walk is over. */
  readonly dagFunctions = new Map<string, DagBuilder>();

  constructor(
    private readonly values: Values,
    private readonly variables: Variables,
  ) {}

  /** A new DAG; `inLoop`: it may be built several times (in a loop, comprehension or function). */
  newDag(node: Node, kind: DagModel['kind'], args: Map<string, Node>, variable: string | undefined, context: Context, inLoop: boolean, decoratorId?: Known<string>): DagBuilder {
    let dagId: Known<string>;
    if (decoratorId) dagId = decoratorId;
    else {
      const idNode = args.get('dag_id') ?? (node.type === 'call' ? positionalArguments(node)[0] : undefined);
      dagId = idNode ? this.values.evalString(idNode) : unknown('missing');
    }
    const dag: DagBuilder = { dagId, kind, node, args, variable, tasks: [], groups: [], edges: [], inLoop, branch: context.branch, defaultArgs: this.values.dictEntries(args.get('default_args')) };
    this.dags.push(dag);
    return dag;
  }

  /** `TaskGroup(...)`: the group id from `group_id=` or the first positional argument. */
  newGroup(call: Node, args: Map<string, Node>, positional: Node | undefined, variable: string | undefined, context: Context, inLoop: boolean): Group {
    const idNode = args.get('group_id') ?? (positional?.type === 'keyword_argument' ? undefined : positional);
    const raw: Known<string> = idNode ? (idNode.type === 'none' ? known('') : this.values.evalString(idNode)) : unknown('missing');
    return this.groupFrom(call, raw, args, variable, context, inLoop);
  }

  /** A group with the local id `raw`, under the context's group; registered with its DAG. */
  groupFrom(node: Node, raw: Known<string>, args: Map<string, Node>, variable: string | undefined, context: Context, inLoop: boolean, callSite?: Node): Group {
    const parentPrefix = context.group?.childPrefix ?? known('');
    let groupId: Known<string>;
    if (!raw.known) groupId = raw;
    else if (!parentPrefix.known) groupId = unknown('the parent task group id is not known statically');
    else groupId = known(parentPrefix.value ? `${parentPrefix.value}.${raw.value}` : raw.value);
    const model: TaskGroupModel = {
      groupId,
      localId: raw,
      callSite,
      node,
      variable,
      parentId: context.group?.model.groupId.known ? context.group.model.groupId.value : undefined,
      inLoop,
      branch: context.branch,
    };
    const prefixArg = args.get('prefix_group_id');
    const childPrefix = prefixArg?.type === 'false' ? parentPrefix : prefixArg && prefixArg.type !== 'true' ? unknown<string>('prefix_group_id is not a literal') : groupId;
    const dag = this.dagFor(args.get('dag'), context);
    if (dag) dag.groups.push(model);
    return { model, childPrefix, parent: context.group, tasks: [] };
  }

  /** The DAG a task or group belongs to: `dag=` wins over the context; undefined = unknown DAG, null = none at all. */
  dagFor(dagArg: Node | undefined, context: Context): DagBuilder | undefined | null {
    if (dagArg) {
      if (dagArg.type === 'identifier') {
        const value = this.variables.get(dagArg.text);
        if (value?.kind === 'dag') return value.dag;
      }
      if (dagArg.type === 'none') return context.dag ?? null;
      return undefined;
    }
    return context.dag ?? null;
  }

  /** Once the walk is over: which `@dag` functions the module calls, and where first. */
  settleDagFunctions(): void {
    if (this.dagFunctions.size === 0) return;
    const called = this.values.calledNames();
    for (const [name, dag] of this.dagFunctions) {
      dag.called = called.has(name);
      if (dag.called) dag.callSite = this.values.firstCallOf(name);
    }
  }
}
