/**
 * The semantic DAG diff's data: snapshots (what a tree of DAG files declares, from the static model) and the diff
 * between two of them. Everything here is plain JSON: snapshots can be stored, sent and compared later.
 *
 * Values are source text in a canonical form (`sourceText.ts`): whitespace, comments, trailing commas and the
 * quote style of simple strings do not count. An id the model cannot determine statically is written `?(expr)`,
 * the canonical text of the expression that computes it, with `known: false` and the model's reason.
 */

export interface TaskSnapshot {
  /** Full id (group prefix included), or `?(expr)`. */
  readonly taskId: string;
  readonly known: boolean;
  readonly why?: string;
  /** The id before the group prefix (for TaskGroup moves). */
  readonly localId: string;
  /** `BashOperator`, or `@task` / `@task.bash` for TaskFlow. */
  readonly operator: string;
  readonly qualifiedOperator?: string;
  /** Enclosing TaskGroup id, when statically known. */
  readonly group?: string;
  /** Keyword arguments of the creating call (and `.partial()`, `.override()`, the `@task(...)` decorator), except `task_id` and `dag`. */
  readonly args: Readonly<Record<string, string>>;
  /** Mapped tasks: the arguments of `.expand(...)` / `.expand_kwargs(...)`, as one text. */
  readonly expand?: string;
  /** TaskFlow: the arguments the function is called with, as one text. */
  readonly inputs?: string;
  /** The function the task runs when it is named in this file: the TaskFlow function, or `python_callable=`. */
  readonly callable?: string;
  /** A task created in a loop over literal strings: its local ids, one per iteration (the id itself stays unknown). */
  readonly loopIds?: readonly string[];
}

export interface EdgeSnapshot {
  readonly upstream: string;
  readonly downstream: string;
}

export interface GroupSnapshot {
  /** Full id (parent prefix included), or `?(expr)`. */
  readonly groupId: string;
  readonly known: boolean;
  readonly parent?: string;
  /** Keyword arguments of `TaskGroup(...)` / `@task_group(...)`, except `group_id` and `dag`. */
  readonly args: Readonly<Record<string, string>>;
}

export interface DagSnapshot {
  /** The dag_id, or `?(expr)` when it is not known statically (a factory, a loop, a computed id). */
  readonly dagId: string;
  readonly known: boolean;
  readonly why?: string;
  /** Path of the file relative to the DAG folder, `/`-separated. */
  readonly file: string;
  /** Position among the DAG definitions of its file (tells apart DAGs of one file when ids change). */
  readonly index: number;
  /** A DAG created in a `for` loop (one definition, several DAGs): what the loop iterates over. */
  readonly loop?: string;
  /** Keyword arguments of `DAG(...)` / `@dag(...)` except `dag_id`, by name. */
  readonly settings: Readonly<Record<string, string>>;
  /** `default_args` entries when the model resolved a dict literal (inline or a module-level variable). */
  readonly defaultArgs?: Readonly<Record<string, string>>;
  /** Module-level `NAME = value` assignments the DAG's arguments use (directly or through other names). */
  readonly constants: Readonly<Record<string, string>>;
  /** Functions and classes defined in the file that the DAG uses (callables, callbacks, custom operators): name -> digest of their code. */
  readonly definitions: Readonly<Record<string, string>>;
  readonly tasks: readonly TaskSnapshot[];
  readonly edges: readonly EdgeSnapshot[];
  readonly groups: readonly GroupSnapshot[];
}

export interface FileSnapshot {
  /** Relative to the DAG folder, `/`-separated. */
  readonly path: string;
  /** Python files: digest of the canonical code (whitespace- and comment-insensitive). Other files: the git blob id. */
  readonly digest: string;
  /**
   * Python files: digest of the code that neither the file's DAG snapshots describe nor `names` holds (imports
   * other than operators and Airflow's DAG vocabulary, statements that are not tasks, edges or arguments).
   */
  readonly residual?: string;
  /**
   * Python files: each name the module binds (`X = …`, `def f`, `class C`, TaskFlow functions), as a digest of its
   * code without what the snapshots describe. A DAG reports `otherCode` when the residual or a name it does not
   * use itself changed.
   */
  readonly names?: Readonly<Record<string, string>>;
  /** Why the file could not be (fully) analysed. */
  readonly problem?: string;
}

/** Every DAG and every file of a DAG folder at one version. */
export interface TreeSnapshot {
  /** Sorted by file, then position in the file. */
  readonly dags: readonly DagSnapshot[];
  /** Sorted by path. */
  readonly files: readonly FileSnapshot[];
}

/** One value that changed; `null` means "not set" on that side. */
export interface ValueChange {
  readonly name: string;
  readonly before: string | null;
  readonly after: string | null;
}

export interface DagSummary {
  readonly dagId: string;
  readonly known: boolean;
  readonly why?: string;
  readonly file: string;
  readonly tasks: number;
}

export interface TaskSummary {
  readonly taskId: string;
  readonly known: boolean;
  readonly why?: string;
  readonly operator: string;
  readonly group?: string;
}

export interface TaskChange {
  readonly taskId: string;
  readonly known: boolean;
  readonly why?: string;
  /** The task's id before it moved to another TaskGroup (the `group` change says from where to where). */
  readonly previousId?: string;
  /** `group`, `operator`, argument names, `expand`, `inputs`, `callable`. */
  readonly changes: readonly ValueChange[];
}

export interface DagChange {
  readonly dagId: string;
  readonly known: boolean;
  readonly why?: string;
  readonly file: string;
  /** The dag_id before a rename (see the rename rule in diff.ts). */
  readonly renamedFrom?: string;
  /** The file that defined the DAG before, when it moved to another file. */
  readonly movedFrom?: string;
  /** `loop` (what a DAG-making loop iterates), DAG arguments (`schedule`, `tags`, …) and `default_args.KEY` entries. */
  readonly settings: readonly ValueChange[];
  /** Module-level constants the DAG uses (`RETRIES = 3`). */
  readonly constants: readonly ValueChange[];
  /** Functions and classes of the file the DAG uses, by name; values are code digests. */
  readonly definitions: readonly ValueChange[];
  readonly tasks: {
    readonly added: readonly TaskSummary[];
    readonly removed: readonly TaskSummary[];
    readonly changed: readonly TaskChange[];
  };
  readonly edges: { readonly added: readonly EdgeSnapshot[]; readonly removed: readonly EdgeSnapshot[] };
  readonly groups: { readonly added: readonly string[]; readonly removed: readonly string[]; readonly changed: readonly GroupChange[] };
  /** The file changed in code none of the above describes (see FileSnapshot.residual). */
  readonly otherCode: boolean;
}

export interface GroupChange {
  readonly groupId: string;
  readonly changes: readonly ValueChange[];
}

export interface FileChanges {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** What changed between two TreeSnapshots. Every list is sorted. */
export interface SemanticDiff {
  readonly dags: {
    readonly added: readonly DagSummary[];
    readonly removed: readonly DagSummary[];
    /** Changed, renamed or moved DAGs. */
    readonly changed: readonly DagChange[];
    /** DAGs compared and found unchanged (`diffCommits` compares only the files that differ between the commits). */
    readonly unchanged: number;
  };
  /** Files that define no DAG on either side (helpers, SQL templates, configs) that were added, removed or changed. */
  readonly files: FileChanges;
  /** Files that changed and could not be fully analysed on one side: their DAGs may be missing or incomplete. */
  readonly warnings: readonly string[];
}
