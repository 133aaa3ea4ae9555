import type { HistoryRecord, Manifest, VerificationResult } from '../deploy/types';
import { AirflowError, type AirflowClient, type AirflowDag } from './client';
import { mapImportError, matchSource, type SourceFile } from './importErrors';

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
  readonly reparse: boolean;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (message: string) => void;
}

/**
 * Confirms with Airflow that the deployed DAGs were parsed: asks for a re-parse of changed files it already knows,
 * then polls DAGs and import errors until every deployed DAG is visible (changed ones parsed after the deploy)
 * or a deployed file has an import error, or the timeout passes.
 */
export async function verifyDeploy(input: VerifyInput): Promise<VerificationResult> {
  const started = Date.now();
  const deployedAt = Date.parse(input.record.at);
  const excluded = new Set(input.excludedFiles);
  const changed = new Set(input.changedFiles);
  const expected = new Map<string, string>();
  for (const [file, entry] of Object.entries(input.manifest)) if (!excluded.has(file)) for (const id of entry.dagIds) expected.set(id, file);
  const ours = input.sources.filter((s) => !excluded.has(s.key));

  let reparsed = 0;
  let lastReparse = 0;
  try {
    // A folder is re-parsed at once; a Git bundle only after the DAG processor fetched the commit (Airflow 3 has
    // no API to refresh a bundle), which shows as the commit in the DAGs' bundle_version.
    let reparseDue = input.reparse && changed.size > 0;
    const fresh = new Set<string>();
    for (;;) {
      input.signal?.throwIfAborted();
      const [dags, errors] = await Promise.all([input.client.listDags(), input.client.importErrors()]);
      const byId = new Map(dags.map((d) => [d.dag_id, d]));
      const bundleFetched = input.expectedBundleVersion === undefined || [...expected.keys()].some((id) => byId.get(id)?.bundle_version === input.expectedBundleVersion);
      if (reparseDue && bundleFetched) {
        reparseDue = false;
        lastReparse = Date.now();
        reparsed = await requestReparse(input, expected, changed);
      }
      const importErrors = errors
        .filter((e) => matchSource(e.filename, ours) !== undefined)
        .filter((e) => !changed.has(matchSource(e.filename, ours)!.key) || Date.parse(e.timestamp) >= deployedAt)
        .map((e) => mapImportError(e, ours));
      const failedFiles = new Set(importErrors.map((e) => matchSource(e.airflowPath, ours)?.key));
      const pending: string[] = [];
      for (const [id, file] of expected) {
        if (failedFiles.has(file) || fresh.has(id)) continue;
        const dag = byId.get(id);
        const ok = dag !== undefined && !dag.is_stale && (!needsNewParse(id, file) || (await parsedAfterDeploy(input, dag, file, deployedAt)));
        if (ok) fresh.add(id);
        else pending.push(id);
      }
      const visible = [...expected.keys()].filter((id) => byId.has(id));
      const done = pending.length === 0;
      const timedOut = Date.now() - started > input.timeoutMs;
      if (done || timedOut) {
        const bundleVersions = input.expectedBundleVersion ? await latestBundleVersions(input.client, [...expected].filter(([, f]) => changed.has(f)).map(([id]) => id)) : undefined;
        const missing = pending;
        const status = importErrors.length > 0 ? 'import-errors' : done ? 'verified' : 'timeout';
        const message =
          status === 'verified'
            ? `Airflow lists all ${expected.size} deployed DAG(s)${reparsed ? ` (re-parse requested for ${reparsed} file(s))` : ''}.`
            : status === 'import-errors'
              ? `Airflow reports ${importErrors.length} import error(s) in deployed files.`
              : `Airflow did not list ${missing.length} DAG(s) as deployed within ${Math.round(input.timeoutMs / 1000)} s: ${missing.slice(0, 5).join(', ')}. The DAG processor may still be scanning (refresh_interval).`;
        return { status, message, visibleDags: visible.sort(), missingDags: missing.sort(), importErrors, ...(bundleVersions ? { bundleVersions } : {}), reparsed, ms: Date.now() - started };
      }
      // A request that arrives while the DAG processor is already parsing the file can be dropped: ask again.
      if (input.reparse && lastReparse > 0 && Date.now() - lastReparse > REPARSE_AGAIN_MS) {
        lastReparse = Date.now();
        const stale = new Set(pending.map((id) => expected.get(id)!).filter((file) => changed.has(file)));
        if (stale.size > 0) reparsed += await requestReparse(input, expected, stale);
      }
      input.onProgress?.(`Waiting for Airflow: ${fresh.size}/${expected.size} DAG(s) current`);
      await new Promise((resolve) => setTimeout(resolve, input.pollMs ?? 1000));
    }
  } catch (error) {
    if (!(error instanceof AirflowError)) throw error;
    return { status: 'failed', message: error.message, visibleDags: [], missingDags: [...expected.keys()].sort(), importErrors: [], reparsed, ms: Date.now() - started };
  }

  /** A DAG Airflow already knew from a file that changed must be parsed again; a new DAG only has to appear. */
  function needsNewParse(id: string, file: string): boolean {
    if (!changed.has(file)) return false;
    return input.expectedBundleVersion !== undefined || input.changedDags.includes(id);
  }
}

/**
 * Git bundle: the newest DAG version carries the deployed commit. Folder: a DAG version was created after the
 * deploy, or the source Airflow stored is the deployed text, or (without a stored source) it was parsed clearly
 * after the switch.
 */
async function parsedAfterDeploy(input: VerifyInput, dag: AirflowDag, file: string, deployedAt: number): Promise<boolean> {
  const versions = await input.client.dagVersions(dag.dag_id).catch(() => []);
  const latest = [...versions].sort((a, b) => b.version_number - a.version_number)[0];
  if (input.expectedBundleVersion !== undefined) return latest?.bundle_version === input.expectedBundleVersion;
  if (latest && Date.parse(latest.created_at) >= deployedAt) return true;
  // Airflow updates a DAG version in place while it has no runs: compare the source it stored with ours.
  const expected = await input.deployedText?.(file);
  if (expected !== undefined) {
    const stored = await input.client.dagSource(dag.dag_id).catch(() => undefined);
    if (stored !== undefined) return stored === expected;
  }
  const parsed = dag.last_parsed_time ? Date.parse(dag.last_parsed_time) : 0;
  return parsed >= deployedAt + PARSE_MARGIN_MS;
}

/** A parse that finished this long after the switch started after it. */
const PARSE_MARGIN_MS = 5_000;
const REPARSE_AGAIN_MS = 5_000;

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

async function latestBundleVersions(client: AirflowClient, dagIds: readonly string[]): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const id of dagIds) {
    const versions = await client.dagVersions(id).catch(() => []);
    const latest = [...versions].sort((a, b) => b.version_number - a.version_number)[0];
    if (latest?.bundle_version) result[id] = latest.bundle_version;
  }
  return result;
}
