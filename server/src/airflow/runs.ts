import type { HistoryRecord } from '../deploy/types';
import type { AirflowClient, AirflowDagRun } from './client';

/** One DAG run, attributed to the deployed version it executed. */
export interface VersionRun {
  readonly dagId: string;
  readonly runId: string;
  readonly state: string;
  readonly start: string | null;
  readonly end: string | null;
  /** Seconds from start to end; null while it runs or when it never started. */
  readonly seconds: number | null;
  /** How the run was attributed: the Git bundle version it recorded, or the version live when it started. */
  readonly by: 'bundle-version' | 'start-time';
}

export interface VersionRuns {
  readonly version: number;
  readonly runs: readonly VersionRun[];
}

/**
 * The runs of `dagIds` per deployed version, newest version first. A run that recorded a bundle version (Airflow 3,
 * Git bundle) belongs to the newest version that deployed that commit and was live when it started; any other run
 * (a folder target, Airflow 2) to the version that was live when it started. Runs older than the first version
 * are left out.
 */
export async function runsPerVersion(client: AirflowClient, history: readonly HistoryRecord[], dagIds: readonly string[], perDag = 50): Promise<VersionRuns[]> {
  const runs = (await Promise.all(dagIds.map((id) => client.dagRuns(id, perDag).catch(() => [] as AirflowDagRun[])))).flat();
  return attributeRuns(runs, history);
}

/** The runs grouped by the version they executed on (see runsPerVersion), newest version first. */
export function attributeRuns(runs: readonly AirflowDagRun[], history: readonly HistoryRecord[]): VersionRuns[] {
  const byVersion = new Map<number, VersionRun[]>(history.map((r) => [r.version, []]));
  for (const run of runs) {
    const attributed = attribute(run, history);
    if (attributed) byVersion.get(attributed.record.version)!.push(toVersionRun(run, attributed.by));
  }
  return [...history]
    .reverse()
    .map((r) => ({ version: r.version, runs: byVersion.get(r.version)!.sort((a, b) => (b.start ?? NOT_STARTED).localeCompare(a.start ?? NOT_STARTED)) }));
}

/** Sorts after every start time: a run that has not started yet is the newest. */
const NOT_STARTED = '\uffff';

function attribute(run: AirflowDagRun, history: readonly HistoryRecord[]): { record: HistoryRecord; by: VersionRun['by'] } | undefined {
  const started = Date.parse(run.start_date ?? '') || Date.now();
  const liveAt = (records: readonly HistoryRecord[]) => [...records].reverse().find((r) => Date.parse(r.at) <= started);
  if (run.bundle_version) {
    const withCommit = history.filter((r) => r.repositories.some((x) => x.commit === run.bundle_version));
    const record = liveAt(withCommit) ?? withCommit.at(-1);
    if (record) return { record, by: 'bundle-version' };
  }
  const record = liveAt(history);
  return record ? { record, by: 'start-time' } : undefined;
}

function toVersionRun(run: AirflowDagRun, by: VersionRun['by']): VersionRun {
  const start = run.start_date;
  const end = run.end_date;
  const seconds = start && end ? Math.max(0, (Date.parse(end) - Date.parse(start)) / 1000) : null;
  return { dagId: run.dag_id, runId: run.dag_run_id, state: run.state, start, end, seconds, by };
}

/** "3 success, 1 failed; median 12.0 s". */
export function describeRuns(runs: readonly VersionRun[]): string {
  if (runs.length === 0) return 'no runs';
  const states = new Map<string, number>();
  for (const r of runs) states.set(r.state, (states.get(r.state) ?? 0) + 1);
  const counts = [...states].sort(([a], [b]) => a.localeCompare(b)).map(([state, n]) => `${n} ${state}`).join(', ');
  const durations = runs.flatMap((r) => (r.seconds === null ? [] : [r.seconds])).sort((a, b) => a - b);
  const median = durations.length ? durations[Math.floor((durations.length - 1) / 2)]! : undefined;
  return `${runs.length} run(s): ${counts}${median !== undefined ? `; median ${formatSeconds(median)}` : ''}`;
}

export function formatSeconds(seconds: number): string {
  return seconds < 120 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`;
}

/** The first failed run on the live version, if any: what the editor offers a comparison and a rollback for. */
export function failedOnLive(versions: readonly VersionRuns[]): VersionRun | undefined {
  return versions[0]?.runs.find((r) => r.state === 'failed');
}
