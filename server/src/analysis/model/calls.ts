import type { Node, Tree } from '../parser';
import type { Context, Variables } from './building';
import { callHeads } from './callHeads';
import type { Dags } from './dags';
import { setupTeardownTarget, type Edges } from './edges';
import type { Names } from './names';
import { calleeHead, callStartingAt, keywordArguments, LOOP_EXPRESSIONS, positionalArguments } from './syntax';
import type { Tasks } from './tasks';
import { KEYWORDS } from './values';

const DEFINITION = /\b(?:def|class)[ \t]+([A-Za-z_]\w*)/g;
/** Callee text of the calls the model cares about (also tested on the qualified name of an alias). */
const RELEVANT_CALLEE = /Operator|Sensor|DAG|TaskGroup|\.(?:partial|expand|expand_kwargs|override|set_upstream|set_downstream)$|(?:^|\.)(?:chain|chain_linear|cross_downstream)$/;
/** A statement that starts `NAME =` (not `==`, not `+=`, not annotated). */
const SIMPLE_ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*/;
const LOOP_WORDS = /\bfor\b|\blambda\b/;

/** The simple statement whose calls are being visited. */
interface Statement {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** No comprehension or lambda in it, so none of its calls is in one. */
  readonly loopFree: boolean;
  /** The call that makes up the whole right side of `NAME = call(...)`, once visited. */
  whole?: { readonly call: Node; readonly name: string };
}

/**
 * The calls that may create a DAG, a task or a group, in document order, visited as the statement walk reaches
 * them: each is looked at once, with the context (DAG, groups, loop, branch) of the statement it is in, and handed
 * to the pass it concerns.
 */
export class Calls {
  private readonly heads: number[];
  private cursor = 0;
  private statement: Statement | undefined;

  constructor(
    tree: Tree,
    private readonly root: Node,
    private readonly source: string,
    private readonly passes: { readonly names: Names; readonly dags: Dags; readonly tasks: Tasks; readonly edges: Edges; readonly variables: Variables },
    /** Ids of the calls already taken as part of another (`.partial()` under `.expand()`, decorator calls, `with` items). */
    readonly handled: Set<number>,
  ) {
    this.heads = this.modelCallHeads(tree);
  }

  /** A simple statement starts: its calls are visited next. */
  enterStatement(start: number, end: number, text: string): void {
    this.statement = { start, end, text, loopFree: !LOOP_WORDS.test(text) };
  }

  /** The statement is done: the call that is its whole right side (`x = Op(...)`), if one was visited. */
  leaveStatement(): { readonly call: Node; readonly name: string } | undefined {
    const whole = this.statement?.whole;
    this.statement = undefined;
    return whole;
  }

  /** `node` may run several times: in a loop of the context, or in a comprehension or lambda of its statement. */
  repeats(node: Node, context: Context): boolean {
    return context.inLoop || (!this.statement?.loopFree && insideLoopExpression(node));
  }

  /** Moves past the calls of a region whose calls cannot create tasks (a task body, a plain helper). */
  skip(end: number): void {
    while (this.cursor < this.heads.length && this.heads[this.cursor]! < end) this.cursor++;
  }

  /**
   * Visits every not-yet-seen call that starts before `end`, in document order. `scope` is the statement (or
   * clause) being walked, which holds those calls: looking a call up from there, not from the root, keeps each
   * lookup short in a long block.
   */
  consume(end: number, context: Context, scope: Node): void {
    while (this.cursor < this.heads.length && this.heads[this.cursor]! < end) {
      const index = this.heads[this.cursor++]!;
      if (context.mode === 'runtime') continue;
      const call = callStartingAt(index >= scope.startIndex ? scope : this.root, index);
      if (call && !this.handled.has(call.id)) this.visit(call, context);
    }
  }

  /**
   * `x = call(...)`: x. A simple statement that is exactly `NAME = call(...)` is recognised from its text (and
   * remembered, so the statement needs no further look); anything else is read from the tree.
   */
  assignedName(call: Node): string | undefined {
    const statement = this.statement;
    const match = statement && SIMPLE_ASSIGNMENT.exec(statement.text);
    if (statement && match && call.startIndex === statement.start + match[0].length && !/\S/.test(this.source.slice(call.endIndex, statement.end))) {
      statement.whole = { call, name: match[1]! };
      return match[1];
    }
    return assignedNameInTree(call);
  }

