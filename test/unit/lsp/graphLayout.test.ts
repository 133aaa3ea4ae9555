import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layout, NODE_WIDTH } from '../../../media/src/graphLayout';

const nodes = (...ids: string[]) => ids.map((id) => ({ id }));
const edge = (upstream: string, downstream: string) => ({ upstream, downstream });

test('every task sits right of all its upstream tasks', () => {
  const placed = layout({ nodes: nodes('load', 'extract', 'clean', 'notify'), edges: [edge('extract', 'clean'), edge('clean', 'load'), edge('extract', 'load'), edge('load', 'notify')] });
  const at = new Map(placed.nodes.map((n) => [n.id, n]));
  assert.deepEqual(['extract', 'clean', 'load', 'notify'].map((id) => at.get(id)!.layer), [0, 1, 2, 3]);
  assert.ok(at.get('clean')!.x >= at.get('extract')!.x + NODE_WIDTH);
  assert.ok(placed.width >= at.get('notify')!.x + NODE_WIDTH);
});

test('a fan-out stacks its branches in one column without overlap', () => {
  const placed = layout({ nodes: nodes('start', 'a', 'b', 'c'), edges: [edge('start', 'a'), edge('start', 'b'), edge('start', 'c')] });
  const column = placed.nodes.filter((n) => n.layer === 1).map((n) => n.y).sort((x, y) => x - y);
  assert.equal(column.length, 3);
  assert.ok(column[1]! - column[0]! >= 44 && column[2]! - column[1]! >= 44);
});

test('a cycle typed half-way does not hang the layout', () => {
  const placed = layout({ nodes: nodes('a', 'b'), edges: [edge('a', 'b'), edge('b', 'a'), edge('a', 'ghost')] });
  assert.equal(placed.nodes.length, 2);
});
