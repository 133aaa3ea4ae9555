import type { DagRunInfo, DagState } from './airflowDags';

/**
 * How a canary shares the runs with the live DAG:
 * - `shadow`: both run every interval (both unpaused);
 * - `interval`: a time-scheduled DAG — Hangar pauses one of the two and unpauses the other, interval by interval;
 * - `triggered`: a DAG without a schedule — both stay unpaused and `hangar canary trigger` picks which one runs.
 */
export type SplitMode = 'shadow' | 'interval' | 'triggered';

/** A timedelta schedule (`0:00:10`, `1 day, 0:00:00`): Airflow anchors each DAG's runs at its own first run. */
const DELTA_SUMMARY = /^(-?\d+ days?, )?\d+:\d\d:\d\d(\.\d+)?$/;

/**
 * The mode a canary of `live` runs in; undefined when only shadow mode is possible: asset or event schedules, and
 * timedelta schedules, whose runs fall at different times for two DAGs (the same interval would not be one date).
 */
export function splitMode(live: DagState, shadow: boolean): SplitMode | undefined {
  if (shadow) return 'shadow';
  if (live.timetable_periodic) return DELTA_SUMMARY.test(live.timetable_summary ?? '') ? undefined : 'interval';
  if (!live.timetable_summary || live.timetable_summary === 'None') return 'triggered';
  return undefined;
}

/**
 * Which side takes the next run: the one behind its share. With 50 % the two alternate; with 20 % the canary takes
 * every fifth. `canaryRuns` and `liveRuns` count the runs each made since the canary started.
 */
export function nextOwner(share: number, liveRuns: number, canaryRuns: number): 'live' | 'canary' {
  return canaryRuns < (share / 100) * (liveRuns + canaryRuns + 1) ? 'canary' : 'live';
}

/** An interval's identity across the two DAGs: its logical date (both DAGs have the same schedule). */
export function intervalKey(run: Pick<DagRunInfo, 'logical_date' | 'data_interval_start' | 'run_after'>): number {
  return Date.parse(run.logical_date ?? run.data_interval_start ?? run.run_after);
}

export interface DispatchInput {
  readonly mode: SplitMode;
  readonly share: number;
  readonly since: string;
  readonly live: DagState;
  readonly canary: DagState;
  /** The runs of each DAG since the canary started (any type): the share is counted on them. */
  readonly liveRuns: readonly DagRunInfo[];
  readonly canaryRuns: readonly DagRunInfo[];
  /** The newest runs of both DAGs, from before the start too: the intervals already taken. */
  readonly recent: readonly DagRunInfo[];
  /** Whether the live DAG was paused when the canary started (left so outside interval mode). */
  readonly livePaused: boolean;
}

export type DispatchStep = { readonly kind: 'pause' | 'unpause'; readonly dagId: string; readonly why: string } | { readonly kind: 'reparse'; readonly dagId: string; readonly why: string };

/**
 * The pause changes that keep the split going. Interval mode keeps at most one of the two DAGs unpaused, and only
 * unpauses a DAG whose next run (as Airflow computed it) is an interval neither DAG ran: unpausing a DAG makes the
 * scheduler create its `next_dagrun` — with catchup off, the latest interval that ended — so a DAG whose next run
 * is an interval the other one already ran waits (Hangar asks for a re-parse, which recomputes it) instead.
 * Hence no interval ever runs twice; an interval can go without a run when ticks come late.
 */
export function dispatch(input: DispatchInput): DispatchStep[] {
  const { live, canary } = input;
  if (input.mode !== 'interval') {
    const steps: DispatchStep[] = [];
    if (canary.is_paused) steps.push({ kind: 'unpause', dagId: canary.dag_id, why: input.mode === 'shadow' ? 'shadow mode: the canary runs every interval too' : 'triggered runs: the canary runs the runs routed to it' });
    if (live.is_paused && !input.livePaused) steps.push({ kind: 'unpause', dagId: live.dag_id, why: 'the live DAG was running when the canary started' });
    return steps;
  }
  const scheduled = (runs: readonly DagRunInfo[]): number => runs.filter((r) => r.run_type === 'scheduled').length;
  const owner = nextOwner(input.share, scheduled(input.liveRuns), scheduled(input.canaryRuns)) === 'canary' ? canary : live;
  const other = owner === canary ? live : canary;
  const why = `${owner === canary ? 'the canary' : 'the live DAG'} takes the next interval (${input.share} % to the canary)`;
  if (!other.is_paused) return [{ kind: 'pause', dagId: other.dag_id, why }];
  if (!owner.is_paused) return [];
  const taken = new Set([...input.recent, ...input.liveRuns, ...input.canaryRuns].map(intervalKey));
  const next = owner.next_dagrun_logical_date ? Date.parse(owner.next_dagrun_logical_date) : undefined;
  if (next !== undefined && !taken.has(next)) return [{ kind: 'unpause', dagId: owner.dag_id, why: `${why}: ${owner.next_dagrun_logical_date}` }];
  return [{ kind: 'reparse', dagId: owner.dag_id, why: `${owner.dag_id}'s next run (${owner.next_dagrun_logical_date ?? 'none'}) already ran: waiting for Airflow to compute the next one` }];
}
