import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeDiff, summaryLines } from '../../../server/src/dagdiff/format';
import type { DagChange, SemanticDiff } from '../../../server/src/dagdiff/types';

function changed(dagId: string, settings: DagChange['settings']): DagChange {
  return {
    dagId, known: true, file: `${dagId}.py`, settings, constants: [], definitions: [],
    tasks: { added: [], removed: [], changed: [] }, edges: { added: [], removed: [] }, groups: { added: [], removed: [], changed: [] }, otherCode: false,
  };
}

function diff(changes: DagChange[]): SemanticDiff {
  return { dags: { added: [], removed: [], changed: changes, unchanged: 0 }, files: { added: [], removed: [], changed: [] }, warnings: [] };
}

test('summary lines are bounded: DAGs, changes per DAG, value length', () => {
  const many = diff(['a', 'b', 'c'].map((id) => changed(id, [{ name: 'x', before: '1', after: '2' }, { name: 'y', before: null, after: '3' }, { name: 'z', before: '4', after: null }])));
  assert.deepEqual(summaryLines(many, { maxDags: 2, maxChangesPerDag: 2 }), ['~ a: x 1 → 2; y (unset) → 3; 1 more', '~ b: x 1 → 2; y (unset) → 3; 1 more', '… and 1 more DAGs']);
  const long = diff([changed('a', [{ name: 'sql', before: `"SELECT ${'x, '.repeat(30)}a FROM t"`, after: `"SELECT ${'x, '.repeat(30)}b FROM t"` }])]);
  assert.deepEqual(summaryLines(long, { maxValueLength: 20 }), ['~ a: sql …x, x, a FROM t" → …x, x, b FROM t"']);
});

test('Markdown: every value is a code span that survives backticks; DAG lines are bullets', () => {
  const tricky = diff([changed('a', [{ name: 'bash_command', before: '"echo `date`"', after: '"`x``y`"' }])]);
  assert.deepEqual(summaryLines(tricky, { markdown: true }), ['- `a` changed: bash\\_command ``"echo `date`"`` → ```"`x``y`"```']);
  assert.deepEqual(summaryLines(diff([]), { markdown: true }), ['- no DAG changes']);
});

test('multi-line values stay on one line; the long form for the CLI lists one change a line', () => {
  const multi = diff([changed('a', [{ name: 'doc_md', before: '"""one\ntwo"""', after: null }])]);
  assert.deepEqual(describeDiff(multi), ['~ dag a (a.py)', '    doc_md """one\\ntwo""" → (unset)']);
});

test('text from the DAG files cannot drive the terminal or the Markdown: control characters and Markdown syntax are escaped', () => {
  const hostile = diff([{ ...changed('a\u001b[31mred', [{ name: 'default_args.<b>*x*</b>', before: '"\u001b]0;title\u0007"', after: '"ok\tok"' }]) }]);
  assert.deepEqual(describeDiff(hostile), ['~ dag a\\u001b[31mred (a\\u001b[31mred.py)', '    default_args.<b>*x*</b> "\\u001b]0;title\\u0007" → "ok\\tok"']);
  assert.deepEqual(summaryLines(hostile, { markdown: true }), ['- `a\\u001b[31mred` changed: default\\_args.\\<b\\>\\*x\\*\\</b\\> `"\\u001b]0;title\\u0007"` → `"ok\\tok"`']);
});
