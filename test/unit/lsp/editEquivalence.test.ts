import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser } from '../../../server/src/analysis/parser';
import { Analyzer } from '../../../server/src/lsp/analyzer';
import { SettingsCache } from '../../../server/src/lsp/settings';
import { random } from '../../bench/corpus';
import { generatedDag } from '../../bench/shapes';

/**
 * What the editor shows after a series of edits, each re-parsed incrementally from the previous tree, must be what a
 * from-scratch analysis of the same text shows: random edits (seeded, so a failure replays) over every fixture.
 */

const FIXTURES = path.resolve(__dirname, '../../fixtures');
const EDITS_PER_FILE = 12;
/** Text typed into DAG files: tokens that open and close strings, brackets and blocks, tasks, dependencies, non-ASCII. */
const SNIPPETS = [
  'x', ' ', '\n', '    ', '"', "'", '(', ')', '[', ']', ':', ',', '#', '\\', 'é', '😀', '>>', ' >> ', '<<',
  'task_id="extract"', 'dag_id="dup"', '# noqa', '  # noqa: HGR005', '\n    t9 = EmptyOperator(task_id="t9")\n',
  '\nwith DAG(dag_id="extra") as extra:\n    a = BashOperator(task_id="a", bash_command="echo {{ params.x }}")\n',
  'BashOperator(task_id="load")', 'chain(a, b)', '@task\ndef step():\n    return 1\n', 'for i in range(3):\n    ',
  'if True:\n    ', 'else:\n', '"""', 'f"{x}"', 'import os\n', 'from airflow.operators.bash import BashOperator\n',
];

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  }).sort();
}

interface Change {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** One random change of `text`: an insertion, a deletion or a replacement, never inside a surrogate pair. */
function randomChange(text: string, next: () => number): Change {
  const document = TextDocument.create('file:///x.py', 'python', 0, text);
  const offsetNear = (offset: number): number => {
    const clamped = Math.max(0, Math.min(text.length, offset));
    return /[\uDC00-\uDFFF]/.test(text[clamped] ?? '') ? clamped - 1 : clamped;
  };
  const start = offsetNear(Math.floor(next() * (text.length + 1)));
  const kind = next();
  const end = kind < 0.5 ? start : offsetNear(start + 1 + Math.floor(next() * 40));
  const inserted = kind < 0.75 ? SNIPPETS[Math.floor(next() * SNIPPETS.length)]! : '';
  return { range: { start: document.positionAt(start), end: document.positionAt(Math.max(start, end)) }, text: inserted };
}

function apply(text: string, changes: readonly Change[]): string {
  const document = TextDocument.create('file:///x.py', 'python', 0, text);
  TextDocument.update(document, [...changes], 1);
  return document.getText();
}

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

/** An analyzer and a promise of its next publication for a uri. */
function editor(incremental: boolean) {
  const waiting = new Map<string, (diagnostics: Diagnostic[]) => void>();
  const analyzer = new Analyzer(parser, new SettingsCache(async () => ({})), (uri, _version, diagnostics) => waiting.get(uri)?.(diagnostics), { incremental });
  const next = (uri: string) => new Promise<Diagnostic[]>((resolve) => waiting.set(uri, resolve));
  return { analyzer, next };
}

test('diagnostics after random edits, re-parsed incrementally, equal a from-scratch analysis of the same text', async () => {
  const sources = [
    ...pythonFiles(FIXTURES).map((file) => ({ name: path.relative(FIXTURES, file), text: readFileSync(file, 'utf8') })),
    { name: 'sparse shape', text: generatedDag(300, 'sparse') },
    { name: 'dense shape', text: generatedDag(300, 'dense') },
  ];
  const live = editor(true);
  const scratch = editor(false);
  let compared = 0;
  for (const [index, { name, text: original }] of sources.entries()) {
    const next = random(index + 1);
    const uri = `file:///edits/${index}.py`;
    let text = original;
    let published = live.next(uri);
    live.analyzer.open(uri, text, 1);
    await published;
    for (let version = 2; version < 2 + EDITS_PER_FILE; version++) {
      // Sometimes several changes arrive in one notification, as an editor sends for multi-cursor edits.
      const changes: Change[] = [];
      for (let count = next() < 0.25 ? 3 : 1; count > 0; count--) {
        const change = randomChange(apply(text, changes), next);
        changes.push(change);
      }
      text = apply(text, changes);
      published = live.next(uri);
      live.analyzer.change(uri, changes, version);
      const incremental = await published;
      const fresh = scratch.next(uri);
      scratch.analyzer.open(uri, text, version);
      assert.deepEqual(incremental, await fresh, `${name}, edit ${version - 1} (seed ${index + 1}):\n${text}`);
      compared += 1;
    }
    live.analyzer.close(uri);
    scratch.analyzer.close(uri);
  }
  assert.ok(compared >= sources.length * EDITS_PER_FILE);
  live.analyzer.dispose();
  scratch.analyzer.dispose();
});
