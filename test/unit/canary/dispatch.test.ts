import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DagRunInfo, DagState } from '../../../server/src/canary/airflowDags';
import { dispatch, nextOwner, splitMode, type DispatchInput } from '../../../server/src/canary/dispatch';
import { percentile, runStats } from '../../../server/src/canary/metrics';

const at = (minute: number): string => `2026-12-01T10:${String(minute).padStart(2, '0')}:00Z`;
const state = (dagId: string, paused: boolean, next?: number): DagState => ({ dag_id: dagId, is_paused: paused, timetable_periodic: true, timetable_summary: '* * * * *', next_dagrun_logical_date: next === undefined ? null : at(next) });
const run = (dagId: string, minute: number, runType = 'scheduled', state = 'success'): DagRunInfo => ({ dag_run_id: `${dagId}-${minute}`, dag_id: dagId, logical_date: at(minute), run_after: at(minute), state, run_type: runType, duration: 1 });

function input(values: Partial<DispatchInput>): DispatchInput {
  return { mode: 'interval', share: 50, since: at(0), live: state('d', false, 1), canary: state('d__canary', true, 1), liveRuns: [], canaryRuns: [], recent: [], livePaused: false, ...values };
}

describe('canary dispatch (which DAG runs the next interval)', () => {
  test('the share: the side behind it takes the next run', () => {
    assert.deepEqual([0, 1, 2, 3].map((i) => nextOwner(50, Math.floor(i / 2), Math.ceil(i / 2))), ['canary', 'live', 'canary', 'live']);
    const counts = { live: 0, canary: 0 };
    const owners = Array.from({ length: 10 }, () => {
      const owner = nextOwner(20, counts.live, counts.canary);
      counts[owner]++;
      return owner === 'canary' ? 'c' : 'l';
    });
    assert.equal(owners.join(''), 'cllllcllll', '20 % of 10 runs, spread out');
  });

  test('at most one of the two is unpaused: the one that does not own the next interval is paused first', () => {
    assert.deepEqual(dispatch(input({ canary: state('d__canary', false, 2) })).map((s) => [s.kind, s.dagId]), [['pause', 'd']]);
    assert.deepEqual(dispatch(input({})).map((s) => [s.kind, s.dagId]), [['pause', 'd']], 'the canary owns the first interval');
  });

  test('a paused owner is unpaused only when its next run is an interval neither DAG ran; otherwise Airflow is asked to recompute', () => {
    const paused = { live: state('d', true, 3) };
    assert.deepEqual(dispatch(input({ ...paused, canary: state('d__canary', true, 2), recent: [run('d', 2)] })).map((s) => [s.kind, s.dagId]), [['reparse', 'd__canary']]);
    assert.deepEqual(dispatch(input({ ...paused, canary: state('d__canary', true, 3), recent: [run('d', 2)] })).map((s) => [s.kind, s.dagId]), [['unpause', 'd__canary']]);
    assert.deepEqual(dispatch(input({ live: state('d', true, 4), canary: state('d__canary', false, 4), canaryRuns: [run('d__canary', 3)], liveRuns: [] })).map((s) => [s.kind, s.dagId]), [['pause', 'd__canary']]);
    assert.deepEqual(dispatch(input({ live: state('d', false, 4), canary: state('d__canary', true, 4), canaryRuns: [run('d__canary', 3)] })), [], 'the owner runs: nothing to do');
  });

  test('manual runs do not count toward the share of scheduled intervals; shadow and triggered modes only unpause', () => {
    assert.deepEqual(dispatch(input({ live: state('d', false, 2), canary: state('d__canary', true, 2), liveRuns: [run('d', 1, 'manual')] })).map((s) => s.kind), ['pause']);
    assert.deepEqual(dispatch(input({ mode: 'shadow' })).map((s) => [s.kind, s.dagId]), [['unpause', 'd__canary']]);
    assert.deepEqual(dispatch(input({ mode: 'triggered', live: state('d', true), livePaused: true })).map((s) => [s.kind, s.dagId]), [['unpause', 'd__canary']], 'a live DAG the user had paused stays paused');
  });

  test('split modes from the timetable: calendar schedules by interval, none by trigger, timedelta and assets only in shadow', () => {
    assert.equal(splitMode(state('d', false), false), 'interval');
    assert.equal(splitMode({ ...state('d', false), timetable_periodic: false, timetable_summary: 'None' }, false), 'triggered');
    assert.equal(splitMode({ ...state('d', false), timetable_summary: '0:00:10' }, false), undefined);
    assert.equal(splitMode({ ...state('d', false), timetable_summary: '1 day, 0:00:00' }, false), undefined);
    assert.equal(splitMode({ ...state('d', false), timetable_periodic: false, timetable_summary: 'Asset' }, false), undefined);
    assert.equal(splitMode({ ...state('d', false), timetable_periodic: false, timetable_summary: 'Asset' }, true), 'shadow');
  });
});

describe('canary metrics', () => {
  test('nearest-rank percentiles', () => {
    assert.equal(percentile([], 50), null);
    assert.equal(percentile([3, 1, 2], 50), 2);
    assert.equal(percentile([1, 2, 3, 4], 50), 2);
    assert.equal(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 95), 10);
  });

  test('only finished runs count; retries are extra tries; failed task instances per task', () => {
    const runs = [run('d', 1), run('d', 2, 'scheduled', 'failed'), run('d', 3, 'scheduled', 'running')];
    const ti = (runId: string, task: string, state: string, tries = 1, duration = 2) => ({ task_id: task, dag_run_id: runId, map_index: -1, state, try_number: tries, duration });
    const stats = runStats('d', runs, [ti('d-1', 'load', 'success', 2, 4), ti('d-2', 'load', 'failed', 3, 6), ti('d-3', 'load', 'running', 1)]);
    assert.deepEqual([stats.runs, stats.succeeded, stats.failed, stats.pending, stats.successRate], [2, 1, 1, 1, 0.5]);
    assert.equal(stats.retries, 3);
    assert.equal(stats.failedTasks, 1);
    assert.deepEqual(stats.tasks.load, { instances: 2, failed: 1, retries: 3, p50: 4, p95: 6 });
  });
});
