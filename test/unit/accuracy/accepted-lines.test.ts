import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acceptedLines, findingOnLines } from '../../support/accuracy';
import type { Finding } from '../../../server/src/analysis/findings';

const source = [
  'from airflow.sdk import DAG', // 1
  '', // 2
  'with DAG(', // 3
  '    dag_id="x",', // 4
  '    concurrency=4,', // 5
  '):', // 6
  '    pass', // 7
].join('\n');

function findingOn(line: number): Finding {
  return { ruleId: 'HGR000', message: 'm', severity: 'error', range: { start: { line: line - 1, character: 4 }, end: { line: line - 1, character: 9 } } };
}

test('a finding anywhere in the call that starts on the line Airflow reports counts as on that line', async () => {
  const lines = await acceptedLines(source, 3);
  assert.deepEqual(lines, { first: 3, last: 6 });
  assert.ok(findingOnLines(findingOn(5), lines), 'the keyword argument inside the DAG(...) call');
  assert.ok(!findingOnLines(findingOn(7), lines), 'the with block body is not part of the call');
});

test('without a call on that line only the line itself counts', async () => {
  const lines = await acceptedLines(source, 1);
  assert.deepEqual(lines, { first: 1, last: 1 });
  assert.ok(findingOnLines(findingOn(1), lines));
  assert.ok(!findingOnLines(findingOn(2), lines));
});
