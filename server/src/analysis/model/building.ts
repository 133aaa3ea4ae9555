import type { Node } from '../parser';
import type { DagModel, EdgeModel, Known, TaskGroupModel, TaskModel } from './types';

/**
 * What the passes of the model builder share while the walk runs: where the walk is (Context), the DAGs and
 * groups under construction, and what each variable holds.
 */

export type Mode = 'module' | 'function' | 'runtime';

/** Where a statement sits: its DAG, task groups, loop, branch, and whether it runs at parse time. */
export interface Context {
  readonly dag?: DagBuilder;
  readonly group?: Group;
  readonly inLoop: boolean;
  readonly branch: readonly string[];
  readonly mode: Mode;
  /** Inside the body of a loop known to run at least twice, at this branch depth (tasks deeper are conditional). */
  readonly repeatsAtDepth?: number;
  /** `for NAME in ["a", "b"]`: the loop variable's values, for tasks directly in the loop body (at this branch depth). */
  readonly loopBinding?: LoopBinding;
}

export interface LoopBinding {
  readonly name: string;
  readonly values: readonly string[];
  readonly depth: number;
}

export const MODULE_CONTEXT: Context = { inLoop: false, branch: [], mode: 'module' };

/** A DAG while its tasks, groups and edges are being collected (DagModel once built). */
export interface DagBuilder {
  dagId: Known<string>;
  kind: DagModel['kind'];
  node: Node;
  args: Map<string, Node>;
  variable?: string;
  tasks: TaskModel[];
  groups: TaskGroupModel[];
  edges: EdgeModel[];
  called?: boolean;
  callSite?: Node;
  inLoop: boolean;
  branch: readonly string[];
  defaultArgs?: ReadonlyMap<string, Node>;
}

export interface Group {
  readonly model: TaskGroupModel;
  /** Prefix for the ids of its children ('' when `prefix_group_id=False` up the chain). */
  readonly childPrefix: Known<string>;
  readonly parent?: Group;
  /** Every task created inside it, nested groups included, in order. */
  readonly tasks: TaskModel[];
}

/** What a variable holds, as far as dependencies care. */
export type Value =
  | { kind: 'tasks'; tasks: TaskModel[] }
  | { kind: 'dag'; dag: DagBuilder }
  | { kind: 'group'; group: Group }
  | { kind: 'opaque' };

/** Variables by name, as assigned so far in the walk (flow-insensitive across scopes, like the model always was). */
export type Variables = Map<string, Value>;
