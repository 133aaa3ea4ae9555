import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderDeployHistory } from '../../../client/src/deploy/historyDocument';
import { versionTooltip } from '../../../client/src/deploy/versionTooltip';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { activeTokens, HOSTILE } from './markdownTokens';

// A version's hover in the Deployments view is Markdown; the history behind it is written by whoever can write the
// target (a git target's tags, a shared folder's history.json) and holds Airflow's own messages.
function recordOf(text: string): HistoryRecord {
  return {
    version: 4,
    environment: 'prod',
    action: 'deploy',
    who: text,
    at: '2026-01-01T00:00:00Z',
    repositories: [{ name: 'team', namespace: 'team', ref: 'main', commit: 'a'.repeat(40) }],
    dagDiff: { added: [text], changed: [], removed: [] },
    changes: [{ repository: 'team', from: null, to: 'a'.repeat(40), lines: [text, `~ ${text}`] }],
    validation: { errors: 0, warnings: 0, files: 1 },
    forced: { reason: text },
    verification: { status: 'import-errors', message: text, visibleDags: [], missingDags: [], importErrors: [] },
    dags: [{ dagId: text, repository: 'team', from: 'b'.repeat(40), to: 'a'.repeat(40) }],
    affectedDags: [text],
  } as unknown as HistoryRecord;
}

for (const text of HOSTILE) {
  test(`a version's tooltip shows ${JSON.stringify(text)} from the history as text: no link, image or HTML`, () => {
    assert.deepEqual(activeTokens(versionTooltip(recordOf(text))), []);
  });
}

for (const text of HOSTILE) {
  test(`the deploy history document shows ${JSON.stringify(text)} from the history as text, in number fields too`, () => {
    const record = recordOf(text) as unknown as Record<string, unknown>;
    const hostile = { ...record, version: text, action: text, restores: text, validation: { files: text, errors: text, highSecurity: text, warnings: text }, promotedFrom: { environment: text, version: text } } as unknown as HistoryRecord;
    const env = { name: 'prod', target: { kind: 'folder', path: '/dags' } } as unknown as Environment;
    assert.deepEqual(activeTokens(renderDeployHistory(env, [hostile])), []);
  });
}
