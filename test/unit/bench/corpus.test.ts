import assert from 'node:assert/strict';
import { test } from 'node:test';
import { benchDagSource } from '../../bench/corpus';

test('the benchmark corpus is deterministic, about 150 lines a file, and mixes classic and TaskFlow DAGs', () => {
  const sources = Array.from({ length: 200 }, (_, i) => benchDagSource(i));
  assert.deepEqual(sources.slice(0, 5), Array.from({ length: 5 }, (_, i) => benchDagSource(i)));
  const lines = sources.map((source) => source.split('\n').length - 1);
  const average = lines.reduce((sum, n) => sum + n, 0) / lines.length;
  assert.ok(average > 135 && average < 165, `average ${average} lines`);
  assert.ok(sources.some((source) => source.includes('\nwith DAG(')));
  assert.ok(sources.some((source) => source.includes('\n@dag(')));
  assert.ok(sources.some((source) => source.includes('TaskGroup(group_id=')));
  assert.ok(sources.some((source) => source.includes('.expand(')));
});
