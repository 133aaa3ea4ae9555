import type { DagRunInfo, TaskInstanceInfo } from './airflowDags';

/** One task's numbers over the finished runs of one side. */
export interface TaskStats {
  readonly instances: number;
  readonly failed: number;
  readonly retries: number;
  /** Seconds; null without a finished instance that reports a duration. */
  readonly p50: number | null;
  readonly p95: number | null;
}

/** One side of a canary (the live DAG or the canary) over its runs since the canary started. */
export interface RunStats {
  readonly dagId: string;
  /** Finished runs (success or failed). */
  readonly runs: number;
  readonly succeeded: number;
  readonly failed: number;
  /** Runs queued or running. */
  readonly pending: number;
  /** succeeded / runs; null before the first finished run. */
  readonly successRate: number | null;
  /** Run duration in seconds. */
  readonly p50: number | null;
  readonly p95: number | null;
  /** Extra tries of task instances (try_number − 1, summed). */
  readonly retries: number;
  /** Task instances that ended failed. */
  readonly failedTasks: number;
  readonly tasks: Readonly<Record<string, TaskStats>>;
}

export interface CanaryComparison {
  /** The runs counted start here (the canary's start). */
  readonly since: string;
  readonly at: string;
  readonly live: RunStats;
  readonly canary: RunStats;
}

const FINISHED = new Set(['success', 'failed']);

/** Nearest-rank percentile (p in 0–100) of `values`; null when there are none. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function duration(run: DagRunInfo): number | undefined {
  if (typeof run.duration === 'number') return run.duration;
  if (run.start_date && run.end_date) return (Date.parse(run.end_date) - Date.parse(run.start_date)) / 1000;
  return undefined;
}

/** The numbers of one DAG from its runs and their task instances. */
export function runStats(dagId: string, runs: readonly DagRunInfo[], instances: readonly TaskInstanceInfo[]): RunStats {
  const finished = runs.filter((r) => FINISHED.has(r.state));
  const finishedIds = new Set(finished.map((r) => r.dag_run_id));
  const counted = instances.filter((ti) => finishedIds.has(ti.dag_run_id));
  const durations = finished.map(duration).filter((d): d is number => d !== undefined);
  const byTask = new Map<string, TaskInstanceInfo[]>();
  for (const ti of counted) byTask.set(ti.task_id, [...(byTask.get(ti.task_id) ?? []), ti]);
  const retriesOf = (tis: readonly TaskInstanceInfo[]): number => tis.reduce((sum, ti) => sum + Math.max(0, ti.try_number - 1), 0);
  const taskStats = (tis: readonly TaskInstanceInfo[]): TaskStats => {
    const taskDurations = tis.filter((ti) => ti.state === 'success' || ti.state === 'failed').flatMap((ti) => (typeof ti.duration === 'number' ? [ti.duration] : []));
    return { instances: tis.length, failed: tis.filter((ti) => ti.state === 'failed').length, retries: retriesOf(tis), p50: percentile(taskDurations, 50), p95: percentile(taskDurations, 95) };
  };
  // fromEntries defines own properties: a task named __proto__ is a task, not the object's prototype.
  const tasks: Record<string, TaskStats> = Object.fromEntries([...byTask].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([task, tis]) => [task, taskStats(tis)]));
  const succeeded = finished.filter((r) => r.state === 'success').length;
  return {
    dagId,
    runs: finished.length,
    succeeded,
    failed: finished.length - succeeded,
    pending: runs.length - finished.length,
    successRate: finished.length ? succeeded / finished.length : null,
    p50: percentile(durations, 50),
    p95: percentile(durations, 95),
    retries: retriesOf(counted),
    failedTasks: counted.filter((ti) => ti.state === 'failed').length,
    tasks,
  };
}
