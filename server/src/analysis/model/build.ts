import type { Node, Tree } from '../parser';
import { canCoexist } from './branches';
import { callHeads } from './callHeads';
import { parseImportText, type Span } from './importText';
import { parseShiftChain, type ShiftChain, type ShiftOperand } from './shiftText';
import { parseTimeOracle } from './parseTime';
import { BINDERS, Scope } from './scope';
import {
  calleeHead, callStartingAt, decoratorTarget, dottedName, keywordArguments, known, LOOP_EXPRESSIONS, plainString, positionalArguments, unknown,
} from './syntax';
import type { DagFileModel, DagModel, EdgeModel, ImportedName, ImportModel, Known, TaskGroupModel, TaskModel } from './types';

/**
 * Builds the DAG model of one file in a single pass over its statements. Calls are collected once (document
 * order) and consumed by a cursor as the walk reaches them, so each call is looked at exactly once with the
 * context (DAG, task groups, loop, branch) of the statement it is in.
 */
export function buildModel(tree: Tree, source: string): DagFileModel {
  return new ModelBuilder(tree, source).build();
}

type Mode = 'module' | 'function' | 'runtime';

interface Group {
  readonly model: TaskGroupModel;
  /** Prefix for the ids of its children ('' when `prefix_group_id=False` up the chain). */
  readonly childPrefix: Known<string>;
  readonly parent?: Group;
  /** Every task created inside it, nested groups included, in order. */
  readonly tasks: TaskModel[];
}

interface Context {
  readonly dag?: DagBuilder;
  readonly group?: Group;
  readonly inLoop: boolean;
  readonly branch: readonly string[];
  readonly mode: Mode;
  /** Inside the body of a loop known to run at least twice, at this branch depth (tasks deeper are conditional). */
  readonly repeatsAtDepth?: number;
  /** `for NAME in ["a", "b"]`: the loop variable's values, for tasks directly in the loop body (at this branch depth). */
  readonly loopBinding?: { readonly name: string; readonly values: readonly string[]; readonly depth: number };
}

