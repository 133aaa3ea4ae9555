import type { Range } from '../findings';
import type { Node } from '../parser';

/** A value the model could or could not determine statically; rules never guess. */
export type Known<T> = { readonly known: true; readonly value: T } | { readonly known: false; readonly why: string };

export interface ImportedName {
  readonly name: string;
  readonly alias?: string;
  /** The `dotted_name` or `aliased_import` node of this name. */
  readonly node: Node;
}

export interface ImportModel {
  /** `from X import ...` or `import X`: the module X. */
  readonly module: string;
  /** Empty for `import X` / `import X as Y`. */
  readonly names: readonly ImportedName[];
  /** Alias of `import X as Y`. */
  readonly alias?: string;
  /** The whole import statement. */
  readonly node: Node;
  /** The node of the module name (`X`). */
  readonly moduleNode: Node;
}

export interface TaskModel {
  /** Variable the task is assigned to, when it is. */
  readonly variable?: string;
  /** Full id as Airflow sees it, group prefix included. */
  readonly taskId: Known<string>;
  /** The id as written in `task_id=` (or the TaskFlow function name), before the group prefix. */
  readonly localId: Known<string>;
  /** Operator class name (`BashOperator`), or `@task` / `@task.bash` for TaskFlow. */
  readonly operator: string;
  /** Fully qualified operator class when imported (`airflow.providers.standard.operators.bash.BashOperator`). */
  readonly qualifiedOperator?: string;
  readonly kind: 'operator' | 'sensor' | 'taskflow';
  /** The call that creates the task (the outermost: `X.partial(...).expand(...)`). */
  readonly node: Node;
  /** Keyword arguments of the creating call (and of `.partial()` / `.override()`), by name. */
  readonly args: ReadonlyMap<string, Node>;
  /** Keyword arguments of `.expand(...)` when mapped. */
  readonly expandArgs: ReadonlyMap<string, Node>;
  /** `.partial(...).expand(...)` */
  readonly mapped: boolean;
  /** Id of the enclosing TaskGroup chain, `a.b`, when inside groups. */
  readonly groupId?: string;
  /** Created inside a loop or comprehension within its DAG: its id may repeat at runtime with different values. */
  readonly inLoop: boolean;
  /** Created unconditionally in a loop that runs at least twice, with an id that is the same on every iteration. */
  readonly repeatedInLoop: boolean;
  /**
   * `for x in ["a", "b"]: Op(task_id=f"load_{x}")`: the local ids (before the group prefix) of every iteration,
   * when the loop runs over literal strings; taskId itself stays unknown (one call, several tasks).
   */
  readonly loopIds?: readonly string[];
  /**
   * The if/elif/else (or try/except) arms the task is created in, outermost first, as `statementIndex:arm`.
   * Tasks whose paths hold the same statement with different arms are exclusive.
   */
  readonly branch: readonly string[];
}

export interface TaskGroupModel {
  /** Full id, parent prefix included. */
  readonly groupId: Known<string>;
  /** The id as written in `group_id=` (or the `@task_group` function name). */
  readonly localId: Known<string>;
  readonly node: Node;
  readonly variable?: string;
  readonly parentId?: string;
  /** For `@task_group` functions: the first call, where Airflow creates the group. */
  readonly callSite?: Node;
  readonly inLoop: boolean;
  readonly branch: readonly string[];
}

export interface EdgeModel {
  readonly upstream: TaskModel;
  readonly downstream: TaskModel;
  /** Where the dependency is written. */
  readonly node: Node;
}

export interface DagModel {
  readonly dagId: Known<string>;
  /** `with DAG(...)`, `dag = DAG(...)`, or an `@dag` function. */
  readonly kind: 'context' | 'constructor' | 'decorator';
  /** The `DAG(...)` call, or the `@dag` decorated definition. */
  readonly node: Node;
  /** Keyword arguments of the `DAG(...)` call or `@dag(...)` decorator. */
  readonly args: ReadonlyMap<string, Node>;
  /** Variable the DAG is bound to (`with DAG() as dag`, `dag = DAG()`), or the `@dag` function's name. */
  readonly variable?: string;
  readonly tasks: readonly TaskModel[];
  readonly groups: readonly TaskGroupModel[];
  /** Task-level dependency edges between tasks of this DAG. */
  readonly edges: readonly EdgeModel[];
  /** For `@dag` functions: whether the module calls it. */
  readonly called?: boolean;
  /** For `@dag` functions: the first call, where Airflow builds the DAG and raises its errors. */
  readonly callSite?: Node;
  /** Built inside a loop, or inside a function (a factory): several DAGs may come from this one definition. */
  readonly inLoop: boolean;
  /** The if/try arms the DAG is created in (see TaskModel.branch). */
  readonly branch: readonly string[];
  /** `default_args` entries when it is a dict literal (inline or a module-level variable), by key. */
  readonly defaultArgs?: ReadonlyMap<string, Node>;
}

export interface DagFileModel {
  /** The Airflow heuristic: the source mentions both `airflow` and `dag`. */
  readonly looksLikeDagFile: boolean;
  readonly imports: readonly ImportModel[];
  readonly dags: readonly DagModel[];
  /** Tasks created outside any DAG context and without `dag=`, at module level. */
  readonly orphanTasks: readonly TaskModel[];
  /** Dependencies written between tasks of two different DAGs (Airflow rejects them). */
  readonly crossDagEdges: readonly EdgeModel[];
  /** Identifiers used as dependency operands (`a >> b`, `chain(a, b)`) that nothing in the file binds. */
  readonly undefinedDependencyNames: readonly Node[];
  /** Statements of the module body, which run every time Airflow parses the file. */
  readonly topLevelStatements: readonly Node[];
  /** Function definitions whose bodies run at task runtime, not at parse time (`@task`, `python_callable` targets, `execute`). */
  readonly runtimeFunctions: readonly Node[];
  /** Every `call` node of the file, in source order (shared so rules do not walk the tree again). */
  readonly calls: readonly Node[];
  /** True when `node` runs at parse time (not inside a runtime function nor any function that is only called at runtime). */
  isParseTime(node: Node): boolean;
  /** False when nothing in the file binds `name` and it is no builtin (a NameError at runtime); true when unsure. */
  isBound(name: string): boolean;
  /** Resolves an imported or aliased name to its fully qualified name (`BashOperator` -> `airflow.operators.bash.BashOperator`). */
  qualifiedName(name: string): string | undefined;
}

export type { Range };
