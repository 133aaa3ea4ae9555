import type { AirflowBundle, AirflowClient, AirflowDag } from './client';
import { AirflowError } from './errors';

/** Airflow's default `[dag_processor] refresh_interval` (and a bundle's, unless its kwargs set one). */
export const DEFAULT_REFRESH_INTERVAL_MS = 300_000;

/** What the Airflow of an environment offers for telling whether a deploy landed. */
export interface LandingCapabilities {
  /** From `GET /version`. */
  readonly airflowVersion: string;
  /**
   * Airflow 3: a parse request for any file of a bundle makes the DAG processor refresh the whole bundle at once
   * (a Git bundle fetches, new files are found), instead of at its next refresh_interval.
   */
  readonly refreshOnParseRequest: boolean;
  /** Airflow 3.4+: `GET /api/v2/dagBundles/{name}` reports the bundle's version and last refresh. */
  readonly bundleEndpoints: boolean;
}

export async function landingCapabilities(client: AirflowClient): Promise<LandingCapabilities> {
  const airflowVersion = await client.serverVersion();
  const [major = 0, minor = 0] = airflowVersion.split('.').map((part) => Number.parseInt(part, 10));
  return { airflowVersion, refreshOnParseRequest: major >= 3, bundleEndpoints: major > 3 || (major === 3 && minor >= 4) };
}

/**
 * Asks Airflow to refresh `bundle` now: a parse request for one file of it that Airflow knows (Airflow queues the
 * file and refreshes its bundle first). False when Airflow knows no file of the bundle or refuses the request.
 */
export async function requestBundleRefresh(client: AirflowClient, dags: readonly AirflowDag[], bundle: string): Promise<boolean> {
  const known = dags.find((d) => d.bundle_name === bundle && d.file_token && !d.is_stale);
  if (!known?.file_token) return false;
  return client.reparse(known.file_token).then(
    () => true,
    (error: unknown) => (error instanceof AirflowError && error.kind === 'http' ? false : Promise.reject(error)),
  );
}

export interface CountdownInput {
  readonly bundle: string;
  readonly intervalMs: number;
  /** From the bundle endpoint (Airflow 3.4+). */
  readonly state?: AirflowBundle;
  /** A refresh was requested through a parse request. */
  readonly requested: boolean;
  readonly now: number;
}

/**
 * What the wait is about, honestly: "bundle team refreshes every 300 s; next refresh in ~40 s" when Airflow says
 * when it last refreshed, else only the interval; "refresh requested" when Hangar asked for one.
 */
export function countdown(input: CountdownInput): string {
  const every = `bundle ${input.bundle} refreshes every ${Math.round(input.intervalMs / 1000)} s`;
  const last = input.state?.last_refreshed ? Date.parse(input.state.last_refreshed) : Number.NaN;
  const when = Number.isNaN(last)
    ? `next refresh within ${Math.round(input.intervalMs / 1000)} s`
    : (() => {
        const left = Math.round((last + input.intervalMs - input.now) / 1000);
        return left > 0 ? `next refresh in ~${left} s` : `refresh due (last ${Math.round((input.now - last) / 1000)} s ago)`;
      })();
  return `${every}; ${input.requested ? 'refresh requested, ' : ''}${when}`;
}

export interface WaitingInput {
  readonly capabilities: LandingCapabilities;
  /** Git bundle: Airflow holds the deployed commit already. */
  readonly fetchedCommit?: string;
  readonly bundle?: string;
  readonly state?: AirflowBundle;
  readonly intervalMs: number;
  readonly requested: boolean;
  readonly now: number;
}

/** What verification waits for, in one line: the serialisation of a fetched commit, Airflow 2's folder listing, or the countdown. */
export function waitingFor(input: WaitingInput): string | undefined {
  if (input.fetchedCommit) {
    return `Airflow has commit ${input.fetchedCommit.slice(0, 12)}; the DAG versions runs use follow at the next serialisation ([core] min_serialized_dag_update_interval, 30 s by default)`;
  }
  if (!input.capabilities.refreshOnParseRequest) {
    return `Airflow ${input.capabilities.airflowVersion} lists the DAGs folder every ${Math.round(input.intervalMs / 1000)} s ([scheduler] dag_dir_list_interval) and has no API to ask for it sooner`;
  }
  if (!input.bundle) return undefined;
  return countdown({ bundle: input.bundle, intervalMs: input.intervalMs, ...(input.state ? { state: input.state } : {}), requested: input.requested, now: input.now });
}

/** "12:04:07" in the local time of whoever reads it. */
export function clockTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toTimeString().slice(0, 8);
}
