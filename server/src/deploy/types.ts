/** A repository as the deploy service sees it: a local clone and where its DAGs live. */
export interface DeployRepository {
  readonly name: string;
  /** Directory name of the repository inside the DAGs folder. */
  readonly namespace: string;
  /** Local clone the commits are read from. */
  readonly path: string;
  /** Folder inside the repository that holds the DAGs ('' = repository root). */
  readonly subdir: string;
  /** Higher wins when two repositories define the same dag_id. */
  readonly priority: number;
  /** What `deploy` takes when no ref is given. */
  readonly defaultRef: string;
}

export interface FolderTarget {
  readonly kind: 'folder';
  /** The DAGs folder Airflow reads. */
  readonly path: string;
  readonly keepReleases: number;
  /** A release live this recently is not deleted (readers that resolved its link can finish). Default 60 s. */
  readonly gcGraceMs?: number;
}

export interface GitTarget {
  readonly kind: 'git';
  readonly url: string;
  readonly branch: string;
  /** How pushes authenticate (credentials come from the caller: env vars in the CLI). */
  readonly auth?: 'none' | 'token' | 'basic' | 'ssh';
}

export type DeployTarget = FolderTarget | GitTarget;

export interface AirflowEndpoint {
  readonly url: string;
  readonly version: 2 | 3;
  /** Name of the Git DAG bundle the git target feeds (verification reads its DAG versions). */
  readonly bundle?: string;
}

export interface Environment {
  readonly name: string;
  /** Interpreter of the environment's Airflow (`python:` in airflow-repos.yaml): the gate checks imports against it. */
  readonly python?: string;
  /** Folder of the airflow-repos.yaml the environment comes from (where the deployer's identity is read). */
  readonly configDir?: string;
  readonly target: DeployTarget;
  readonly airflow?: AirflowEndpoint;
  readonly repositories: readonly DeployRepository[];
}

/** One repository at one commit, as deployed. */
export interface RepositoryRef {
  readonly name: string;
  readonly namespace: string;
  /** What the user asked for (branch, tag or sha). */
  readonly ref: string;
  readonly commit: string;
  /** Folder target: release directory name. */
  readonly release?: string;
}

/** What a file contributes to a deploy, keyed by its path in the DAGs folder (`namespace/rel/path.py`). */
export interface ManifestEntry {
  readonly blob: string;
  readonly dagIds: readonly string[];
  readonly errors: number;
  readonly highSecurity: number;
  readonly warnings: number;
}

export type Manifest = Record<string, ManifestEntry>;

export interface DagDiff {
  readonly added: readonly string[];
  readonly changed: readonly string[];
  readonly removed: readonly string[];
}

export interface ValidationSummary {
  readonly files: number;
  readonly analyzed: number;
  readonly errors: number;
  readonly highSecurity: number;
  readonly warnings: number;
  /** The first blocking findings, for the message. */
  readonly blocking: readonly string[];
  /** How many blocking findings there are in all (`blocking` lists the first ones). */
  readonly blockingTotal?: number;
  /** Set when the gate also checked imports against the environment's interpreter (its HGR501 count is in `errors`). */
  readonly dependencies?: { readonly python: string; readonly airflow: string; readonly missing: number };
}

export interface MappedImportError {
  /** Path inside the DAGs folder as Airflow reports it. */
  readonly airflowPath: string;
  /** Workspace file (repository clone) and 1-based line, when it could be mapped. */
  readonly repository?: string;
  readonly file?: string;
  readonly line?: number;
  readonly message: string;
}

export interface VerificationResult {
  readonly status: 'verified' | 'import-errors' | 'timeout' | 'failed' | 'skipped';
  readonly message: string;
  readonly visibleDags: readonly string[];
  readonly missingDags: readonly string[];
  readonly importErrors: readonly MappedImportError[];
  /** Git target: dag_id -> bundle_version Airflow reports. */
  readonly bundleVersions?: Record<string, string>;
  readonly reparsed?: number;
  readonly ms?: number;
}

export type DeployAction = 'deploy' | 'rollback' | 'promote';

export interface HistoryRecord {
  readonly version: number;
  readonly environment: string;
  readonly action: DeployAction;
  readonly who: string;
  readonly at: string;
  readonly repositories: readonly RepositoryRef[];
  readonly dagDiff: DagDiff;
  readonly validation: ValidationSummary;
  readonly forced?: { readonly reason: string };
  /** Rollback: the version whose content is served again. */
  readonly restores?: number;
  readonly promotedFrom?: { readonly environment: string; readonly version: number };
  verification?: VerificationResult;
  /** The files of this version (folder target keeps it next to the release; git target in the tag). */
  readonly manifest?: Manifest;
}
