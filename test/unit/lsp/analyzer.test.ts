import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { Parser } from 'web-tree-sitter';
import { createPythonParser } from '../../../server/src/analysis/parser';
import { Analyzer } from '../../../server/src/lsp/analyzer';
import { SettingsCache } from '../../../server/src/lsp/settings';

const BROKEN = 'from airflow.sdk import dag\n\nfor x in range(3)\n    pass\n';
const FIXED = 'from airflow.sdk import dag\n\nfor x in range(3):\n    pass\n';

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

interface Published {
  uri: string;
  version: number | undefined;
  diagnostics: Diagnostic[];
}

function analyzer(fetch?: (uri: string) => Promise<unknown>): { analyzer: Analyzer; published: Published[] } {
  const published: Published[] = [];
  const instance = new Analyzer(parser, new SettingsCache(fetch), (uri, version, diagnostics) => published.push({ uri, version, diagnostics }), {
    incremental: true,
  });
  return { analyzer: instance, published };
}

/** Lets the analyzer's scheduling run: it waits for an event-loop turn without newer changes. */
async function settle(): Promise<void> {
  for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
}
const replaceAll = (text: string) => [{ range: { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } }, text }];

test('rapid edits publish once, for the latest version only', async () => {
  const { analyzer: a, published } = analyzer();
  a.open('file:///d.py', BROKEN, 1);
  for (let version = 2; version <= 1000; version++) a.change('file:///d.py', replaceAll(version % 2 ? BROKEN : FIXED), version);
  await settle();
  assert.equal(published.length, 1);
  assert.equal(published[0]!.version, 1000);
  assert.deepEqual(published[0]!.diagnostics, [], 'version 1000 is the fixed text');
});

test('a result computed while the settings were being fetched is not published for an older version', async () => {
  let answer: (value: unknown) => void = () => {};
  const { analyzer: a, published } = analyzer(() => new Promise((resolve) => (answer = resolve)));
  a.open('file:///d.py', BROKEN, 1);
  await settle();
  a.change('file:///d.py', replaceAll(FIXED), 2);
  await settle();
  assert.equal(published.length, 0, 'nothing before the settings arrive');
  answer({});
  await settle();
  await settle();
  assert.deepEqual(
    published.map((p) => p.version),
    [2],
  );
});

test('closing a document clears its diagnostics', async () => {
  const { analyzer: a, published } = analyzer();
  a.open('file:///d.py', BROKEN, 1);
  await settle();
  assert.equal(published.at(-1)!.diagnostics[0]!.code, 'HGR001');
  a.close('file:///d.py');
  assert.deepEqual(published.at(-1), { uri: 'file:///d.py', version: undefined, diagnostics: [] });
});

test('non-DAG files, huge files and binary content: no analysis, at most one notice', async () => {
  const { analyzer: a, published } = analyzer();
  a.open('file:///plain.py', 'for x in\n', 1);
  a.open('file:///huge.py', `# airflow dag\n${'x = 1\n'.repeat(300_000)}`, 1);
  a.open('file:///binary.py', 'airflow dag\u0000\u0001\u0002', 1);
  await settle();
  const byUri = new Map(published.map((p) => [p.uri, p.diagnostics]));
  assert.deepEqual(byUri.get('file:///plain.py'), []);
  assert.deepEqual(byUri.get('file:///huge.py')!.map((d) => d.code), ['file-too-large']);
  assert.deepEqual(byUri.get('file:///binary.py')!.map((d) => d.code), ['binary-content']);
});