interface DagBuilder {
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

/** What a variable holds, as far as dependencies care. */
type Value =
  | { kind: 'tasks'; tasks: TaskModel[] }
  | { kind: 'dag'; dag: DagBuilder }
  | { kind: 'group'; group: Group }
  | { kind: 'opaque' };

interface TaskflowFunction {
  readonly operator: string;
  readonly taskId: Known<string>;
  readonly args: Map<string, Node>;
}

interface TaskGroupFunction {
  readonly groupId: Known<string>;
  readonly args: Map<string, Node>;
}

const IMPORT_TYPES = new Set(['import_statement', 'import_from_statement', 'future_import_statement']);
const IMPORT_LINE = /^[ \t]*(import|from)[ \t]/gm;
/** At `lastIndex`: a name starts there that is not an attribute and not the one a `def` defines. */
const NAME_START = /(?<![\w.])(?<!\bdef\s+)/y;
const CALL_OR_ATTRIBUTE = /\s*[(.]/y;
const CALL_OR_OVERRIDE = /\s*(?:\(|\.override\b)/y;
const BARE_CALL = /(?<![\w.])(?<!\b(?:def|class)[ \t]+)([A-Za-z_]\w*)[ \t]*\(/g;
const DEFINITION = /\b(?:def|class)[ \t]+([A-Za-z_]\w*)/g;
const KEYWORDS = new Set(['def', 'class', 'if', 'elif', 'while', 'for', 'return', 'and', 'or', 'not', 'in', 'is', 'lambda', 'with', 'yield', 'assert', 'print', 'del', 'await', 'except', 'raise', 'import', 'from']);
/** Callee text of the calls the model cares about (also tested on the qualified name of an alias). */
const RELEVANT_CALLEE = /Operator|Sensor|DAG|TaskGroup|\.(?:partial|expand|expand_kwargs|override|set_upstream|set_downstream)$|(?:^|\.)(?:chain|chain_linear|cross_downstream)$/;
/** A statement that starts `NAME =` (not `==`, not `+=`, not annotated). */
const SIMPLE_ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*=(?!=)[ \t]*/;
const MODULE_ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm;
const STRINGISH = new Set(['string', 'concatenated_string', 'binary_operator', 'parenthesized_expression']);
/** A simple statement without these can neither bind a variable the model tracks nor declare a dependency. */
const BINDS_OR_DEPENDS = /=|>>|<<|set_(?:up|down)stream|chain|cross_downstream/;
const LOOP_WORDS = /\bfor\b|\blambda\b/;
/** Function bodies without any of these words cannot create tasks, DAGs or dependencies: no need to walk them. */
const MODEL_WORDS = /Operator|Sensor|DAG|TaskGroup|task|>>|<<|chain|stream|dag|[A-Z]\w*\(/;
const SETUP_TEARDOWN = new Set(['as_setup', 'as_teardown']);
const DEPENDENCY_FUNCTIONS = new Set(['chain', 'chain_linear', 'cross_downstream']);
/** `python_callable=name`, `on_failure_callback=name`, ...: functions Airflow calls at task runtime. */
const CALLBACK_ARGUMENT = /\b(?:python_callable|on_\w+_callback|sla_miss_callback)\s*=\s*([A-Za-z_]\w*)/g;

function callbackNames(source: string): Set<string> {
  const names = new Set<string>();
  if (!source.includes('callable') && !source.includes('_callback')) return names;
  for (const match of source.matchAll(CALLBACK_ARGUMENT)) names.add(match[1]!);
  return names;
}


class ModelBuilder {
  private readonly root: Node;
  private readonly callHeads: number[];
  private readonly importNodes: Node[];
  private cursor = 0;
  private readonly handled = new Set<number>();
  private readonly imports: ImportModel[] = [];
  private readonly aliases = new Map<string, string>();
  private readonly dags: DagBuilder[] = [];
  private readonly orphanTasks: TaskModel[] = [];
  private readonly crossDagEdges: EdgeModel[] = [];
  private readonly undefinedNames: Node[] = [];
  private readonly variables = new Map<string, Value>();
  private readonly taskByNode = new Map<number, TaskModel>();
  private readonly dagOfTask = new Map<TaskModel, DagBuilder>();
  private readonly taskflowFunctions = new Map<string, TaskflowFunction>();
  private readonly taskGroupFunctions = new Map<string, TaskGroupFunction>();
  private readonly dagFunctions = new Map<string, DagBuilder>();
  private readonly localClasses = new Map<string, string[]>();
  private readonly runtimeFunctionNodes: Node[] = [];
  private readonly parseTimeFunctionNodes: Node[] = [];
  private readonly callbackNames: ReadonlySet<string>;
  private readonly functionsByName = new Map<string, Node[]>();
  private readonly pendingDataDependencies: { task: TaskModel; arg: Node }[] = [];
  private statementIndex = 0;

  constructor(tree: Tree, private readonly source: string) {
    this.root = tree.rootNode;
    // No full traversal (descendantsOfType walks every node in wasm and costs a third of a parse): imports and the
    // calls that can matter are found in the text, then looked up in the tree one by one.
    this.importNodes = this.findImports();
    this.collectImports();
    this.callHeads = this.findModelCallHeads(tree);
    this.callbackNames = callbackNames(source);
    const counts = new Map<string, number>();
    for (const match of source.matchAll(MODULE_ASSIGNMENT)) counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + 1);
    this.moduleAssignments = counts;
  }

  /** Values of module-level `NAME = value` statements seen so far in the walk (flow-sensitive, like the module's execution). */
  private readonly moduleValues = new Map<string, Node>();

  /** The value `name` holds at module level: assigned once at column 0, by a top-level statement already walked. */
  private moduleValue(name: string): Node | undefined {
    return this.moduleAssignments.get(name) === 1 ? this.moduleValues.get(name) : undefined;
  }

  /** Names assigned at column 0 (`NAME = ...`): the only candidates for module constants. */
  private readonly moduleAssignments: ReadonlyMap<string, number>;
  /** The statement being processed has no comprehension or lambda, so its calls are not in one. */
  private statementLoopFree = false;
  /** The block being walked is the module's body. */
  private topLevel = false;
  /** The simple statement whose calls are being processed, with its text. */
  private simpleStatement: { readonly start: number; readonly end: number; readonly text: string } | undefined;
  /** The call that makes up the whole right side of `NAME = call(...)`, the simple statement being processed. */
  private statementCall: { readonly call: Node; readonly name: string } | undefined;

  private scopeCache: Scope | undefined;

  /** Name bindings of the whole file, computed on first use (one more traversal). */
  private get scope(): Scope {
    this.scopeCache ??= new Scope(this.root.descendantsOfType(BINDERS).filter((n): n is Node => n !== null), this.calledNames(), this.source);
    return this.scopeCache;
  }

  /** The first call `name(...)` (or `name.override(...)(...)`) in the file, outside strings and comments. */
  private firstCallOf(name: string): Node | undefined {
    for (const use of this.usesOf(name, CALL_OR_ATTRIBUTE)) {
      const call = callStartingAt(this.root, use.index);
      if (call) return call;
    }
    return undefined;
  }

  /**
   * Where `name` starts a use followed by `after` (a sticky regex), not as an attribute nor in its own `def`, in order.
   * Found by indexOf and checked by fixed regexes: a regex made for each file's names would be compiled per file.
   */
  private *usesOf(name: string, after: RegExp): Generator<{ index: number; suffix: string }> {
    // Resumes after each use, as a global regex would (the name can be empty when the parser inserted a missing one).
    for (let from = 0; from <= this.source.length;) {
      const index = this.source.indexOf(name, from);
      if (index < 0) return;
      NAME_START.lastIndex = index;
      after.lastIndex = index + name.length;
      const suffix = NAME_START.test(this.source) ? after.exec(this.source)?.[0] : undefined;
      if (suffix !== undefined) yield { index, suffix };
      from = suffix === undefined ? index + 1 : index + name.length + suffix.length;
    }
  }

  /** Identifiers called somewhere in the file (`name(`), from the text (a call in a string or comment counts too). */
  private calledNames(): Set<string> {
    if (this.calledNamesCache) return this.calledNamesCache;
    this.calledNamesCache = new Set();
    for (const match of this.source.matchAll(BARE_CALL)) if (!KEYWORDS.has(match[1]!)) this.calledNamesCache.add(match[1]!);
    return this.calledNamesCache;
  }

  private calledNamesCache: Set<string> | undefined;
  private allCallsCache: Node[] | undefined;

  /** Every call node of the file (one traversal, on first use by a rule). */
  allCalls(): Node[] {
    this.allCallsCache ??= this.root.descendantsOfType('call').filter((n): n is Node => n !== null);
    return this.allCallsCache;
  }

  /** `import` / `from` statements, found from the keywords at the start of lines. */
  private findImports(): Node[] {
    const nodes: Node[] = [];
    for (const match of this.source.matchAll(IMPORT_LINE)) {
      const index = match.index + match[0].length - match[1]!.length - 1;
      let node: Node | null = this.root.descendantForIndex(index);
      for (let hops = 0; node && hops < 3 && !IMPORT_TYPES.has(node.type); hops++) node = node.parent;
      if (node && IMPORT_TYPES.has(node.type) && node.startIndex === index) nodes.push(node);
    }
    return nodes;
  }

  /**
   * Where the calls that may create a DAG, a task or a group, or set dependencies, start: found by callee text
   * (operator-like names, aliases of them, functions and classes defined in this file, the dependency helpers).
   * Each is located in the tree when the walk reaches it (see consumeCalls); one in a string or comment is no call.
   */
  private findModelCallHeads(tree: Tree): number[] {
    const defined = new Set(Array.from(this.source.matchAll(DEFINITION), (m) => m[1]!));
    const heads: number[] = [];
    for (const { index, callee: head } of callHeads(tree, this.source)) {
      const dot = head.indexOf('.');
      const first = dot < 0 ? head : head.slice(0, dot);
      if (KEYWORDS.has(first)) continue;
      if (RELEVANT_CALLEE.test(head) || defined.has(first) || RELEVANT_CALLEE.test(this.aliases.get(first) ?? '')) heads.push(index);
    }
    return heads;
  }

  build(): DagFileModel {
    const moduleContext: Context = { inLoop: false, branch: [], mode: 'module' };
    this.walkBlock(this.root, moduleContext);
    this.consumeCalls(Number.MAX_SAFE_INTEGER, moduleContext, this.root);
    this.resolveDataDependencies();
    if (this.dagFunctions.size > 0) {
      const called = this.calledNames();
      for (const [name, dag] of this.dagFunctions) {
        dag.called = called.has(name);
        if (dag.called) dag.callSite = this.firstCallOf(name);
      }
    }

    const runtime = [...this.runtimeFunctionNodes];
    for (const name of this.callbackNames) runtime.push(...(this.functionsByName.get(name) ?? []));
    const aliases = this.aliases;
    const builder = this; // eslint-disable-line @typescript-eslint/no-this-alias
    const looksLikeDagFile = /airflow/i.test(this.source) && /dag/i.test(this.source);
    const oracle = parseTimeOracle(runtime, this.parseTimeFunctionNodes, this.functionsByName, () => this.allCalls());
    return {
      looksLikeDagFile,
      imports: this.imports,
      dags: this.dags.map((dag) => ({ ...dag })),
      orphanTasks: this.orphanTasks,
      crossDagEdges: this.crossDagEdges,
      undefinedDependencyNames: this.undefinedNames.length === 0 || this.scope.dynamic ? [] : this.undefinedNames,
      topLevelStatements: this.root.namedChildren.filter((n): n is Node => n !== null && n.type !== 'comment'),
      runtimeFunctions: runtime,
      get calls() {
        return builder.allCalls();
      },
      isParseTime: oracle,
      qualifiedName: (name: string) => aliases.get(name),
      isBound: (name: string) => aliases.has(name) || this.moduleAssignments.has(name) || this.functionsByName.has(name)
        || this.localClasses.has(name) || Scope.isBuiltin(name) || this.scope.dynamic || this.scope.binds(name),
    };
  }

  // ---- imports ----

  private collectImports(): void {
    for (const node of this.importNodes) {
      const type = node.type;
      if ((type === 'import_statement' || type === 'import_from_statement') && this.collectImportText(node)) continue;
      if (type === 'import_statement') {
        for (const item of node.namedChildren) {
          if (!item) continue;
          if (item.type === 'dotted_name') {
            this.recordImport({ module: item.text, names: [], node, moduleNode: item }, false);
          } else if (item.type === 'aliased_import') {
            const name = item.childForFieldName('name');
            const alias = item.childForFieldName('alias');
            if (name && alias) this.recordImport({ module: name.text, names: [], alias: alias.text, node, moduleNode: name }, false);
          }
        }
      } else if (type === 'import_from_statement') {
        const moduleNode = node.childForFieldName('module_name');
        if (!moduleNode) continue;
        const names: ImportedName[] = [];
        for (const item of node.namedChildren) {
          if (!item || item.startIndex === moduleNode.startIndex) continue;
          if (item.type === 'dotted_name') {
            names.push({ name: item.text, node: item });
          } else if (item.type === 'aliased_import') {
            const name = item.childForFieldName('name');
            const alias = item.childForFieldName('alias');
            if (name && alias) names.push({ name: name.text, alias: alias.text, node: item });
          }
        }
        this.recordImport({ module: moduleNode.text, names, node, moduleNode }, true);
      }
    }
  }

  /**
   * Records an import statement read from its text (see parseImportText), as the tree walk above would; the nodes
   * of its parts are looked up only when a rule asks for them. False when the text is not one of the common forms.
   */
  private collectImportText(node: Node): boolean {
    const offset = node.startIndex;
    const parsed = parseImportText(this.source.slice(offset, node.endIndex));
    if (!parsed) return false;
    const at = (part: Span, ...types: string[]): (() => Node) => {
      let found: Node | undefined;
      return () => (found ??= nodeSpanning(node, offset + part.start, offset + part.end, types) ?? node);
    };
    if (parsed.kind === 'import') {
      for (const { name, alias } of parsed.items) {
        const moduleNode = at(name, 'dotted_name');
        this.recordImport({ module: name.text, names: [], ...(alias ? { alias: alias.text } : {}), node, get moduleNode() { return moduleNode(); } }, false);
      }
      return true;
    }
    const moduleNode = at(parsed.module, 'dotted_name', 'relative_import');
    const names = parsed.names.map(({ name, alias, item }): ImportedName => {
      const itemNode = at(item, alias ? 'aliased_import' : 'dotted_name');
      return { name: name.text, ...(alias ? { alias: alias.text } : {}), get node() { return itemNode(); } };
    });
    this.recordImport({ module: parsed.module.text, names, node, get moduleNode() { return moduleNode(); } }, true);
    return true;
  }

  /** Adds an import and the names it binds: `import a.b` binds `a`, `import a.b as c` `c`, `from m import x as y` `y`. */
  private recordImport(imported: ImportModel, from: boolean): void {
    this.imports.push(imported);
    if (from) {
      for (const { name, alias } of imported.names) this.aliases.set(alias ?? name, `${imported.module}.${name}`);
    } else if (imported.alias !== undefined) {
      this.aliases.set(imported.alias, imported.module);
    } else {
      const head = imported.module.split('.')[0]!;
      this.aliases.set(head, head);
    }
  }

  /** `BashOperator` -> `airflow.providers.standard.operators.bash.BashOperator`; `x.y` with `x` imported -> resolved head. */
  private qualify(node: Node): string | undefined {
    const name = dottedName(node);
    return name === undefined ? undefined : this.qualifyName(name);
  }

  private qualifyName(name: string): string {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    const resolved = this.aliases.get(head);
    if (resolved === undefined) return name;
    return dot < 0 ? resolved : resolved + name.slice(dot);
  }

  private isAirflowName(qualified: string | undefined, last: string): boolean {
    if (!qualified) return false;
    const tail = qualified.slice(qualified.lastIndexOf('.') + 1);
    return tail === last && (qualified === last || qualified.startsWith('airflow.'));
  }

  private isDagClass(callee: Node): boolean {
    return this.isAirflowName(this.qualify(callee), 'DAG');
  }

  private isTaskGroupClass(callee: Node): boolean {
    return this.isAirflowName(this.qualify(callee), 'TaskGroup');
  }

  private operatorClass(qualified: string | undefined): { name: string; qualified: string; sensor: boolean } | undefined {
    if (!qualified) return undefined;
    const name = qualified.slice(qualified.lastIndexOf('.') + 1);
    if (!/^[A-Z]/.test(name)) return undefined;
    if (/(Operator|Sensor)$/.test(name) || this.isLocalOperator(name, 0)) {
      return { name, qualified, sensor: /Sensor$/.test(name) || /\.sensors?\./.test(qualified) };
    }
    return undefined;
  }

  private isLocalOperator(name: string, depth: number): boolean {
    const bases = this.localClasses.get(name);
    if (!bases || depth > 8) return false;
    return bases.some((base) => /(Operator|Sensor)$/.test(base) || this.isLocalOperator(base, depth + 1));
  }

  /** `@task`, `@task.bash`, `@task(...)`: the operator label, or undefined. */
  private taskDecorator(expression: Node): string | undefined {
    const qualified = this.qualify(expression);
    if (!qualified) return undefined;
    const match = /^airflow\.(?:sdk|decorators)(?:\.[\w.]*)?\.task(\.\w+)?$/.exec(qualified) ?? (qualified === 'task' ? ['task', ''] : null);
    return match ? `@task${match[1] ?? ''}` : undefined;
  }

  private isDecorator(expression: Node, name: 'dag' | 'task_group'): boolean {
    const qualified = this.qualify(expression);
    return qualified !== undefined && (qualified === name || new RegExp(`^airflow\\.(?:sdk|decorators)(?:\\.[\\w.]*)?\\.${name}$`).test(qualified));
  }

  // ---- statements ----

  /**
   * `x = call(...)`: x. A simple statement that is exactly `NAME = call(...)` is recognised from its text (and
   * remembered, so the statement needs no further look); anything else is read from the tree.
   */
  private assignedName(call: Node): string | undefined {
    const statement = this.simpleStatement;
    const match = statement && SIMPLE_ASSIGNMENT.exec(statement.text);
    if (statement && match && call.startIndex === statement.start + match[0].length && !/\S/.test(this.source.slice(call.endIndex, statement.end))) {
      this.statementCall = { call, name: match[1]! };
      return match[1];
    }
    return assignedNameInTree(call);
  }

  private walkBlock(block: Node, context: Context): void {
    const outer = this.topLevel;
    this.topLevel = block.id === this.root.id;
    for (const statement of block.namedChildren) {
      if (statement) this.walkStatement(statement, context);
    }
    this.topLevel = outer;
  }

  private walkStatement(statement: Node, context: Context): void {
    const type = statement.type;
    switch (type) {
      case 'with_statement':
        return this.walkWith(statement, context);
      case 'for_statement':
      case 'while_statement':
        return this.walkLoop(statement, context);
      case 'if_statement':
        return this.walkIf(statement, context);
      case 'try_statement':
        return this.walkTry(statement, context);
      case 'decorated_definition':
      case 'function_definition':
        return this.walkFunction(statement, context);
      case 'class_definition':
        return this.walkClass(statement, context);
      case 'comment':
        return;
      default: {
        let chain: ShiftChain | undefined;
        const start = statement.startIndex;
        const end = statement.endIndex;
        const text = this.source.slice(start, end);
        this.statementLoopFree = !LOOP_WORDS.test(text);
        this.simpleStatement = { start, end, text };
        this.consumeCalls(end, context, statement);
        const whole = this.statementCall;
        this.statementLoopFree = false;
        this.simpleStatement = undefined;
        this.statementCall = undefined;
        if (whole && (this.taskByNode.has(whole.call.id) || this.variables.get(whole.name)?.kind === 'dag')) {
          // `x = Op(...)` / `dag = DAG(...)`: the call already bound x; all that is left is x's module value.
          if (context.mode === 'module' && this.topLevel) this.moduleValues.set(whole.name, whole.call);
        } else if (type === 'expression_statement' && (chain = parseShiftChain(text))) {
          this.shiftChain(statement, chain);
        } else if (BINDS_OR_DEPENDS.test(text)) {
          this.afterSimpleStatement(statement, context);
        }
      }
    }
  }

  private walkWith(statement: Node, context: Context): void {
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
      inner = this.enterWithItem(expression, alias, inner, context);
    }
    this.consumeCalls(body?.startIndex ?? statement.endIndex, context, statement);
    if (body) this.walkBlock(body, inner);
  }

  private enterWithItem(expression: Node, alias: string | undefined, inner: Context, outer: Context): Context {
    if (expression.type === 'call') {
      const callee = expression.childForFieldName('function');
      if (callee && this.isDagClass(callee)) {
        this.handled.add(expression.id);
        const dag = this.newDag(expression, 'context', keywordArguments(expression, this.source), alias, outer);
        if (alias) this.variables.set(alias, { kind: 'dag', dag });
        return { dag, inLoop: false, branch: [], mode: inner.mode === 'runtime' ? 'runtime' : inner.mode };
      }
      if (callee && this.isTaskGroupClass(callee)) {
        this.handled.add(expression.id);
        const group = this.newGroup(expression, keywordArguments(expression, this.source), positionalArguments(expression)[0], alias, inner);
        if (alias) this.variables.set(alias, { kind: 'group', group });
        return { ...inner, group };
      }
    } else if (expression.type === 'identifier') {
      const value = this.variables.get(expression.text);
      if (value?.kind === 'dag') return { dag: value.dag, inLoop: false, branch: [], mode: inner.mode };
      if (value?.kind === 'group') return { ...inner, group: value.group };
    }
    return inner;
  }

  private walkLoop(statement: Node, context: Context): void {
    const body = statement.childForFieldName('body');
    this.consumeCalls(body?.startIndex ?? statement.endIndex, context, statement);
    const iterable = statement.type === 'for_statement' ? statement.childForFieldName('right') : null;
    const repeats = (this.iterationCount(iterable) ?? 0) >= 2;
    const target = statement.type === 'for_statement' ? statement.childForFieldName('left') : null;
    const values = target?.type === 'identifier' ? this.stringValues(iterable) : undefined;
    const loopBinding = values && target ? { name: target.text, values, depth: context.branch.length } : undefined;
    const loop: Context = { ...context, inLoop: true, repeatsAtDepth: repeats ? context.branch.length : undefined, loopBinding };
    if (body) this.walkBlock(body, loop);
    const alternative = statement.childForFieldName('alternative');
    if (alternative) this.walkClause(alternative, context);
  }

  /** Entries of a dict literal, `dict(...)` call, or module-level variable holding one; undefined when not static. */
  private dictEntries(node: Node | undefined, depth = 0): ReadonlyMap<string, Node> | undefined {
    if (!node || depth > 3) return undefined;
    if (node.type === 'identifier') {
      return this.dictEntries(this.moduleValue(node.text), depth + 1);
    }
    if (node.type === 'call' && node.childForFieldName('function')?.text === 'dict') {
      const entries = keywordArguments(node, this.source);
      return entries.has('**') || positionalArguments(node).length > 0 ? undefined : entries;
    }
    if (node.type !== 'dictionary') return undefined;
    const entries = new Map<string, Node>();
    for (const pair of node.namedChildren) {
      if (!pair || pair.type === 'comment') continue;
      if (pair.type !== 'pair') return undefined;
      const key = plainString(pair.childForFieldName('key')!);
      const value = pair.childForFieldName('value');
      if (key === undefined || !value) return undefined;
      entries.set(key, value);
    }
    return entries;
  }

  /** The strings of a literal list/tuple (inline or a module-level constant), when every element is a plain string. */
  private stringValues(iterable: Node | null): string[] | undefined {
    const list = iterable?.type === 'identifier' ? this.moduleValue(iterable.text) : iterable;
    if (!list || (list.type !== 'list' && list.type !== 'tuple') || list.namedChildCount > 100) return undefined;
    const values: string[] = [];
    for (const item of list.namedChildren) {
      const value = item ? plainString(item) : undefined;
      if (value === undefined) return undefined;
      values.push(value);
    }
    return values;
  }

  /** How many times `for ... in <iterable>` runs, when the iterable is a literal, a module-level literal or range(N). */
  private iterationCount(iterable: Node | null): number | undefined {
    if (!iterable) return undefined;
    const type = iterable.type;
    if (type === 'list' || type === 'tuple' || type === 'set') {
      return iterable.namedChildren.some((c) => c?.type === 'list_splat' || c?.type === 'comment') ? undefined : iterable.namedChildCount;
    }
    if (type === 'identifier') {
      const value = this.moduleValue(iterable.text);
      return value && value.type !== 'identifier' ? this.iterationCount(value) : undefined;
    }
    if (type === 'call' && iterable.childForFieldName('function')?.text === 'range') {
      const args = positionalArguments(iterable).map((a) => (a.type === 'integer' ? Number(a.text) : NaN));
      if (args.length === 1) return args[0];
      if (args.length === 2) return args[1]! - args[0]!;
    }
    return undefined;
  }

  private walkIf(statement: Node, context: Context): void {
    const id = `${this.statementIndex++}`;
    const consequence = statement.childForFieldName('consequence');
    this.consumeCalls(consequence?.startIndex ?? statement.endIndex, context, statement);
    if (consequence) this.walkBlock(consequence, { ...context, branch: [...context.branch, `${id}:0`] });
    let arm = 1;
    for (const clause of statement.childrenForFieldName('alternative')) {
      if (clause) this.walkClause(clause, { ...context, branch: [...context.branch, `${id}:${arm++}`] });
    }
  }

  private walkTry(statement: Node, context: Context): void {
    const id = `${this.statementIndex++}`;
    let arm = 1;
    for (const child of statement.namedChildren) {
      if (!child) continue;
      if (child.type === 'block') this.walkBlock(child, { ...context, branch: [...context.branch, `${id}:0`] });
      else if (child.type === 'except_clause' || child.type === 'except_group_clause') {
        this.walkClause(child, { ...context, branch: [...context.branch, `${id}:${arm++}`] });
      } else if (child.type === 'else_clause') this.walkClause(child, { ...context, branch: [...context.branch, `${id}:0`] });
      else this.walkClause(child, context);
    }
  }

  /** elif/else/except/finally: header calls in the outer context, then the block. */
  private walkClause(clause: Node, context: Context): void {
    const block = clause.namedChildren.find((c) => c?.type === 'block');
    this.consumeCalls(block?.startIndex ?? clause.endIndex, context, clause);
    if (block) this.walkBlock(block, context);
  }

  private walkClass(statement: Node, context: Context): void {
    const name = statement.childForFieldName('name')?.text;
    const superclasses = statement.childForFieldName('superclasses');
    if (name) {
      const bases: string[] = [];
      for (const base of superclasses?.namedChildren ?? []) {
        const qualified = base ? this.qualify(base) : undefined;
        if (qualified) bases.push(qualified.slice(qualified.lastIndexOf('.') + 1));
      }
      this.localClasses.set(name, bases);
    }
    const body = statement.childForFieldName('body');
    this.consumeCalls(body?.startIndex ?? statement.endIndex, context, statement);
    if (body) this.walkBlock(body, { ...context, mode: context.mode === 'runtime' ? 'runtime' : 'function', inLoop: true, repeatsAtDepth: undefined });
  }

  private walkFunction(statement: Node, context: Context): void {
    const definition = statement.type === 'decorated_definition' ? statement.childForFieldName('definition') : statement;
    if (!definition) return;
    if (definition.type === 'class_definition') {
      this.consumeCalls(definition.startIndex, context, statement);
      return this.walkClass(definition, context);
    }
    const name = definition.childForFieldName('name')?.text ?? '';
    const body = definition.childForFieldName('body');
    if (name) this.functionsByName.set(name, [...(this.functionsByName.get(name) ?? []), definition]);

    let inner: Context = { ...context, inLoop: true, repeatsAtDepth: undefined, mode: context.mode === 'runtime' ? 'runtime' : 'function' };
    const decorators = statement.type === 'decorated_definition'
      ? statement.namedChildren.filter((c): c is Node => c?.type === 'decorator')
      : [];
    for (const decorator of decorators) {
      const target = decoratorTarget(decorator);
      if (!target) continue;
      const decoratorArgs = target.call ? keywordArguments(target.call, this.source) : new Map<string, Node>();
      if (target.call) this.handled.add(target.call.id);
      const taskLabel = this.taskDecorator(target.expression);
      if (taskLabel) {
        const explicit = decoratorArgs.get('task_id');
        this.taskflowFunctions.set(name, {
          operator: taskLabel,
          taskId: explicit ? this.evalString(explicit) : known(name),
          args: decoratorArgs,
        });
        this.runtimeFunctionNodes.push(definition);
        inner = { ...inner, mode: 'runtime' };
      } else if (this.isDecorator(target.expression, 'dag')) {
        const explicit = decoratorArgs.get('dag_id');
        const dag = this.newDag(statement, 'decorator', decoratorArgs, name, context, explicit ? this.evalString(explicit) : known(name));
        this.dagFunctions.set(name, dag);
        this.parseTimeFunctionNodes.push(definition);
        inner = { dag, inLoop: false, branch: [], mode: 'function' };
      } else if (this.isDecorator(target.expression, 'task_group')) {
        const explicit = decoratorArgs.get('group_id');
        // Each call makes a group; `.override(group_id=...)` renames it and a second call gets a suffix, so the
        // prefix is known only when the function is called once, as written.
        const calls = Array.from(this.usesOf(name, CALL_OR_OVERRIDE), (use) => use.suffix);
        const single = calls.length === 1 && calls[0]!.endsWith('(');
        const groupId = !single ? unknown<string>(`@task_group ${name} is called ${calls.length === 0 ? 'nowhere' : 'more than once or with .override()'}`)
          : explicit ? this.evalString(explicit) : known(name);
        this.taskGroupFunctions.set(name, { groupId, args: decoratorArgs });
        this.parseTimeFunctionNodes.push(definition);
        const group = this.groupFrom(statement, groupId, decoratorArgs, undefined, context, this.firstCallOf(name));
        inner = { ...inner, group };
      }
    }
    const insideClass = (): boolean => definition.parent?.parent?.type === 'class_definition' || statement.parent?.parent?.type === 'class_definition';
    if (name === 'execute' && insideClass()) this.runtimeFunctionNodes.push(definition);
    this.consumeCalls(body?.startIndex ?? definition.endIndex, context, statement);
    const plain = inner.mode === 'function' && decorators.length === 0;
    const skip = inner.mode === 'runtime' || (plain && (this.callbackNames.has(name) || (body !== null && !MODEL_WORDS.test(this.source.slice(body.startIndex, body.endIndex)))));
    if (skip) this.skipCalls(definition.endIndex);
    else if (body) this.walkBlock(body, inner);
  }

  // ---- calls ----

  /** Moves past the calls of a region whose calls cannot create tasks (a task body, a plain helper). */
  private skipCalls(end: number): void {
    while (this.cursor < this.callHeads.length && this.callHeads[this.cursor]! < end) this.cursor++;
  }

  /**
   * Processes every not-yet-seen call that starts before `end`, in document order. `scope` is the statement (or
   * clause) being walked, which holds those calls: looking a call up from there, not from the root, keeps each
   * lookup short in a long block.
   */
  private consumeCalls(end: number, context: Context, scope: Node): void {
    while (this.cursor < this.callHeads.length && this.callHeads[this.cursor]! < end) {
      const index = this.callHeads[this.cursor++]!;
      if (context.mode === 'runtime') continue;
      const call = callStartingAt(index >= scope.startIndex ? scope : this.root, index);
      if (call && !this.handled.has(call.id)) this.visitCall(call, context);
    }
  }

  private visitCall(call: Node, context: Context): void {
    const head = calleeHead(this.source, call.startIndex);
    if (head === undefined || !this.mayMatter(head)) return;
    const callee = call.childForFieldName('function');
    if (!callee) return;
    if (this.visitSetupTeardown(call, callee, context)) return;
    const shape = this.taskShape(call, callee);
    if (shape) return this.createTask(call, shape, context);

    if (this.isDagClass(callee)) {
      const variable = this.assignedName(call);
      const dag = this.newDag(call, 'constructor', keywordArguments(call, this.source), variable, context);
      if (variable) this.variables.set(variable, { kind: 'dag', dag });
      return;
    }
    if (this.isTaskGroupClass(callee)) {
      const variable = this.assignedName(call);
      const group = this.newGroup(call, keywordArguments(call, this.source), positionalArguments(call)[0], variable, context);
      if (variable) this.variables.set(variable, { kind: 'group', group });
      return;
    }
  }

  /**
   * `Op(...).as_setup()` / `Op(...).as_teardown(setups=s)`: the task is the inner call (the methods return it), and
   * `setups=` adds the edge from each setup task, as Airflow does.
   */
  private visitSetupTeardown(call: Node, callee: Node, context: Context): boolean {
    const target = setupTeardownTarget(callee);
    if (target?.object.type !== 'call') return false;
    this.visitCall(target.object, context);
    const task = this.taskByNode.get(target.object.id);
    const setups = target.method === 'as_teardown' ? keywordArguments(call, this.source).get('setups') : undefined;
    if (task && setups) this.connect(this.valueOf(setups, true), { tasks: [task], unknown: false, isList: false }, call);
    return true;
  }

  /** Cheap test on the callee text: could this call create a task, a DAG or a group? */
  private mayMatter(head: string): boolean {
    const dot = head.indexOf('.');
    const first = dot < 0 ? head : head.slice(0, dot);
    if (this.taskflowFunctions.has(first) || this.localClasses.has(first)) return true;
    const qualified = (this.aliases.get(first) ?? first) + (dot < 0 ? '' : head.slice(dot));
    return /(?:Operator|Sensor|DAG|TaskGroup)(?:\.|$)/.test(qualified) || /\.(?:partial|expand|override)$/.test(head) || (this.localClasses.size > 0 && [...this.localClasses.keys()].some((name) => qualified.endsWith(name)));
  }

  /** Recognizes `Op(...)`, `Op.partial(...).expand(...)`, `fn()`, `fn.override(...)()`, `fn.expand(...)`. */
  private taskShape(call: Node, callee: Node): TaskShape | undefined {
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
      return { kind: 'taskflow', operator: fn.operator, taskId: explicit ? this.evalString(explicit) : fn.taskId, args: merged, expandArgs, mapped };
    }
    if (overridden) return undefined;
    const operator = this.operatorClass(baseName === undefined ? this.qualify(base) : this.qualifyName(baseName));
    if (!operator) return undefined;
    if (!mapped) for (const [k, v] of keywordArguments(call, this.source)) args.set(k, v);
    const taskIdNode = args.get('task_id');
    const taskId: Known<string> = taskIdNode ? this.evalString(taskIdNode) : unknown('missing');
    return {
      kind: operator.sensor ? 'sensor' : 'operator', operator: operator.name, qualifiedOperator: operator.qualified,
      taskId, args, expandArgs, mapped,
    };
  }

  private createTask(call: Node, shape: TaskShape, context: Context): void {
    const inLoop = context.inLoop || (!this.statementLoopFree && insideLoopExpression(call));
    const prefix: Known<string> = context.group?.childPrefix ?? known('');
    const dag = this.dagFor(shape.args.get('dag'), context);
    let taskId = shape.taskId;
    if (taskId.known) {
      if (!prefix.known) taskId = unknown('the task group id is not known statically');
      else if (prefix.value) taskId = known(`${prefix.value}.${taskId.value}`);
    }
    if (shape.kind === 'taskflow' && dag && taskId.known && prefix.known) taskId = uniqueTaskflowId(dag.tasks, taskId.value, prefix.value, { inLoop, branch: context.branch });
    const variable = this.assignedName(call);
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
      for (const arg of call.childForFieldName('arguments')?.namedChildren ?? []) if (arg) this.pendingDataDependencies.push({ task, arg });
    }
  }

  /** The local ids a task_id expression takes on each iteration of the enclosing literal loop, when all are known. */
  private loopIds(idNode: Node | undefined, context: Context, prefix: Known<string>): string[] | undefined {
    const binding = context.loopBinding;
    if (!idNode || !binding || binding.depth !== context.branch.length || !prefix.known) return undefined;
    const ids: string[] = [];
    try {
      for (const value of binding.values) {
        this.env = new Map([[binding.name, value]]);
        const id = this.evalString(idNode);
        if (!id.known) return undefined;
        ids.push(id.value);
      }
    } finally {
      this.env = undefined;
    }
    return ids;
  }

  /** The DAG a task belongs to: `dag=` wins over the context; undefined = unknown DAG, null = none at all. */
  private dagFor(dagArg: Node | undefined, context: Context): DagBuilder | undefined | null {
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

  private newDag(node: Node, kind: DagModel['kind'], args: Map<string, Node>, variable: string | undefined, context: Context, decoratorId?: Known<string>): DagBuilder {
    let dagId: Known<string>;
    if (decoratorId) dagId = decoratorId;
    else {
      const idNode = args.get('dag_id') ?? (node.type === 'call' ? positionalArguments(node)[0] : undefined);
      dagId = idNode ? this.evalString(idNode) : unknown('missing');
    }
    const inLoop = context.inLoop || context.mode !== 'module' || (!this.statementLoopFree && insideLoopExpression(node));
    const dag: DagBuilder = { dagId, kind, node, args, variable, tasks: [], groups: [], edges: [], inLoop, branch: context.branch, defaultArgs: this.dictEntries(args.get('default_args')) };
    this.dags.push(dag);
    return dag;
  }

  private newGroup(call: Node, args: Map<string, Node>, positional: Node | undefined, variable: string | undefined, context: Context): Group {
    const idNode = args.get('group_id') ?? (positional?.type === 'keyword_argument' ? undefined : positional);
    const raw: Known<string> = idNode ? (idNode.type === 'none' ? known('') : this.evalString(idNode)) : unknown('missing');
    return this.groupFrom(call, raw, args, variable, context);
  }

  private groupFrom(node: Node, raw: Known<string>, args: Map<string, Node>, variable: string | undefined, context: Context, callSite?: Node): Group {
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
      inLoop: context.inLoop || (!this.statementLoopFree && insideLoopExpression(node)),
      branch: context.branch,
    };
    const prefixArg = args.get('prefix_group_id');
    const childPrefix = prefixArg?.type === 'false' ? parentPrefix : prefixArg && prefixArg.type !== 'true' ? unknown<string>('prefix_group_id is not a literal') : groupId;
    const dag = this.dagFor(args.get('dag'), context);
    if (dag) dag.groups.push(model);
    return { model, childPrefix, parent: context.group, tasks: [] };
  }

  // ---- values and dependencies ----

  /** A string expression's value: literals, concatenation, f-strings of constants, and module constants. */
  /** Loop variable values while ids of one loop iteration are evaluated (see loopIds). */
  private env: ReadonlyMap<string, string> | undefined;

  private evalString(node: Node): Known<string> {
    const plain = plainString(node);
    if (plain !== undefined) return known(plain);
    switch (node.type) {
      case 'identifier': {
        const bound = this.env?.get(node.text);
        if (bound !== undefined) return known(bound);
        const constant = this.moduleValue(node.text);
        if (constant && !STRINGISH.has(constant.type)) return unknown(`"${node.text}" is not a string constant`);
        if (constant === undefined) return unknown(`"${node.text}" is not a constant`);
        return this.evalString(constant);
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.text;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) break;
        if (operator === '*') return this.repeatString(left, right);
        if (operator !== '+') break;
        const a = this.evalString(left);
        if (!a.known) return a;
        const b = this.evalString(right);
        return b.known ? known(a.value + b.value) : b;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.evalString(inner) : unknown('empty');
      }
      case 'string':
        return this.evalFString(node);
      default:
        break;
    }
    return unknown('computed at runtime');
  }

