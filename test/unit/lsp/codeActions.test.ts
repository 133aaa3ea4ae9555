import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser } from '../../../server/src/analysis/parser';
import { Analyzer } from '../../../server/src/lsp/analyzer';
import { codeActions, FIX_ALL_KIND } from '../../../server/src/lsp/codeActions';
import { SettingsCache } from '../../../server/src/lsp/settings';

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

const DAG = (triggerLine: string) => `from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG(dag_id="actions"):
${triggerLine}
`;

function analysisOf(text: string) {
  const analyzer = new Analyzer(parser, new SettingsCache(undefined), () => {}, { incremental: true });
  analyzer.open('file:///dags/actions.py', text, 1);
  return analyzer.current('file:///dags/actions.py')!;
}

const lineOf = (text: string, n: number) => text.split('\n')[n]!;
const at = (line: number, character: number) => ({ start: { line, character }, end: { line, character } });

type Position = { line: number; character: number };

/** Applies single-line edits, last first so earlier positions stay valid. */
function apply(text: string, edits: { range: { start: Position; end: Position }; newText: string }[]): string {
  const lines = text.split('\n');
  const ordered = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
  for (const { range, newText } of ordered) {
    const line = lines[range.start.line]!;
    lines[range.start.line] = line.slice(0, range.start.character) + newText + line.slice(range.end.character);
  }
  return lines.join('\n');
}

test('the safe fix is a preferred quick fix, then a # noqa suppression', () => {
  const text = DAG('    join = EmptyOperator(task_id="join", trigger_rule="dummy")');
  const actions = codeActions(analysisOf(text), at(4, 55), undefined);
  assert.deepEqual(actions.map((a) => [a.title, a.isPreferred ?? false]), [
    ['Use "always"', true],
    ['Suppress HGR008 with # noqa: HGR008', false],
    ['Fix all Hangar safe fixes in file', false],
  ]);
  assert.equal(lineOf(apply(text, actions[1]!.edit!.changes!['file:///dags/actions.py']!), 4), '    join = EmptyOperator(task_id="join", trigger_rule="dummy")  # noqa: HGR008');
});

test('the suppression appends to an existing # noqa list', () => {
  const text = DAG('    join = EmptyOperator(task_id="join", trigger_rule="dummy")  # noqa: HGR301, HGR302');
  const suppress = codeActions(analysisOf(text), at(4, 55), undefined).find((a) => a.title.startsWith('Suppress'))!;
  assert.equal(
    lineOf(apply(text, suppress.edit!.changes!['file:///dags/actions.py']!), 4),
    '    join = EmptyOperator(task_id="join", trigger_rule="dummy")  # noqa: HGR301, HGR302, HGR008',
  );
});

test('only source.fixAll asks for the fix-all action alone', () => {
  const text = DAG('    join = EmptyOperator(task_id="join", trigger_rule="dummy")\n    other = EmptyOperator(task_id="other", trigger_rule="none_failed_or_skipped")');
  const actions = codeActions(analysisOf(text), at(0, 0), ['source.fixAll']);
  assert.equal(actions.length, 1);
  assert.equal(actions[0]!.kind, FIX_ALL_KIND);
  const fixed = apply(text, actions[0]!.edit!.changes!['file:///dags/actions.py']!);
  assert.match(fixed, /task_id="join", trigger_rule="always"\)/);
  assert.match(fixed, /task_id="other", trigger_rule="none_failed_min_one_success"\)/);
});
