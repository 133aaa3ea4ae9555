import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderCanary, renderCanaryUnavailable } from '../../../client/src/deploy/canaryDocument';
import { evaluateCondition, parseCondition } from '../../../server/src/canary/condition';
import { runStats } from '../../../server/src/canary/metrics';
import type { CanaryStatus } from '../../../server/src/canary/service';
import { activeTokens, HOSTILE } from './markdownTokens';

// The editor's comparison panel is Markdown in VS Code's preview, which renders HTML and follows links (command: ones too).

function statusOf(text: string): CanaryStatus {
  const stats = runStats(text, [{ dag_run_id: text, dag_id: text, run_after: '2026-01-01T00:00:00Z', duration: 2, state: 'success', run_type: text }], [{ task_id: text, dag_run_id: text, map_index: -1, state: 'failed', duration: 1, try_number: 2 }]);
  return {
    environment: text,
    dagId: text,
    canaryDagId: `${text}__canary`,
    since: text,
    startedIn: 3,
    candidate: { ref: text, commit: text },
    settings: { share: 50, runs: 1, until: 'canary.success_rate >= live.success_rate', shadow: false },
    mode: 'triggered',
    paused: { live: false, canary: false },
    comparison: { since: text, at: text, live: stats, canary: stats },
    condition: evaluateCondition(parseCondition('canary.success_rate >= live.success_rate'), stats, stats),
    verdict: 'hold',
    message: text,
    steps: [],
  };
}

for (const text of HOSTILE) {
  test(`the canary comparison shows ${JSON.stringify(text)} (from the history or Airflow) as text: no link, image or HTML`, () => {
    assert.deepEqual(activeTokens(renderCanary(statusOf(text))), []);
  });

  test(`the canary panel without a comparison shows Airflow's error ${JSON.stringify(text)} as text`, () => {
    assert.deepEqual(activeTokens(renderCanaryUnavailable(text, text, `Airflow at http://airflow answered 500: ${text}`)), []);
  });
}
