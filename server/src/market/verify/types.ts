/** Where a verification of one Airflow version stopped, when it did not pass. */
export type FailureStage = 'size' | 'providers' | 'import' | 'sandbox' | 'timeout' | 'dag_test';

/** `passed`/`failed` are about the entry; `error` means verification could not run (no Python, Airflow not installable). */
export type VersionOutcome = 'passed' | 'failed' | 'error' | 'skipped';

export interface DagTestOutcome {
  dagId: string;
  /** success, failed, or error when the run could not start. */
  state: string;
  tasks: { taskId: string; state: string }[];
}

/** What one Airflow version made of the entry file. */
export interface VersionResult {
  airflow: string;
  result: VersionOutcome;
  stage?: FailureStage;
  /** One line: the import error, the failed task, what the sandbox refused, why it was skipped. */
  error?: string;
  /** The traceback, task log or installer output behind `error` (capped). */
  log?: string;
  /** Line of the entry file the import error points at. */
  line?: number;
  /** Airflow's DagBag parse time of the file. */
  parseMs?: number;
  dags?: string[];
  dagTests?: DagTestOutcome[];
  /** Distributions of the environment that matter: Airflow and the entry's declared providers, with versions. */
  packages?: Record<string, string>;
  python?: string;
  durationMs: number;
  verifiedAt: string;
}

export type Isolation = 'namespaces' | 'audit-hook';

/** One verification of one version of a catalog entry, keyed by the sha256 of its DAG file. */
export interface EntryVerification {
  /** The entry's id in its catalog (without the catalog name). */
  entry: string;
  version: string;
  sha256: string;
  verifiedAt: string;
  /** Hangar version that verified it. */
  hangar: string;
  isolation: Isolation;
  results: VersionResult[];
}

export type VerificationSource = 'service' | 'catalog';

export type VerificationState = 'verified' | 'failed' | 'error' | 'pending' | 'stale' | 'unverified';

/** What the list, the entry page and `hangar market info` show for the file as it is now. */
export interface VerificationStatus {
  state: VerificationState;
  /** The badge: "Verified on Airflow 3.3.2 and 3.4.0b2", "Failed on Airflow 3.4.0b2 (import error)", ... */
  headline: string;
  /** sha256 of the entry's DAG file now; a record for another sha256 never counts. */
  sha256: string;
  source?: VerificationSource;
  /** The record the status comes from (for stale: the latest one, which no longer applies). */
  record?: EntryVerification;
}
