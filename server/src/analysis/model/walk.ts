import type { Node } from '../parser';
import type { Context, Variables } from './building';
import type { Calls } from './calls';
import type { Dags } from './dags';
import { shiftOperator, type Edges } from './edges';
import type { Names } from './names';
import { parseShiftChain, type ShiftChain } from './shiftText';
import { decoratorTarget, keywordArguments, known, positionalArguments, unknown } from './syntax';
import type { Tasks } from './tasks';
import type { Values } from './values';

const CALL_OR_OVERRIDE = /\s*(?:\(|\.override\b)/y;
/** A simple statement without these can neither bind a variable the model tracks nor declare a dependency. */
const BINDS_OR_DEPENDS = /=|>>|<<|set_(?:up|down)stream|chain|cross_downstream/;
/** Function bodies without any of these words cannot create tasks, DAGs or dependencies: no need to walk them. */
const MODEL_WORDS = /Operator|Sensor|DAG|TaskGroup|task|>>|<<|chain|stream|dag|[A-Z]\w*\(/;

export interface Passes {
  readonly names: Names;
  readonly values: Values;
  readonly dags: Dags;
  readonly tasks: Tasks;
  readonly edges: Edges;
  readonly calls: Calls;
  readonly variables: Variables;
}

/**
 * Walks the file's statements once, in order, carrying the context each one runs in (DAG, task groups, loops,
 * if/try arms, function or module), and hands each statement's calls and bindings to the passes.
 */
export class Walk {
  /** Numbers the if/try statements, whose arms make up the branch paths. */
  private statementIndex = 0;
  /** The block being walked is the module's body. */
  private topLevel = false;
  /** Functions whose bodies run at task runtime (`@task`, `execute`), and `@dag` / `@task_group` functions. */
  readonly runtimeFunctions: Node[] = [];
  readonly parseTimeFunctions: Node[] = [];

  constructor(
    private readonly root: Node,
    private readonly source: string,
    private readonly passes: Passes,
  ) {}

  block(block: Node, context: Context): void {
    const outer = this.topLevel;
    this.topLevel = block.id === this.root.id;
    for (const statement of block.namedChildren) {
      if (statement) this.statement(statement, context);
    }
    this.topLevel = outer;
  }

  private statement(statement: Node, context: Context): void {
    switch (statement.type) {
      case 'with_statement':
        return this.withStatement(statement, context);
      case 'for_statement':
      case 'while_statement':
        return this.loop(statement, context);
      case 'if_statement':
        return this.ifStatement(statement, context);
      case 'try_statement':
        return this.tryStatement(statement, context);
      case 'decorated_definition':
      case 'function_definition':
        return this.functionDefinition(statement, context);
      case 'class_definition':
        return this.classDefinition(statement, context);
      case 'comment':
        return;
      default:
        return this.simpleStatement(statement, context);
    }
  }

  private simpleStatement(statement: Node, context: Context): void {
    const { calls, tasks, variables, values, edges } = this.passes;
    let chain: ShiftChain | undefined;
    const start = statement.startIndex;
    const end = statement.endIndex;
    const text = this.source.slice(start, end);
    calls.enterStatement(start, end, text);
    calls.consume(end, context, statement);
    const whole = calls.leaveStatement();
    if (whole && (tasks.taskByNode.has(whole.call.id) || variables.get(whole.name)?.kind === 'dag')) {
      // `x = Op(...)` / `dag = DAG(...)`: the call already bound x; all that is left is x's module value.
      if (context.mode === 'module' && this.topLevel) values.assignModuleValue(whole.name, whole.call);
    } else if (statement.type === 'expression_statement' && (chain = parseShiftChain(text))) {
      edges.shiftChain(statement, chain);
    } else if (BINDS_OR_DEPENDS.test(text)) {
      this.afterSimpleStatement(statement, context);
    }
  }

  /** Bindings and dependencies of a simple statement, read from the tree. */
  private afterSimpleStatement(statement: Node, context: Context): void {
    const { edges, tasks, values, variables } = this.passes;
    const expression = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (!expression) return;
    const type = expression.type;
    if (type === 'binary_operator') {
      edges.shiftDependency(expression);
    } else if (type === 'call') {
      edges.callDependency(expression);
    } else if (type === 'assignment') {
      const left = expression.childForFieldName('left');
      const right = expression.childForFieldName('right');
      if (left?.type !== 'identifier' || !right) return;
      const name = left.text;
      if (context.mode === 'module' && this.topLevel) values.assignModuleValue(name, right);
      const rightType = right.type;
      if (rightType === 'call' && (tasks.taskByNode.has(right.id) || variables.get(name)?.kind === 'dag')) return;
      if (rightType === 'binary_operator' && shiftOperator(right)) {
        edges.shiftDependency(right);
        return;
      }
      const value = edges.valueOf(right, false);
      variables.set(name, value.tasks.length > 0 && !value.unknown ? { kind: 'tasks', tasks: value.tasks } : { kind: 'opaque' });
    }
  }

  private withStatement(statement: Node, context: Context): void {
    const body = statement.childForFieldName('body');
    let inner = context;
    const clause = statement.namedChildren.find((c) => c?.type === 'with_clause');
    for (const item of clause?.namedChildren ?? []) {
      const value = item?.childForFieldName('value');
      if (!value) continue;
      let expression = value;
      let alias: string | undefined;
      if (value.type === 'as_pattern') {
        expression = value.namedChildren[0] ?? value;
        const target = value.childForFieldName('alias') ?? value.namedChildren[1];
        const name = target?.type === 'as_pattern_target' ? target.namedChildren[0] : target;
        if (name?.type === 'identifier') alias = name.text;
      }
      inner = this.withItem(expression, alias, inner, context);
    }
    this.passes.calls.consume(body?.startIndex ?? statement.endIndex, context, statement);
    if (body) this.block(body, inner);
  }

  /** `with DAG(...) as dag:`, `with TaskGroup(...) as tg:`, `with dag:`: the context of the body. */
  private withItem(expression: Node, alias: string | undefined, inner: Context, outer: Context): Context {
    const { names, dags, calls, variables } = this.passes;
    if (expression.type === 'call') {
      const callee = expression.childForFieldName('function');
      if (callee && names.isDagClass(callee)) {
        calls.handled.add(expression.id);
        const dag = dags.newDag(expression, 'context', keywordArguments(expression, this.source), alias, outer, calls.repeats(expression, outer) || outer.mode !== 'module');
        if (alias) variables.set(alias, { kind: 'dag', dag });
        return { dag, inLoop: false, branch: [], mode: inner.mode === 'runtime' ? 'runtime' : inner.mode };
      }
      if (callee && names.isTaskGroupClass(callee)) {
        calls.handled.add(expression.id);
        const group = dags.newGroup(expression, keywordArguments(expression, this.source), positionalArguments(expression)[0], alias, inner, calls.repeats(expression, inner));
        if (alias) variables.set(alias, { kind: 'group', group });
        return { ...inner, group };
      }
    } else if (expression.type === 'identifier') {
      const value = variables.get(expression.text);
      if (value?.kind === 'dag') return { dag: value.dag, inLoop: false, branch: [], mode: inner.mode };
      if (value?.kind === 'group') return { ...inner, group: value.group };
    }
    return inner;
  }

  private loop(statement: Node, context: Context): void {
    const { calls, values } = this.passes;
    const body = statement.childForFieldName('body');
    calls.consume(body?.startIndex ?? statement.endIndex, context, statement);
    const iterable = statement.type === 'for_statement' ? statement.childForFieldName('right') : null;
    const repeats = (values.iterationCount(iterable) ?? 0) >= 2;
    const target = statement.type === 'for_statement' ? statement.childForFieldName('left') : null;
    const loopValues = target?.type === 'identifier' ? values.stringValues(iterable) : undefined;
    const loopBinding = loopValues && target ? { name: target.text, values: loopValues, depth: context.branch.length } : undefined;
    const loop: Context = { ...context, inLoop: true, repeatsAtDepth: repeats ? context.branch.length : undefined, loopBinding };
    if (body) this.block(body, loop);
    const alternative = statement.childForFieldName('alternative');
    if (alternative) this.clause(alternative, context);
  }

  private ifStatement(statement: Node, context: Context): void {
    const id = `${this.statementIndex++}`;
    const consequence = statement.childForFieldName('consequence');
    this.passes.calls.consume(consequence?.startIndex ?? statement.endIndex, context, statement);
    if (consequence) this.block(consequence, { ...context, branch: [...context.branch, `${id}:0`] });
    let arm = 1;
    for (const clause of statement.childrenForFieldName('alternative')) {
      if (clause) this.clause(clause, { ...context, branch: [...context.branch, `${id}:${arm++}`] });
    }
  }

  private tryStatement(statement: Node, context: Context): void {
    const id = `${this.statementIndex++}`;
    let arm = 1;
    for (const child of statement.namedChildren) {
      if (!child) continue;
      if (child.type === 'block') this.block(child, { ...context, branch: [...context.branch, `${id}:0`] });
      else if (child.type === 'except_clause' || child.type === 'except_group_clause') {
        this.clause(child, { ...context, branch: [...context.branch, `${id}:${arm++}`] });
      } else if (child.type === 'else_clause') this.clause(child, { ...context, branch: [...context.branch, `${id}:0`] });
      else this.clause(child, context);
    }
  }

  /** elif/else/except/finally: header calls in the outer context, then the block. */
  private clause(clause: Node, context: Context): void {
    const block = clause.namedChildren.find((c) => c?.type === 'block');
    this.passes.calls.consume(block?.startIndex ?? clause.endIndex, context, clause);
    if (block) this.block(block, context);
  }

  private classDefinition(statement: Node, context: Context): void {
    const { names, calls } = this.passes;
    const name = statement.childForFieldName('name')?.text;
    const superclasses = statement.childForFieldName('superclasses');
    if (name) {
      const bases: string[] = [];
      for (const base of superclasses?.namedChildren ?? []) {
        const qualified = base ? names.qualify(base) : undefined;
        if (qualified) bases.push(qualified.slice(qualified.lastIndexOf('.') + 1));
      }
      names.defineClass(name, bases);
    }
    const body = statement.childForFieldName('body');
    calls.consume(body?.startIndex ?? statement.endIndex, context, statement);
    if (body) this.block(body, { ...context, mode: context.mode === 'runtime' ? 'runtime' : 'function', inLoop: true, repeatsAtDepth: undefined });
  }

  private functionDefinition(statement: Node, context: Context): void {
    const { names, values, calls } = this.passes;
    const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (!definition) return;
    if (definition.type === 'class_definition') {
      calls.consume(definition.startIndex, context, statement);
      return this.classDefinition(definition, context);
    }
    const name = definition.childForFieldName('name')?.text ?? '';
    const body = definition.childForFieldName('body');
    if (name) names.defineFunction(name, definition);

    let inner: Context = { ...context, inLoop: true, repeatsAtDepth: undefined, mode: context.mode === 'runtime' ? 'runtime' : 'function' };
    const decorators = statement.type === 'decorated_definition'
      ? statement.namedChildren.filter((c): c is Node => c?.type === 'decorator')
      : [];
    for (const decorator of decorators) inner = this.decorator(decorator, statement, definition, name, context, inner);
    const insideClass = (): boolean => definition.parent?.parent?.type === 'class_definition' || statement.parent?.parent?.type === 'class_definition';
    if (name === 'execute' && insideClass()) this.runtimeFunctions.push(definition);
    calls.consume(body?.startIndex ?? definition.endIndex, context, statement);
    const plain = inner.mode === 'function' && decorators.length === 0;
    const skip = inner.mode === 'runtime' || (plain && (values.callbackNames.has(name) || (body !== null && !MODEL_WORDS.test(this.source.slice(body.startIndex, body.endIndex)))));
    if (skip) calls.skip(definition.endIndex);
    else if (body) this.block(body, inner);
  }

  /** `@task`, `@dag` and `@task_group` on a function: what they make, and the context of the function's body. */
  private decorator(decorator: Node, statement: Node, definition: Node, name: string, context: Context, inner: Context): Context {
    const { names, values, dags, tasks, calls } = this.passes;
    const target = decoratorTarget(decorator);
    if (!target) return inner;
    const decoratorArgs = target.call ? keywordArguments(target.call, this.source) : new Map<string, Node>();
    if (target.call) calls.handled.add(target.call.id);
    const taskLabel = names.taskDecorator(target.expression);
    if (taskLabel) {
      const explicit = decoratorArgs.get('task_id');
      tasks.taskflowFunctions.set(name, { operator: taskLabel, taskId: explicit ? values.evalString(explicit) : known(name), args: decoratorArgs });
      this.runtimeFunctions.push(definition);
      return { ...inner, mode: 'runtime' };
    }
    if (names.isDecorator(target.expression, 'dag')) {
      const explicit = decoratorArgs.get('dag_id');
      const inLoop = calls.repeats(statement, context) || context.mode !== 'module';
      const dag = dags.newDag(statement, 'decorator', decoratorArgs, name, context, inLoop, explicit ? values.evalString(explicit) : known(name));
      dags.dagFunctions.set(name, dag);
      this.parseTimeFunctions.push(definition);
      return { dag, inLoop: false, branch: [], mode: 'function' };
    }
    if (names.isDecorator(target.expression, 'task_group')) {
      const explicit = decoratorArgs.get('group_id');
      // Each call makes a group; `.override(group_id=...)` renames it and a second call gets a suffix, so the
      // prefix is known only when the function is called once, as written.
      const uses = Array.from(values.usesOf(name, CALL_OR_OVERRIDE), (use) => use.suffix);
      const single = uses.length === 1 && uses[0]!.endsWith('(');
      const groupId = !single ? unknown<string>(`@task_group ${name} is called ${uses.length === 0 ? 'nowhere' : 'more than once or with .override()'}`)
        : explicit ? values.evalString(explicit) : known(name);
      this.parseTimeFunctions.push(definition);
      const group = dags.groupFrom(statement, groupId, decoratorArgs, undefined, context, calls.repeats(statement, context), values.firstCallOf(name));
      return { ...inner, group };
    }
    return inner;
  }
}
