import type { Node } from '../parser';
import type { Group, Variables } from './building';
import type { Names } from './names';
import type { ShiftChain, ShiftOperand } from './shiftText';
import { positionalArguments } from './syntax';
import type { Tasks } from './tasks';
import type { EdgeModel, TaskModel } from './types';
import type { Values } from './values';

const SETUP_TEARDOWN = new Set(['as_setup', 'as_teardown']);
const DEPENDENCY_FUNCTIONS = new Set(['chain', 'chain_linear', 'cross_downstream']);

/** What an expression stands for in a dependency. */
export interface Operand {
  readonly tasks: TaskModel[];
  /** Some part could not be resolved to tasks. */
  readonly unknown: boolean;
  readonly isList: boolean;
  /** Where a dependency attaches when this is downstream / upstream, when not `tasks` (TaskGroups). */
  readonly roots?: readonly TaskModel[];
  readonly leaves?: readonly TaskModel[];
}

const NOTHING_KNOWN: Operand = { tasks: [], unknown: true, isList: false };

/**
 * The last pass of the model builder: dependency edges, from `>>` / `<<` (lists and TaskGroups included),
 * `set_upstream` / `set_downstream`, `chain`, `chain_linear`, `cross_downstream`, `.as_teardown(setups=...)` and
 * TaskFlow data passing. Also collects the dependency operands nothing in the file binds.
 */
export class Edges {
  /** Dependencies between tasks of two different DAGs. */
  readonly crossDagEdges: EdgeModel[] = [];
  /** Identifiers used as dependency operands that were bound by nothing (reported unless names are dynamic). */
  readonly undefinedNames: Node[] = [];

  constructor(
    private readonly names: Names,
    private readonly values: Values,
    private readonly tasks: Tasks,
    private readonly variables: Variables,
  ) {}

  /**
   * A statement of names and lists of names joined by `>>` / `<<` (see parseShiftChain), read from its text: the
   * same as shiftDependency, with the tree read only for the nodes that end up in the model.
   */
  shiftChain(statement: Node, chain: ShiftChain): void {
    const offset = statement.startIndex;
    const operand = ({ names, isList }: ShiftOperand): Operand => {
      const values = names.map(({ name, start }) => {
        const node = (): Node => statement.descendantForIndex(offset + start, offset + start + name.length) ?? statement;
        return this.valueOfName(name, true, node);
      });
      return isList ? listOperand(values) : values[0]!;
    };
    const first = chain.operands[0]!;
    let left = operand(first);
    chain.operators.forEach((operator, i) => {
      const next = chain.operands[i + 1]!;
      const right = operand(next);
      const [upstream, downstream] = operator === '>>' ? [left, right] : [right, left];
      if (upstreamSide(upstream).length > 0 && downstreamSide(downstream).length > 0) {
        // The `>>` of this step spans from the first operand to this one (the operators associate to the left).
        this.connect(upstream, downstream, statement.descendantForIndex(offset + first.start, offset + next.end) ?? statement);
      }
      left = right;
    });
  }

  /** `a >> b >> [c, d]`: returns the right-hand tasks, as Airflow's `__rshift__` returns its argument. */
  shiftDependency(node: Node): Operand {
    const operator = shiftOperator(node);
    if (!operator) return this.valueOf(node, true);
    const left = this.shiftDependency(node.childForFieldName('left')!);
    const right = this.valueOf(node.childForFieldName('right')!, true);
    const downstream = operator === '>>';
    this.connect(downstream ? left : right, downstream ? right : left, node);
    return right;
  }

  /** `a.set_downstream(b)`, `chain(a, b, [c, d])`, `cross_downstream([a], [b])`. */
  callDependency(call: Node): void {
    const callee = call.childForFieldName('function');
    if (!callee) return;
    if (callee.type === 'attribute') {
      const method = callee.childForFieldName('attribute')?.text;
      if (method !== 'set_upstream' && method !== 'set_downstream') return;
      const self = this.valueOf(callee.childForFieldName('object')!, true);
      const arg = positionalArguments(call)[0];
      if (!arg) return;
      const other = this.valueOf(arg, true);
      if (method === 'set_downstream') this.connect(self, other, call);
      else this.connect(other, self, call);
      return;
    }
    const qualified = this.names.qualify(callee);
    const name = qualified?.slice(qualified.lastIndexOf('.') + 1);
    if (!name || !DEPENDENCY_FUNCTIONS.has(name) || !(qualified === name || qualified!.startsWith('airflow.'))) return;
    const args = positionalArguments(call);
    if (args.some((a) => a.type === 'list_splat')) return;
    const operands = args.map((arg) => this.valueOf(arg, true));
    if (name === 'cross_downstream') {
      if (operands.length === 2) this.connect(operands[0]!, operands[1]!, call);
      return;
    }
    for (let i = 0; i + 1 < operands.length; i++) {
      const a = operands[i]!;
      const b = operands[i + 1]!;
      const pairwise = name === 'chain' && a.isList && b.isList;
      if (pairwise) {
        if (a.unknown || b.unknown || a.tasks.length !== b.tasks.length) continue;
        a.tasks.forEach((task, k) => this.edge(task, b.tasks[k]!, call));
      } else {
        this.connect(a, b, call);
      }
    }
  }

  /** `Op(...).as_teardown(setups=s)`: an edge from each setup task to the teardown task. */
  teardownSetups(task: TaskModel, setups: Node, call: Node): void {
    this.connect(this.valueOf(setups, true), { tasks: [task], unknown: false, isList: false }, call);
  }

