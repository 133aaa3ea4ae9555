/** Typed view of `airflow-repos.yaml`; the JSON Schema next to this file is the contract. */

export type AuthKind = 'none' | 'token' | 'basic' | 'ssh';

/** What the repository follows: a branch, a pinned tag or commit, or the remote's default branch. */
export type RepositoryRef =
  | { readonly kind: 'branch'; readonly name: string }
  | { readonly kind: 'tag'; readonly name: string }
  | { readonly kind: 'commit'; readonly name: string }
  | { readonly kind: 'default'; readonly name: 'HEAD' };

export interface RepositoryConfig {
  readonly name: string;
  readonly url: string;
  readonly ref: RepositoryRef;
  /** Higher wins a dag_id conflict. */
  readonly priority: number;
  readonly namespace: string;
  /** Folder inside the repository holding DAG files, '' for the root. */
  readonly dagsPath: string;
  readonly auth: AuthKind;
  readonly username?: string;
  /** Absolute path of the SSH private key. */
  readonly sshKey?: string;
  /** 0 = no polling. */
  readonly syncIntervalMs: number;
  readonly validation: { readonly enabled: boolean; readonly securityScan: boolean };
  /** Absolute folder of the clone when the file sets `path`. */
  readonly path?: string;
}

export type DeployTargetConfig =
  | { readonly kind: 'folder'; readonly path: string; readonly keepReleases: number }
  | { readonly kind: 'git'; readonly url: string; readonly branch: string; readonly auth: AuthKind };

export interface EnvironmentConfig {
  readonly name: string;
  readonly target: DeployTargetConfig;
  readonly airflow?: { readonly url: string; readonly version: 2 | 3; readonly auth: 'none' | 'basic' | 'token'; readonly bundle?: string };
  /** Names of the repositories deployed there; all when the file lists none. */
  readonly repositories: readonly string[];
  /** Interpreter of the environment's Airflow (absolute when the file gave a path), for the gate's import check. */
  readonly python?: string;
}

export interface CatalogConfig {
  readonly name: string;
  readonly url: string;
  readonly ref?: string;
  readonly auth: AuthKind;
}

/** A problem in the file, located for the editor (0-based range) and for people (1-based line:column). */
export interface ConfigError {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Dotted path of the field, e.g. `repositories[0].priority`; '' for the whole file. */
  readonly field: string;
  readonly message: string;
  readonly range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

export function formatConfigError(error: ConfigError): string {
  return `${error.file}:${error.line}:${error.column}: ${error.field ? `${error.field}: ` : ''}${error.message}`;
}