  private visit(call: Node, context: Context): void {
    const head = calleeHead(this.source, call.startIndex);
    if (head === undefined || !this.mayMatter(head)) return;
    const callee = call.childForFieldName('function');
    if (!callee) return;
    if (this.visitSetupTeardown(call, callee, context)) return;
    const { names, dags, tasks, variables } = this.passes;
    const shape = tasks.shapeOf(call, callee);
    if (shape) return tasks.create(call, shape, context, this.repeats(call, context), this.assignedName(call));
    if (names.isDagClass(callee)) {
      const variable = this.assignedName(call);
      const dag = dags.newDag(call, 'constructor', keywordArguments(call, this.source), variable, context, this.repeats(call, context) || context.mode !== 'module');
      if (variable) variables.set(variable, { kind: 'dag', dag });
      return;
    }
    if (names.isTaskGroupClass(callee)) {
      const variable = this.assignedName(call);
      const group = dags.newGroup(call, keywordArguments(call, this.source), positionalArguments(call)[0], variable, context, this.repeats(call, context));
      if (variable) variables.set(variable, { kind: 'group', group });
    }
  }

  /**
   * `Op(...).as_setup()` / `Op(...).as_teardown(setups=s)`: the task is the inner call (the methods return it), and
   * `setups=` adds the edge from each setup task, as Airflow does.
   */
  private visitSetupTeardown(call: Node, callee: Node, context: Context): boolean {
    const target = setupTeardownTarget(callee);
    if (target?.object.type !== 'call') return false;
    this.visit(target.object, context);
    const task = this.passes.tasks.taskByNode.get(target.object.id);
    const setups = target.method === 'as_teardown' ? keywordArguments(call, this.source).get('setups') : undefined;
    if (task && setups) this.passes.edges.teardownSetups(task, setups, call);
    return true;
  }

  /** Cheap test on the callee text: could this call create a task, a DAG or a group? */
  private mayMatter(head: string): boolean {
    const dot = head.indexOf('.');
    const first = dot < 0 ? head : head.slice(0, dot);
    const { names, tasks } = this.passes;
    if (tasks.taskflowFunctions.has(first) || names.localClasses.has(first)) return true;
    const qualified = (names.aliases.get(first) ?? first) + (dot < 0 ? '' : head.slice(dot));
    return /(?:Operator|Sensor|DAG|TaskGroup)(?:\.|$)/.test(qualified) || /\.(?:partial|expand|override)$/.test(head) || (names.localClasses.size > 0 && [...names.localClasses.keys()].some((name) => qualified.endsWith(name)));
  }

  /**
   * Where the calls that may create a DAG, a task or a group, or set dependencies, start: found by callee text
   * (operator-like names, aliases of them, functions and classes defined in this file, the dependency helpers).
   * Each is located in the tree when the walk reaches it (see consume); one in a string or comment is no call.
   */
  private modelCallHeads(tree: Tree): number[] {
    const defined = new Set(Array.from(this.source.matchAll(DEFINITION), (m) => m[1]!));
    const aliases = this.passes.names.aliases;
    const heads: number[] = [];
    for (const { index, callee: head } of callHeads(tree, this.source)) {
      const dot = head.indexOf('.');
      const first = dot < 0 ? head : head.slice(0, dot);
      if (KEYWORDS.has(first)) continue;
      if (RELEVANT_CALLEE.test(head) || defined.has(first) || RELEVANT_CALLEE.test(aliases.get(first) ?? '')) heads.push(index);
    }
    return heads;
  }
}

/** `x = call(...)`: x (from the tree). */
function assignedNameInTree(call: Node): string | undefined {
  const parent = call.parent;
  if (parent?.type !== 'assignment' || parent.childForFieldName('right')?.id !== call.id) return undefined;
  const left = parent.childForFieldName('left');
  return left?.type === 'identifier' ? left.text : undefined;
}

function insideLoopExpression(node: Node): boolean {
  for (let current = node.parent; current; current = current.parent) {
    const type = current.type;
    if (LOOP_EXPRESSIONS.has(type)) return true;
    if (type === 'block' || type === 'module' || type.endsWith('_statement')) return false;
  }
  return false;
}
