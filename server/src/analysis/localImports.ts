/** A removed Airflow API used by a repository-local module that a DAG file imports (see localModules.ts). */
export interface HelperUse {
  /** The file of the helper module that uses it, as shown to the user (relative to the DAG file's unit when possible). */
  readonly file: string;
  /** 0-based line in that file. */
  readonly line: number;
  /** `airflow.models.taskinstance.Context` */
  readonly api: string;
  /** Airflow's reason, as the import rule words it for that file. */
  readonly message: string;
  /** The local modules between the imported one and the file that uses the API (`common` -> `common.util`). */
  readonly via: readonly string[];
}

/** The repository-local modules one DAG file imports, as Airflow would resolve them on its sys.path. */
export interface LocalImports {
  /** Removed APIs the module `module` (imported by the DAG file; relative when it starts with dots) uses at import. */
  usesOf(module: string): readonly HelperUse[];
}
