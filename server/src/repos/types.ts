/** What one validated DAG file contributes: its DAG ids and how many findings of each severity. */
export interface FileState {
  readonly dagIds: string[];
  readonly errors: number;
  readonly warnings: number;
  /** The first few messages, for a tooltip. */
  readonly messages: string[];
}

/** Where a repository's clone stands, persisted so the tree and conflicts need no re-parse at startup. */
export interface RepositoryState {
  readonly name: string;
  readonly commit: string;
  /** Branch, tag or commit as configured, e.g. `branch main`. */
  readonly ref: string;
  readonly cloneDir: string;
  readonly dagsPath: string;
  readonly syncedAt: string;
  /** DAG file path (relative to the repository root) -> state. */
  readonly files: Record<string, FileState>;
}

export interface ValidationSummary {
  readonly filesValidated: number;
  readonly errors: number;
  readonly warnings: number;
  readonly dags: number;
}

export type SyncOutcome = 'synced' | 'up-to-date' | 'failed' | 'cancelled';
export type SyncTrigger = 'manual' | 'poll' | 'webhook' | 'cli' | 'startup';

export interface SyncHistoryEntry {
  readonly time: string;
  readonly trigger: SyncTrigger;
  readonly from?: string;
  readonly to?: string;
  readonly added: string[];
  readonly modified: string[];
  readonly removed: string[];
  readonly validation?: ValidationSummary;
  readonly result: SyncOutcome;
  readonly error?: { readonly kind: 'invalid-credentials' | 'git' | 'other'; readonly message: string };
  readonly durationMs: number;
}

export interface SyncProgress {
  readonly stage: 'prepare' | 'fetch' | 'checkout' | 'diff' | 'validate' | 'done';
  readonly message: string;
  /** 0..100 when known. */
  readonly percent?: number;
}