  /** `"ab" * 3` (either side). */
  private repeatString(left: Node, right: Node): Known<string> {
    const [text, count] = left.type === 'integer' ? [right, left] : [left, right];
    if (count.type !== 'integer') return unknown('computed at runtime');
    const times = Number(count.text);
    const value = this.evalString(text);
    if (!value.known) return value;
    return times >= 0 && times * value.value.length <= 100_000 ? known(value.value.repeat(times)) : unknown('too long');
  }

  private evalFString(node: Node): Known<string> {
    let text = '';
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'string_start') {
        if (/[bB]/.test(child.text)) return unknown('bytes');
      } else if (child.type === 'string_content') {
        text += child.text;
      } else if (child.type === 'interpolation') {
        const expression = child.childForFieldName('expression');
        if (!expression || child.namedChildren.length > 1) return unknown('formatted at runtime');
        const value = this.evalString(expression);
        if (!value.known) return unknown('an f-string with values known only at runtime');
        text += value.value;
      } else if (child.type === 'escape_sequence') {
        return unknown('escape sequence');
      }
    }
    return known(text);
  }

  private afterSimpleStatement(statement: Node, context: Context): void {
    const expression = statement.type === 'expression_statement' ? statement.namedChildren[0] : undefined;
    if (!expression) return;
    const type = expression.type;
    if (type === 'binary_operator') {
      this.shiftDependency(expression, context);
    } else if (type === 'call') {
      this.callDependency(expression, context);
    } else if (type === 'assignment') {
      const left = expression.childForFieldName('left');
      const right = expression.childForFieldName('right');
      if (left?.type !== 'identifier' || !right) return;
      const name = left.text;
      if (context.mode === 'module' && this.topLevel) this.moduleValues.set(name, right);
      const rightType = right.type;
      if (rightType === 'call' && (this.taskByNode.has(right.id) || this.variables.get(name)?.kind === 'dag')) return;
      if (rightType === 'binary_operator' && shiftOperator(right)) {
        this.shiftDependency(right, context);
        return;
      }
      const value = this.valueOf(right, false);
      this.variables.set(name, value.tasks.length > 0 && !value.unknown ? { kind: 'tasks', tasks: value.tasks } : { kind: 'opaque' });
    }
  }

  /**
   * A statement of names and lists of names joined by `>>` / `<<` (see parseShiftChain), read from its text: the
   * same as shiftDependency, with the tree read only for the nodes that end up in the model.
   */
  private shiftChain(statement: Node, chain: ShiftChain): void {
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
  private shiftDependency(node: Node, context: Context): Operand {
    const operator = shiftOperator(node);
    if (!operator) return this.valueOf(node, true);
    const left = this.shiftDependency(node.childForFieldName('left')!, context);
    const right = this.valueOf(node.childForFieldName('right')!, true);
    const downstream = operator === '>>';
    this.connect(downstream ? left : right, downstream ? right : left, node);
    return right;
  }

  private callDependency(call: Node, context: Context): void {
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
    const qualified = this.qualify(callee);
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
    void context;
  }

  private connect(upstream: Operand, downstream: Operand, node: Node): void {
    for (const a of upstreamSide(upstream)) for (const b of downstreamSide(downstream)) this.edge(a, b, node);
  }

  private edge(upstream: TaskModel, downstream: TaskModel, node: Node): void {
    const a = this.dagOfTask.get(upstream) ?? this.adopt(upstream, this.dagOfTask.get(downstream));
    const b = this.dagOfTask.get(downstream) ?? this.adopt(downstream, a);
    if (!a || !b) return;
    const edge: EdgeModel = { upstream, downstream, node };
    if (a === b) a.edges.push(edge);
    else if (!a.inLoop && !b.inLoop) this.crossDagEdges.push(edge);
  }

  /** Airflow moves a DAG-less task into the DAG of the first task it gets a dependency with. */
  private adopt(task: TaskModel, dag: DagBuilder | undefined): DagBuilder | undefined {
    const orphan = this.orphanTasks.indexOf(task);
    if (!dag || orphan < 0) return undefined;
    this.orphanTasks.splice(orphan, 1);
    dag.tasks.push(task);
    this.dagOfTask.set(task, dag);
    return dag;
  }

  /** The tasks an expression stands for in a dependency; `report` records undefined names. */
  private valueOf(node: Node, report: boolean): Operand {
    switch (node.type) {
      case 'identifier':
        return this.valueOfName(node.text, report, () => node);
      case 'call': {
        const task = this.taskByNode.get(node.id);
        if (task) return { tasks: [task], unknown: false, isList: false };
        // `Op(...).as_setup()` and `.as_teardown(...)` return the task itself.
        const callee = node.childForFieldName('function');
        const target = callee ? setupTeardownTarget(callee) : undefined;
        return target ? this.valueOf(target.object, report) : { tasks: [], unknown: true, isList: false };
      }
      case 'attribute': {
        const object = node.childForFieldName('object');
        if (node.childForFieldName('attribute')?.text === 'output' && object) return this.valueOf(object, report);
        return { tasks: [], unknown: true, isList: false };
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
        return inner ? this.valueOf(inner, report) : { tasks: [], unknown: true, isList: false };
      }
      case 'binary_operator':
        if (shiftOperator(node)) return this.shiftDependency(node, { inLoop: false, branch: [], mode: 'module' });
        return { tasks: [], unknown: true, isList: false };
      default:
        return { tasks: [], unknown: true, isList: false };
    }
  }

  private valueOfName(name: string, report: boolean, node: () => Node): Operand {
    const value = this.variables.get(name);
    if (value?.kind === 'tasks') return { tasks: value.tasks, unknown: false, isList: value.tasks.length !== 1 };
    if (value?.kind === 'group') return this.groupOperand(value.group);
    if (!value && report && !this.scope.binds(name)) this.undefinedNames.push(node());
    return { tasks: [], unknown: true, isList: false };
  }

  /**
   * A TaskGroup in a dependency, as Airflow resolves it when the line runs: upstream of something, its leaves (its
   * tasks with nothing downstream inside it); downstream, its roots. It stands for no tasks of its own.
   */
  private groupOperand(group: Group): Operand {
    const members = new Set(group.tasks);
    const hasUpstream = new Set<TaskModel>();
    const hasDownstream = new Set<TaskModel>();
    for (const dag of new Set(group.tasks.map((task) => this.dagOfTask.get(task)))) {
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

  /** TaskFlow: passing one task's result (or `.output`) into another is an upstream edge. */
  private resolveDataDependencies(): void {
    for (const { task, arg } of this.pendingDataDependencies) {
      const value = arg.type === 'keyword_argument' ? arg.childForFieldName('value') : arg;
      if (!value) continue;
      const operand = value.type === 'identifier' ? this.variableAt(value) : this.valueOf(value, false);
      for (const upstream of operand.tasks) if (upstream !== task) this.edge(upstream, task, arg);
    }
  }

  /** Identifiers in data dependencies are resolved against the variable as it was when the task was created. */
  private variableAt(identifier: Node): Operand {
    let best: TaskModel | undefined;
    for (const [, candidate] of this.taskByNode) {
      if (candidate.variable === identifier.text && candidate.node.endIndex <= identifier.startIndex) {
        if (!best || candidate.node.startIndex > best.node.startIndex) best = candidate;
      }
    }
    return best ? { tasks: [best], unknown: false, isList: false } : { tasks: [], unknown: true, isList: false };
  }
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

interface Operand {
  readonly tasks: TaskModel[];
  /** Some part could not be resolved to tasks. */
  readonly unknown: boolean;
  readonly isList: boolean;
  /** Where a dependency attaches when this is downstream / upstream, when not `tasks` (TaskGroups). */
  readonly roots?: readonly TaskModel[];
  readonly leaves?: readonly TaskModel[];
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
function shiftOperator(node: Node): '>>' | '<<' | undefined {
  if (node.type !== 'binary_operator') return undefined;
  const operator = node.childForFieldName('operator')?.text;
  return operator === '>>' || operator === '<<' ? operator : undefined;
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

/** `X.as_setup` / `X.as_teardown` as a callee: the method and X. */
function setupTeardownTarget(callee: Node): { method: string; object: Node } | undefined {
  if (callee.type !== 'attribute') return undefined;
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const object = callee.childForFieldName('object');
  return SETUP_TEARDOWN.has(method) && object ? { method, object } : undefined;
}

/** The node of one of `types` inside `scope` that spans exactly `start..end`. */
function nodeSpanning(scope: Node, start: number, end: number, types: readonly string[]): Node | undefined {
  for (let node = scope.descendantForIndex(start, end); node && node.startIndex <= start; node = node.parent) {
    if (node.startIndex === start && node.endIndex === end && types.includes(node.type)) return node;
  }
  return undefined;
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
