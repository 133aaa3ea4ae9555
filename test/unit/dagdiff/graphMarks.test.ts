import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graphMarks, markGraph } from '../../../server/src/dagdiff/graphMarks';
import type { DagGraph } from '../../../server/src/protocol';
import { fixtureDiff } from './fixtureTrees';

const range = { start: { line: 5, character: 4 }, end: { line: 5, character: 40 } };

test('Compare with Live marks an added task and edge, and draws the removed ones as ghosts', async () => {
  const marks = graphMarks(await fixtureDiff('task-added-removed'), 'orders');
  assert.equal(marks.dag, 'changed');
  assert.deepEqual(marks.tasks, { validate: 'added' });
  assert.deepEqual(marks.lines, ['~ dag orders (pipeline.py)', '    + task validate (BashOperator)', '    - task cleanup (BashOperator)', '    + edge start >> validate', '    - edge start >> cleanup']);
  const graph: DagGraph = {
    uri: 'file:///dags/pipeline.py',
    version: 1,
    dagId: 'orders',
    dagIds: ['orders'],
    nodes: [
      { id: 'start', operator: 'EmptyOperator', range },
      { id: 'validate', operator: 'BashOperator', range },
    ],
    edges: [{ upstream: 'start', downstream: 'validate' }],
  };
  const marked = markGraph(graph, marks);
  assert.deepEqual(marked.nodes.map((n) => [n.id, n.mark ?? '']), [['start', ''], ['validate', 'added'], ['cleanup', 'removed']]);
  assert.deepEqual(marked.edges.map((e) => [`${e.upstream}>>${e.downstream}`, e.mark ?? '']), [['start>>validate', 'added'], ['start>>cleanup', 'removed']]);
});

test('a changed task is marked changed; a new DAG is all added; an unknown DAG has nothing marked', async () => {
  assert.deepEqual(graphMarks(await fixtureDiff('operator-changed'), 'orders').tasks, { notify: 'changed', run: 'changed' });
  const added = graphMarks(await fixtureDiff('dag-added'), 'refunds');
  assert.equal(added.dag, 'added');
  const graph: DagGraph = { uri: 'u', version: 1, dagId: 'refunds', dagIds: ['refunds'], nodes: [{ id: 'a', operator: 'X', range }], edges: [{ upstream: 'a', downstream: 'a' }] };
  assert.deepEqual(markGraph(graph, added).nodes.map((n) => n.mark), ['added']);
  assert.deepEqual(graphMarks(await fixtureDiff('dag-added'), 'nothing-like-it'), { dagId: 'nothing-like-it', tasks: {}, removedTasks: [], addedEdges: [], removedEdges: [], dag: 'unchanged', lines: ['no changes in this DAG'] });
});
