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
  /** Name of the DAG bundle the target feeds (verification reads its state and DAG versions). */
  readonly bundle?: string;
  /** How often Airflow refreshes that bundle (for the countdown); Airflow's default 300 s when absent. */
  readonly refreshIntervalMs?: number;
  /** auth: command: the program whose standard output is the bearer token. */
  readonly tokenCommand?: TokenCommand;
}

/** A program (no shell) whose standard output is a bearer token. */
export interface TokenCommand {
  readonly argv: readonly string[];
  /** How long a token without a JWT `exp` is reused. */
  readonly ttlMs?: number;
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

/** What a version changes in one repository's DAGs: the semantic diff's summary lines (see dagdiff/format.ts). */
export interface RepositoryChanges {
  readonly repository: string;
  /** The commit the environment served before (null: nothing of this repository). */
  readonly from: string | null;
  readonly to: string;
  readonly lines: readonly string[];
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

export interface LandedDag {
  /** ISO time since which Airflow serves the deployed content of the DAG. */
  readonly since: string;
  /** Git target: the commit (bundle version) it runs. */
  readonly commit?: string;
}

export interface VerificationResult {
  readonly status: 'verified' | 'import-errors' | 'timeout' | 'failed' | 'skipped';
  readonly message: string;
  readonly visibleDags: readonly string[];
  readonly missingDags: readonly string[];
  readonly importErrors: readonly MappedImportError[];
  /** Git target: dag_id -> bundle_version Airflow reports. */
  readonly bundleVersions?: Record<string, string>;
  /** Per deployed DAG: since when Airflow serves the deployed content (and, for a Git bundle, which commit). */
  readonly landed?: Record<string, LandedDag>;
  /** The bundle as Airflow 3.4+ reports it at the end (`team at 1a2b3c4d5e6f, refreshed 12:04:07`). */
  readonly bundle?: string;
  /** The Airflow version that answered. */
  readonly airflowVersion?: string;
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
  /** What changed in each DAG (absent in records written before Hangar computed it). */
  readonly changes?: readonly RepositoryChanges[];
  readonly validation: ValidationSummary;
  readonly forced?: { readonly reason: string };
  /** Rollback: the version whose content is served again. */
  readonly restores?: number;
  readonly promotedFrom?: { readonly environment: string; readonly version: number };
  verification?: VerificationResult;
  /** The files of this version (folder target keeps it next to the release; git target in the tag). */
  readonly manifest?: Manifest;
}
