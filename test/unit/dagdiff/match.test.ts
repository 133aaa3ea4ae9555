import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findRenames } from '../../../server/src/dagdiff/match';
import type { DagSnapshot } from '../../../server/src/dagdiff/types';

function dag(dagId: string, file: string, tasks: string[], index = 0): DagSnapshot {
  return {
    dagId, known: true, file, index, settings: {}, constants: {}, definitions: {}, edges: [], groups: [],
    tasks: tasks.map((taskId) => ({ taskId, known: true, localId: taskId, operator: 'EmptyOperator', args: {} })),
  };
}

const renamed = (removed: DagSnapshot[], added: DagSnapshot[]) => findRenames(removed, added).pairs.map(([b, a]) => `${b.dagId}->${a.dagId}`);

test('same file: a rename needs half of the task ids in common (intersection over union)', () => {
  assert.deepEqual(renamed([dag('a', 'f.py', ['x', 'y'])], [dag('b', 'f.py', ['x', 'z'])]), [], '1 of 3 in common');
  assert.deepEqual(renamed([dag('a', 'f.py', ['x', 'y'])], [dag('b', 'f.py', ['x', 'y', 'z', 'w'])]), ['a->b'], '2 of 4');
  assert.deepEqual(renamed([dag('a', 'f.py', [])], [dag('b', 'f.py', [])]), ['a->b'], 'two empty DAGs of one file');
});

test('another file: a rename needs 80 % of the task ids in common and at least one task', () => {
  assert.deepEqual(renamed([dag('a', 'f.py', ['v', 'w', 'x', 'y'])], [dag('b', 'g.py', ['v', 'w', 'x', 'y', 'z'])]), ['a->b'], '4 of 5');
  assert.deepEqual(renamed([dag('a', 'f.py', ['w', 'x', 'y'])], [dag('b', 'g.py', ['w', 'x', 'y', 'z'])]), [], '3 of 4');
  assert.deepEqual(renamed([dag('a', 'f.py', [])], [dag('b', 'g.py', [])]), []);
});

test('the best pairs win: more tasks in common, then the same file, then the closest position', () => {
  const removed = [dag('a', 'f.py', ['x', 'y'], 0), dag('b', 'f.py', ['x', 'y'], 1)];
  assert.deepEqual(renamed(removed, [dag('c', 'f.py', ['x', 'y'], 1), dag('d', 'f.py', ['x', 'y'], 0)]), ['a->d', 'b->c']);
  assert.deepEqual(renamed([dag('a', 'f.py', ['x', 'y'])], [dag('b', 'f.py', ['x', 'z']), dag('c', 'f.py', ['x', 'y', 'z'])]), ['a->c']);
  assert.deepEqual(renamed([dag('a', 'f.py', ['w', 'x', 'y', 'z'])], [dag('b', 'g.py', ['w', 'x', 'y', 'z']), dag('c', 'f.py', ['w', 'x', 'y', 'z'])]), ['a->c']);
});