  /** TaskFlow: passing one task's result (or `.output`) into another is an upstream edge. */
  resolveDataDependencies(): void {
    for (const { task, arg } of this.tasks.dataArguments) {
      const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
      if (!value) continue;
      const operand = value.type === 'identifier' ? this.variableAt(value) : this.valueOf(value, false);
      for (const upstream of operand.tasks) if (upstream !== task) this.edge(upstream, task, arg);
    }
  }

  /** The tasks an expression stands for in a dependency; `report` records undefined names. */
  valueOf(node: Node, report: boolean): Operand {
    switch (node.type) {
      case 'identifier':
        return this.valueOfName(node.text, report, () => node);
      case 'call': {
        const task = this.tasks.taskByNode.get(node.id);
        if (task) return { tasks: [task], unknown: false, isList: false };
        // `Op(...).as_setup()` and `.as_teardown(...)` return the task itself.
        const callee = node.childForFieldName('function');
        const target = callee ? setupTeardownTarget(callee) : undefined;
        return target ? this.valueOf(target.object, report) : NOTHING_KNOWN;
      }
      case 'attribute': {
        const object = node.childForFieldName('object');
        if (node.childForFieldName('attribute')?.text === 'output' && object) return this.valueOf(object, report);
        return NOTHING_KNOWN;
      }
      case 'list':
      case 'tuple': {
        const values: Operand[] = [];
        for (const child of node.namedChildren) {
          if (child && child.type !== 'comment') values.push(this.valueOf(child, report));
        }
        return listOperand(values);
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.valueOf(inner, report) : NOTHING_KNOWN;
      }
      case 'binary_operator':
        return shiftOperator(node) ? this.shiftDependency(node) : NOTHING_KNOWN;
      default:
        return NOTHING_KNOWN;
    }
  }

  private valueOfName(name: string, report: boolean, node: () => Node): Operand {
    const value = this.variables.get(name);
    if (value?.kind === 'tasks') return { tasks: value.tasks, unknown: false, isList: value.tasks.length !== 1 };
    if (value?.kind === 'group') return this.groupOperand(value.group);
    if (!value && report && !this.values.scope.binds(name)) this.undefinedNames.push(node());
    return NOTHING_KNOWN;
  }

  /**
   * A TaskGroup in a dependency, as Airflow resolves it when the line runs: upstream of something, its leaves (its
   * tasks with nothing downstream inside it); downstream, its roots. It stands for no tasks of its own.
   */
  private groupOperand(group: Group): Operand {
    const members = new Set(group.tasks);
    const hasUpstream = new Set<TaskModel>();
    const hasDownstream = new Set<TaskModel>();
    for (const dag of new Set(group.tasks.map((task) => this.tasks.dagOfTask.get(task)))) {
      for (const { upstream, downstream } of dag?.edges ?? []) {
        if (!members.has(upstream) || !members.has(downstream)) continue;
        hasDownstream.add(upstream);
        hasUpstream.add(downstream);
      }
    }
    return {
      tasks: [],
      unknown: true,
      isList: false,
      roots: group.tasks.filter((task) => !hasUpstream.has(task)),
      leaves: group.tasks.filter((task) => !hasDownstream.has(task)),
    };
  }

  private connect(upstream: Operand, downstream: Operand, node: Node): void {
    for (const a of upstreamSide(upstream)) for (const b of downstreamSide(downstream)) this.edge(a, b, node);
  }

  private edge(upstream: TaskModel, downstream: TaskModel, node: Node): void {
    const a = this.tasks.dagOfTask.get(upstream) ?? this.tasks.adopt(upstream, this.tasks.dagOfTask.get(downstream));
    const b = this.tasks.dagOfTask.get(downstream) ?? this.tasks.adopt(downstream, a);
    if (!a || !b) return;
    const edge: EdgeModel = { upstream, downstream, node };
    if (a === b) a.edges.push(edge);
    else if (!a.inLoop && !b.inLoop) this.crossDagEdges.push(edge);
  }

  /** Identifiers in data dependencies are resolved against the variable as it was when the task was created. */
  private variableAt(identifier: Node): Operand {
    let best: TaskModel | undefined;
    for (const [, candidate] of this.tasks.taskByNode) {
      if (candidate.variable === identifier.text && candidate.node.endIndex <= identifier.startIndex) {
        if (!best || candidate.node.startIndex > best.node.startIndex) best = candidate;
      }
    }
    return best ? { tasks: [best], unknown: false, isList: false } : NOTHING_KNOWN;
  }
}

const downstreamSide = (operand: Operand): readonly TaskModel[] => operand.roots ?? operand.tasks;
const upstreamSide = (operand: Operand): readonly TaskModel[] => operand.leaves ?? operand.tasks;

/** `[a, b]`: the tasks of every element; unknown when any element is unknown or itself a list. */
function listOperand(values: readonly Operand[]): Operand {
  const tasks: TaskModel[] = [];
  let isUnknown = false;
  for (const value of values) {
    tasks.push(...value.tasks);
    isUnknown ||= value.unknown || value.isList;
  }
  if (!values.some((value) => value.roots || value.leaves)) return { tasks, unknown: isUnknown, isList: true };
  return { tasks, unknown: isUnknown, isList: true, roots: values.flatMap(downstreamSide), leaves: values.flatMap(upstreamSide) };
}

/** `>>` or `<<` when `node` is a dependency shift, else undefined. */
export function shiftOperator(node: Node): '>>' | '<<' | undefined {
  if (node.type !== 'binary_operator') return undefined;
  const operator = node.childForFieldName('operator')?.text;
  return operator === '>>' || operator === '<<' ? operator : undefined;
}

/** `X.as_setup` / `X.as_teardown` as a callee: the method and X. */
export function setupTeardownTarget(callee: Node): { method: string; object: Node } | undefined {
  if (callee.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const object = callee.childForFieldName('object');
  return SETUP_TEARDOWN.has(method) && object ? { method, object } : undefined;
}
