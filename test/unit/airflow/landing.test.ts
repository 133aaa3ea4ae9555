import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countdown } from '../../../server/src/airflow/landing';
import { attributeRuns, describeRuns, failedOnLive } from '../../../server/src/airflow/runs';
import type { HistoryRecord } from '../../../server/src/deploy/types';

test('the countdown is exact where Airflow says when it refreshed, and only the interval where it does not', () => {
  const now = Date.parse('2026-12-04T12:04:07Z');
  const state = { name: 'team', version: 'abc', last_refreshed: '2026-12-04T11:59:47Z' };
  assert.equal(countdown({ bundle: 'team', intervalMs: 300_000, state, requested: false, now }), 'bundle team refreshes every 300 s; next refresh in ~40 s');
  assert.equal(countdown({ bundle: 'team', intervalMs: 300_000, requested: true, now }), 'bundle team refreshes every 300 s; refresh requested, next refresh within 300 s');
  assert.equal(countdown({ bundle: 'team', intervalMs: 60_000, state, requested: false, now }), 'bundle team refreshes every 60 s; refresh due (last 260 s ago)');
});

function record(version: number, at: string, commit: string): HistoryRecord {
  return {
    version,
    environment: 'prod',
    action: 'deploy',
    who: 'ada',
    at,
    repositories: [{ name: 'team', namespace: 'team', ref: 'main', commit }],
    dagDiff: { added: [], changed: [], removed: [] },
    validation: { files: 1, analyzed: 1, errors: 0, highSecurity: 0, warnings: 0, blocking: [] },
  };
}

const run = (id: string, start: string | null, state: string, bundleVersion?: string, end?: string) => ({
  dag_id: 'orders',
  dag_run_id: id,
  state,
  start_date: start,
  end_date: end ?? null,
  ...(bundleVersion ? { bundle_version: bundleVersion } : {}),
});

test('runs belong to the version whose commit they recorded, else to the version live when they started', () => {
  const history = [record(1, '2026-12-04T10:00:00Z', 'aaa'), record(2, '2026-12-04T11:00:00Z', 'bbb'), record(3, '2026-12-04T12:00:00Z', 'aaa')];
  const versions = attributeRuns(
    [
      run('before-anything', '2026-12-04T09:00:00Z', 'success'),
      run('on-v1', '2026-12-04T10:30:00Z', 'success', undefined, '2026-12-04T10:30:12Z'),
      // Started after v3 went live, but Airflow still ran commit bbb: it is v2's run.
      run('late-v2', '2026-12-04T12:00:05Z', 'failed', 'bbb', '2026-12-04T12:01:05Z'),
      // Commit aaa is v1 and v3: the one live when it started.
      run('on-v3', '2026-12-04T12:10:00Z', 'failed', 'aaa', '2026-12-04T12:10:02Z'),
      run('queued', null, 'queued'),
    ],
    history,
  );
  assert.deepEqual(versions.map((v) => [v.version, v.runs.map((r) => `${r.runId}:${r.by}`)]), [
    [3, ['queued:start-time', 'on-v3:bundle-version']],
    [2, ['late-v2:bundle-version']],
    [1, ['on-v1:start-time']],
  ]);
  assert.equal(versions[1]!.runs[0]!.seconds, 60);
  assert.equal(describeRuns(versions[0]!.runs), '2 run(s): 1 failed, 1 queued; median 2.0 s');
  assert.equal(describeRuns([]), 'no runs');
  assert.equal(failedOnLive(versions)?.runId, 'on-v3');
});
