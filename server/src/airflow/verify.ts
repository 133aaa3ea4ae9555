import type { HistoryRecord, LandedDag, Manifest, VerificationResult } from '../deploy/types';
import { AirflowError, type AirflowBundle, type AirflowClient, type AirflowDag } from './client';
import { mapImportError, matchSource, type SourceFile } from './importErrors';
import { clockTime, DEFAULT_REFRESH_INTERVAL_MS, landingCapabilities, requestBundleRefresh, waitingFor } from './landing';

export interface VerifyInput {
  readonly client: AirflowClient;
  readonly record: HistoryRecord;
  readonly manifest: Manifest;
  /** DAGs that existed before and whose file changed: Airflow must parse them again. */
  readonly changedDags: readonly string[];
  /** Files whose content changed with this deploy (manifest keys). */
  readonly changedFiles: readonly string[];
  /** The deployed text of a manifest key: a changed DAG is current once Airflow's stored source equals it. */
  readonly deployedText?: (file: string) => Promise<string | undefined>;
  /** Manifest keys left out as conflict losers: their DAGs are not expected. */
  readonly excludedFiles: readonly string[];
  readonly sources: readonly SourceFile[];
  /** Git target: Airflow must report this commit as the bundle version of changed DAGs. */
  readonly expectedBundleVersion?: string;
  /** The DAG bundle the target feeds, when configured (else read from the DAGs Airflow lists, or `dags-folder`). */
  readonly bundle?: string;
  /** A folder target: its bundle is `dags-folder` unless configured. */
  readonly folder?: boolean;
  /** How often Airflow refreshes the bundle (the countdown); Airflow's default when absent. */
  readonly refreshIntervalMs?: number;
  /** Ask Airflow to refresh the bundle and re-parse changed files now instead of waiting for its own refresh. */
  readonly reparse: boolean;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/**
 * Confirms with Airflow that the deployed DAGs were parsed. On Airflow 3 it asks for a bundle refresh through a
 * parse request of a file Airflow knows (new files and a pushed commit are picked up at once), and for a re-parse
 * of changed files; on 3.4+ it reads the bundle's version and last refresh. Then it polls DAGs and import errors
 * until every deployed DAG is current, a deployed file has an import error, or the timeout passes, reporting an
 * honest countdown to the bundle's next refresh while it waits.
 */
export async function verifyDeploy(input: VerifyInput): Promise<VerificationResult> {
  const started = Date.now();
  const deployedAt = Date.parse(input.record.at);
  const excluded = new Set(input.excludedFiles);
  const changed = new Set(input.changedFiles);
  const expected = new Map<string, string>();
  for (const [file, entry] of Object.entries(input.manifest)) if (!excluded.has(file)) for (const id of entry.dagIds) expected.set(id, file);
  const ours = input.sources.filter((s) => !excluded.has(s.key));
  const intervalMs = input.refreshIntervalMs ?? DEFAULT_REFRESH_INTERVAL_MS;

  let reparsed = 0;
  let lastReparse = 0;
  let airflowVersion: string | undefined;
  try {
    const capabilities = await landingCapabilities(input.client);
    airflowVersion = capabilities.airflowVersion;
    const mayRequest = input.reparse && capabilities.refreshOnParseRequest;
    // Changed files are re-parsed on request once Airflow has the deployed content: a folder at once, a Git
    // bundle after the DAG processor fetched the commit, which shows as the bundle's (or the DAGs') version.
    let reparseDue = mayRequest && changed.size > 0;
    let lastRefreshRequest = 0;
    let refreshRequested = false;
    const current = new Set<string>();
    /** The DAGs of changed files: since when Airflow serves what this deploy changed. */
    const landed = new Map<string, LandedDag>();
    for (;;) {
      input.signal?.throwIfAborted();
      const [dags, errors] = await Promise.all([input.client.listDags(), input.client.importErrors()]);
      const byId = new Map(dags.map((d) => [d.dag_id, d]));
      const bundle = input.bundle ?? dags.find((d) => expected.has(d.dag_id) && d.bundle_name)?.bundle_name ?? (input.folder ? 'dags-folder' : undefined);
      const state = capabilities.bundleEndpoints && bundle ? await input.client.dagBundle(bundle) : undefined;
      const bundleFetched =
        input.expectedBundleVersion === undefined || state?.version === input.expectedBundleVersion || [...expected.keys()].some((id) => byId.get(id)?.bundle_version === input.expectedBundleVersion);
      const unseen = [...expected.keys()].some((id) => !byId.has(id));
      if (mayRequest && bundle && (!bundleFetched || unseen) && Date.now() - lastRefreshRequest > REFRESH_AGAIN_MS) {
        lastRefreshRequest = Date.now();
        refreshRequested = (await requestBundleRefresh(input.client, dags, bundle)) || refreshRequested;
      }
      if (reparseDue && bundleFetched) {
        reparseDue = false;
        lastReparse = Date.now();
        reparsed = await requestReparse(input, expected, changed);
      }
      const importErrors = errors
        .filter((e) => matchSource(e.filename, ours) !== undefined)
        .filter((e) => input.bundle === undefined || !e.bundle_name || e.bundle_name === input.bundle)
        .filter((e) => !changed.has(matchSource(e.filename, ours)!.key) || Date.parse(e.timestamp) >= deployedAt)
        .map((e) => mapImportError(e, ours));
      const failedFiles = new Set(importErrors.map((e) => matchSource(e.airflowPath, ours)?.key));
      const pending: string[] = [];
      for (const [id, file] of expected) {
        if (failedFiles.has(file) || current.has(id)) continue;
        const dag = byId.get(id);
        const since = dag === undefined || dag.is_stale ? undefined : needsNewParse(id, file) ? await parsedAfterDeploy(input, dag, file, deployedAt) : observedAfter(dag.last_parsed_time, deployedAt);
        if (!since) {
          pending.push(id);
          continue;
        }
        current.add(id);
        if (changed.has(file)) landed.set(id, { since, ...(input.expectedBundleVersion ? { commit: input.expectedBundleVersion } : {}) });
      }
      const visible = [...expected.keys()].filter((id) => byId.has(id));
      const done = pending.length === 0;
      const timedOut = Date.now() - started > input.timeoutMs;
      const waiting = waitingFor({
        capabilities,
        ...(bundleFetched && input.expectedBundleVersion !== undefined ? { fetchedCommit: input.expectedBundleVersion } : {}),
        ...(bundle ? { bundle } : {}),
        ...(state ? { state } : {}),
        intervalMs,
        requested: refreshRequested,
        now: Date.now(),
      });
      if (done || timedOut) {
        const bundleVersions = input.expectedBundleVersion
          ? Object.fromEntries([...landed].filter(([, l]) => l.commit).map(([id, l]) => [id, l.commit!]))
          : undefined;
        const status = importErrors.length > 0 ? 'import-errors' : done ? 'verified' : 'timeout';
        const message =
          status === 'verified'
            ? `Airflow ${airflowVersion} lists all ${expected.size} deployed DAG(s)${reparsed ? ` (re-parse requested for ${reparsed} file(s))` : ''}${refreshRequested ? '; bundle refresh requested' : ''}.`
            : status === 'import-errors'
              ? `Airflow reports ${importErrors.length} import error(s) in deployed files.`
              : `Airflow did not list ${pending.length} DAG(s) as deployed within ${Math.round(input.timeoutMs / 1000)} s: ${pending.slice(0, 5).join(', ')}.${waiting ? ` The DAG processor may not have refreshed yet: ${waiting}.` : ' The DAG processor may still be scanning (refresh_interval).'}`;
        return {
          status,
          message,
          visibleDags: visible.sort(),
          missingDags: pending.sort(),
          importErrors,
          ...(bundleVersions && Object.keys(bundleVersions).length ? { bundleVersions } : {}),
          landed: Object.fromEntries([...landed].sort(([a], [b]) => a.localeCompare(b))),
          ...(state ? { bundle: describeBundle(state) } : {}),
          airflowVersion,
          reparsed,
          ms: Date.now() - started,
        };
      }
      // A request that arrives while the DAG processor is already parsing the file can be dropped: ask again.
      if (mayRequest && lastReparse > 0 && Date.now() - lastReparse > REPARSE_AGAIN_MS) {
        lastReparse = Date.now();
        const stale = new Set(pending.map((id) => expected.get(id)!).filter((file) => changed.has(file)));
        if (stale.size > 0) reparsed += await requestReparse(input, expected, stale);
      }
      input.onProgress?.(`Waiting for Airflow: ${current.size}/${expected.size} DAG(s) current${waiting ? `; ${waiting}` : ''}`);
      await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 1000));
    }
  } catch (error) {
    if (!(error instanceof AirflowError)) throw error;
    return { status: 'failed', message: error.message, visibleDags: [], missingDags: [...expected.keys()].sort(), importErrors: [], ...(airflowVersion ? { airflowVersion } : {}), reparsed, ms: Date.now() - started };
  }

  /** A DAG Airflow already knew from a file that changed must be parsed again; a new DAG only has to appear. */
  function needsNewParse(id: string, file: string): boolean {
    if (!changed.has(file)) return false;
    return input.expectedBundleVersion !== undefined || input.changedDags.includes(id);
  }
}

