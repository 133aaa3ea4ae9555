import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeBrokenLive } from '../../../server/src/deploy/format';
import type { HistoryRecord } from '../../../server/src/deploy/types';

test('after a deploy Airflow cannot import, the message says the broken version is live and how to roll back', () => {
  const record = {
    version: 7,
    verification: {
      status: 'import-errors',
      message: 'Airflow reports 1 import error(s) in deployed files.',
      visibleDags: [],
      missingDags: [],
      importErrors: [{ airflowPath: 'team/reports.py', file: '/repo/dags/reports.py', line: 1, message: "ModuleNotFoundError: No module named 'x'" }],
    },
  } as unknown as HistoryRecord;
  assert.equal(
    describeBrokenLive('prod', record, 'hangar rollback --env prod'),
    'v7 IS LIVE on prod, and Airflow cannot import 1 of its file(s): /repo/dags/reports.py. Roll back to serve the previous version again: hangar rollback --env prod',
  );
});
