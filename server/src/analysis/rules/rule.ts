import type { DagIndex } from '../dagIndex';
import type { Finding, Fix, Severity } from '../findings';
import type { DagFileModel } from '../model/types';
import type { LocalImports } from '../localImports';
import type { Node, Tree } from '../parser';
import type { AnalysisTarget } from '../target';

/** The families of the catalog, in the order the README lists them. */
export type RuleFamily = 'import-error' | 'airflow3' | 'practice' | 'security';

export interface RuleContext {
  /** Path of the file relative to the workspace (or absolute when outside it). */
  readonly path: string;
  readonly source: string;
  readonly tree: Tree;
  readonly model: DagFileModel;
  /** The workspace's dag_id index, already updated with this file, when the caller keeps one. */
  readonly dagIndex?: DagIndex;
  /** The Airflow and Python versions the project targets (config, settings, defaults). */
  readonly target: AnalysisTarget;
  /** Repository-local modules this file imports (helpers under the DAG folder, plugins/), when the caller reads files. */
  readonly localImports?: LocalImports;
  /** Reports a finding on a node (or an explicit range); severity comes from the rule or the user's config. */
  report(at: Node | Finding['range'], message: string, fix?: Fix): void;
}

export interface Rule {
  /** Stable id, `HGR` + three digits; never reused. */
  readonly id: string;
  /** kebab-case name, accepted wherever an id is (config, `--select`, `# noqa`). */
  readonly name: string;
  readonly title: string;
  readonly family: RuleFamily;
  readonly severity: Severity;
  /** For security rules: how a reviewer would rank it; `high` blocks a deploy. */
  readonly securitySeverity?: 'high' | 'medium' | 'low';
  /** Markdown: what, why, a bad and a good example. */
  readonly doc: string;
  /** Where the rule comes from (Airflow docs anchor, ruff AIR rule, bandit test, ...). */
  readonly reference: string;
  /** True when the rule's fix is safe to apply without review ("Fix all"). */
  readonly safeFix?: boolean;
  /** The targets the rule checks; every target when omitted (Airflow 3 migration rules: Airflow 3 targets only). */
  appliesTo?(target: AnalysisTarget): boolean;
  check(context: RuleContext): void;
}