/** An Airflow time at or after the deploy, else now (Airflow updated a DAG version in place, or parsed it earlier). */
function observedAfter(iso: string | null | undefined, deployedAt: number): string {
  const at = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(at) || at < deployedAt ? new Date().toISOString() : new Date(at).toISOString();
}

function describeBundle(state: AirflowBundle): string {
  return `${state.name}${state.version ? ` at ${state.version.slice(0, 12)}` : ''}${state.last_refreshed ? `, refreshed ${clockTime(state.last_refreshed)}` : ''}`;
}

/**
 * Since when the deployed content of a DAG is current, or undefined while it is not. Git bundle: the newest DAG
 * version carries the deployed commit. Folder: a DAG version was created after the deploy, or the source Airflow
 * stored is the deployed text, or (without a stored source) it was parsed clearly after the switch.
 */
async function parsedAfterDeploy(input: VerifyInput, dag: AirflowDag, file: string, deployedAt: number): Promise<string | undefined> {
  const versions = await input.client.dagVersions(dag.dag_id).catch(() => []);
  const latest = [...versions].sort((a, b) => b.version_number - a.version_number)[0];
  if (input.expectedBundleVersion !== undefined) return latest?.bundle_version === input.expectedBundleVersion ? observedAfter(latest.created_at, deployedAt) : undefined;
  if (latest && Date.parse(latest.created_at) >= deployedAt) return latest.created_at;
  // Airflow updates a DAG version in place while it has no runs: compare the source it stored with ours.
  const expected = await input.deployedText?.(file);
  if (expected !== undefined) {
    const stored = await input.client.dagSource(dag.dag_id).catch(() => undefined);
    if (stored !== undefined) return stored === expected ? observedAfter(dag.last_parsed_time, deployedAt) : undefined;
  }
  const parsed = dag.last_parsed_time ? Date.parse(dag.last_parsed_time) : 0;
  return parsed >= deployedAt + PARSE_MARGIN_MS ? dag.last_parsed_time! : undefined;
}

/** A parse that finished this long after the switch started after it. */
const PARSE_MARGIN_MS = 5_000;
const REPARSE_AGAIN_MS = 5_000;
/** A bundle refresh costs Airflow a fetch of the whole bundle: asked again at most this often. */
const REFRESH_AGAIN_MS = 10_000;

async function requestReparse(input: VerifyInput, expected: ReadonlyMap<string, string>, changed: ReadonlySet<string>): Promise<number> {
  const tokens = new Map<string, string>();
  for (const [id, file] of expected) {
    if (!changed.has(file) || tokens.has(file)) continue;
    const details = await input.client.dagDetails(id).catch(() => undefined);
    if (details?.file_token) tokens.set(file, details.file_token);
  }
  let count = 0;
  for (const token of tokens.values()) {
    const ok = await input.client.reparse(token).then(
      () => true,
      (error: unknown) => (error instanceof AirflowError && error.kind === 'http' ? false : Promise.reject(error)),
    );
    if (ok) count++;
  }
  return count;
}
