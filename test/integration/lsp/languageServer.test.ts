import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { FileChangeType, type CodeAction, type CodeLens, type DocumentSymbol, type Hover, type Location, type TextEdit } from 'vscode-languageserver-protocol';
import { DagGraphRequest } from '../../../server/src/protocol';
import { fileUri, LspClient, type Published } from './lspClient';

const dag = (dagId: string, extra = '') => `from datetime import datetime

from airflow.sdk import DAG, TaskGroup
from airflow.providers.standard.operators.bash import BashOperator

with DAG(dag_id="${dagId}", schedule="@daily", start_date=datetime(2025, 1, 1)):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    with TaskGroup(group_id="transform"):
        clean = BashOperator(task_id="clean", bash_command="echo clean", trigger_rule="dummy")
    load = BashOperator(task_id="load", bash_command="echo load")${extra}

    extract >> clean >> load
`;

const codes = (p: Published): string[] => p.diagnostics.map((d) => String(d.code));

/** Applies LSP text edits to a text (edits do not overlap). */
function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  return [...edits]
    .sort((a, b) => offset(b.range.start) - offset(a.range.start))
    .reduce((acc, e) => acc.slice(0, offset(e.range.start)) + e.newText + acc.slice(offset(e.range.end)), text);
}

describe('language server over stdio', () => {
  let root: string;
  let client: LspClient;
  let settings: Record<string, unknown> = {};
  const file = (name: string) => path.join(root, 'dags', name);

  before(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), 'hangar-lsp-'));
    mkdirSync(path.join(root, 'dags'));
    mkdirSync(path.join(root, 'scripts'));
    writeFileSync(file('first.py'), dag('shared_id'));
    writeFileSync(file('second.py'), dag('shared_id'));
    writeFileSync(file('third.py'), dag('third'));
    writeFileSync(path.join(root, 'scripts', 'outside.py'), dag('outside'));
    client = await LspClient.start({
      root,
      settings: () => settings,
      initializationOptions: { trusted: true, commands: ['hangar.showDagGraph', 'hangar.validateDag'] },
    });
  });
  after(async () => {
    await client?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  test('analyses the DAG folders in the background, with cross-file duplicate dag_ids in both files', async () => {
    // Whichever file is analysed first learns of the duplicate when the second one is analysed.
    await client.diagnostics(fileUri(file('first.py')), (p) => codes(p).includes('HGR006'));
    await client.diagnostics(fileUri(file('second.py')), (p) => codes(p).includes('HGR006'));
    const third = await client.diagnostics(fileUri(file('third.py')));
    assert.ok(!codes(third).includes('HGR006'));
    assert.ok(codes(third).includes('HGR008'), 'trigger_rule="dummy" in the background file too');
    assert.equal(client.published.filter((p) => p.uri.includes('/scripts/')).length, 0, 'files outside DAG folders are not scanned');
  });

  test('renaming the dag_id in the open file clears the duplicate in the other file', async () => {
    const uri = fileUri(file('first.py'));
    await client.open(uri, dag('shared_id'), 1);
    await client.diagnostics(uri, (p) => p.version === 1 && codes(p).includes('HGR006'));
    const second = client.nextDiagnostics(fileUri(file('second.py')), (p) => !codes(p).includes('HGR006'));
    await client.change(uri, 2, [{ range: { start: { line: 5, character: 17 }, end: { line: 5, character: 23 } }, text: 'renamed' }]);
    const published = await client.diagnostics(uri, (p) => p.version === 2);
    assert.ok(!codes(published).includes('HGR006'));
    await second;
    const back = client.nextDiagnostics(fileUri(file('second.py')), (p) => codes(p).includes('HGR006'));
    await client.change(uri, 3, [{ range: { start: { line: 5, character: 17 }, end: { line: 5, character: 24 } }, text: 'shared' }]);
    await back;
  });

  test('1,000 changes in a burst: diagnostics only for the last version, and the server keeps answering', async () => {
    const uri = fileUri(file('first.py'));
    const line = 6;
    const column = dag('x').split('\n')[line]!.indexOf('echo extract') + 4;
    for (let v = 4; v < 1004; v++) {
      const insert = v % 2 === 0;
      void client.change(uri, v, [{ range: { start: { line, character: column }, end: { line, character: insert ? column : column + 1 } }, text: insert ? ')' : '' }]);
    }
    // Version 1003 deleted the last inserted ")": the file is valid again.
    const last = await client.diagnostics(uri, (p) => p.version === 1003, 20_000);
    assert.ok(!codes(last).includes('HGR001'), `${codes(last)}`);
    const versions = client.published.filter((p) => p.uri === uri && (p.version ?? 0) >= 4).map((p) => p.version!);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), 'never an older version after a newer one');
    const hover = await client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line: 6, character: 6 } });
    assert.ok(hover);
  });

  test('hover: rule doc on a finding, operator and neighbours on a task, schedule and task count on a dag_id', async () => {
    const uri = fileUri(file('first.py'));
    const ask = (line: number, character: number) =>
      client.connection.sendRequest<Hover | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
    const finding = await ask(8, 90);
    assert.match(JSON.stringify(finding), /HGR008/);
    assert.match(JSON.stringify(finding), /TriggerRule/);
    const task = (await ask(6, 6)) as { contents: { value: string } };
    assert.match(task.contents.value, /Task `extract`.*BashOperator/);
    assert.match(task.contents.value, /Downstream: `transform.clean`/);
    const clean = (await ask(8, 40)) as { contents: { value: string } };
    assert.match(clean.contents.value, /Upstream: `extract`/);
    assert.match(clean.contents.value, /group `transform`/);
    const dagId = (await ask(5, 20)) as { contents: { value: string } };
    assert.match(dagId.contents.value, /DAG `shared_id`/);
    assert.match(dagId.contents.value, /Schedule: `"@daily"`/);
    assert.match(dagId.contents.value, /Tasks: 3/);
  });

  test('a DAG in a file with a syntax error gets no task count, which would be a guess', async () => {
    const broken = fileUri(file('broken_lens.py'));
    // The BashOperator( is never closed: tree-sitter sees the DAG, but neither of its tasks.
    await client.open(broken, dag('broken_lens').replace('bash_command="echo extract")', 'bash_command="echo extract"'), 1);
    await client.diagnostics(broken, (p) => codes(p).includes('HGR001'));
    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: broken } });
    assert.equal(lenses[0]?.command?.title, '$(error) syntax error: tasks not counted');
    assert.ok(!lenses.some((l) => /\d+ tasks?$/.test(l.command?.title ?? '')), lenses.map((l) => l.command?.title).join(' | '));
    await client.close(broken);
  });

  test('outline, go to definition, code lenses and the graph request', async () => {
    const uri = fileUri(file('first.py'));
    const symbols = await client.connection.sendRequest<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } });
    assert.equal(symbols[0]!.name, 'shared_id');
    assert.deepEqual(symbols[0]!.children!.map((c) => c.name), ['transform', 'extract', 'load']);
    assert.deepEqual(symbols[0]!.children![0]!.children!.map((c) => c.name), ['transform.clean']);

    const location = await client.connection.sendRequest<Location>('textDocument/definition', { textDocument: { uri }, position: { line: 11, character: 25 } });
    assert.equal(location.range.start.line, 9, '`load` in `extract >> clean >> load` goes to its BashOperator(...)');

    const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
    assert.deepEqual(lenses.map((l) => l.command?.title), ['3 tasks', '$(type-hierarchy) Show Graph', 'Validate'], 'Test and Deploy are not registered');

    const graph = await client.connection.sendRequest(DagGraphRequest, { uri });
    assert.equal(graph?.dagId, 'shared_id');
    assert.deepEqual(graph?.nodes.map((n) => [n.id, n.operator, n.group ?? '']), [
      ['extract', 'BashOperator', ''],
      ['transform.clean', 'BashOperator', 'transform'],
      ['load', 'BashOperator', ''],
    ]);
    assert.deepEqual(graph?.edges, [
      { upstream: 'extract', downstream: 'transform.clean' },
      { upstream: 'transform.clean', downstream: 'load' },
    ]);
  });

  test('code actions: the safe fix is preferred and removes its finding; # noqa suppression; fix all', async () => {
    const uri = fileUri(file('third.py'));
    const text = dag('third');
    await client.open(uri, text, 1);
    const published = await client.diagnostics(uri, (p) => p.version === 1 && codes(p).includes('HGR008'));
    const finding = published.diagnostics.find((d) => d.code === 'HGR008')!;
    const actions = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri },
      range: finding.range,
      context: { diagnostics: [finding] },
    });
    const fix = actions.find((a) => a.isPreferred)!;
    assert.equal(fix.title, 'Use "always"');
    const fixed = applyEdits(text, fix.edit!.changes![uri]!);
    assert.match(fixed, /trigger_rule="always"/);
    await client.change(uri, 2, [{ text: fixed }]);
    assert.ok(!codes(await client.diagnostics(uri, (p) => p.version === 2)).includes('HGR008'));

    const suppress = actions.find((a) => a.title.startsWith('Suppress HGR008'))!;
    assert.match(applyEdits(text, suppress.edit!.changes![uri]!).split('\n')[8]!, /trigger_rule="dummy"\) {2}# noqa: HGR008$/);

    const all = await client.connection.sendRequest<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: fileUri(file('first.py')) },
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      context: { diagnostics: [], only: ['source.fixAll'] },
    });
    assert.deepEqual(all.map((a) => [a.title, a.kind]), [['Fix all Hangar safe fixes in file', 'source.fixAll.hangar']]);
    await client.close(uri);
  });

  test('closing a DAG-folder file goes back to its saved findings; closing an outside file clears it', async () => {
    const outside = fileUri(path.join(root, 'scripts', 'outside.py'));
    await client.open(outside, dag('outside'), 1);
    assert.ok(codes(await client.diagnostics(outside, (p) => p.version === 1)).includes('HGR008'));
    const cleared = client.nextDiagnostics(outside, (p) => p.diagnostics.length === 0);
    await client.close(outside);
    await cleared;

    const uri = fileUri(file('first.py'));
    const restored = client.nextDiagnostics(uri, (p) => p.version === undefined && codes(p).includes('HGR008'));
    await client.close(uri);
    await restored;
  });

  test('a deleted file loses its findings and its duplicate dag_id elsewhere', async () => {
    const second = client.nextDiagnostics(fileUri(file('second.py')), (p) => !codes(p).includes('HGR006'));
    const first = client.nextDiagnostics(fileUri(file('first.py')), (p) => p.diagnostics.length === 0);
    unlinkSync(file('first.py'));
    await client.filesChanged([{ uri: fileUri(file('first.py')), type: FileChangeType.Deleted }]);
    await first;
    await second;
  });

  test('huge files and binary content get one notice, and hover still answers', async () => {
    const huge = fileUri(file('huge.py'));
    await client.open(huge, dag('huge') + '#\n'.repeat(600_000), 1);
    assert.deepEqual(codes(await client.diagnostics(huge, (p) => p.version === 1)), ['file-too-large']);
    const binary = fileUri(file('binary.py'));
    await client.open(binary, 'airflow dag \u0000\u0007\u00ff', 1);
    assert.deepEqual(codes(await client.diagnostics(binary, (p) => p.version === 1)), ['binary-content']);
    assert.equal(await client.connection.sendRequest('textDocument/hover', { textDocument: { uri: binary }, position: { line: 0, character: 1 } }), null);
  });

  test('settings are read per resource and re-read after didChangeConfiguration, for open and background files', async () => {
    const uri = fileUri(file('third.py'));
    await client.open(uri, dag('third'), 1);
    assert.ok(codes(await client.diagnostics(uri, (p) => p.version === 1)).includes('HGR008'));
    settings = { rules: { severity: { HGR008: 'off' } } };
    const next = client.nextDiagnostics(uri, (p) => p.version === 1 && !codes(p).includes('HGR008'));
    const background = client.nextDiagnostics(fileUri(file('second.py')), (p) => !codes(p).includes('HGR008'));
    await client.configurationChanged();
    await next;
    await background; // files that are not open are analysed again with the new settings too
    settings = {};
    const back = client.nextDiagnostics(uri, (p) => codes(p).includes('HGR008'));
    await client.configurationChanged();
    await back;
  });

  test('a hangar.toml written in the workspace applies to open and background files', async () => {
    const open = fileUri(file('third.py'));
    assert.ok(codes(await client.diagnostics(open, (p) => p.version === 1)).includes('HGR008'));
    const openCleared = client.nextDiagnostics(open, (p) => !codes(p).includes('HGR008'));
    const backgroundCleared = client.nextDiagnostics(fileUri(file('second.py')), (p) => !codes(p).includes('HGR008'));
    writeFileSync(path.join(root, 'hangar.toml'), 'ignore = ["HGR008"]\n');
    await client.filesChanged([{ uri: fileUri(path.join(root, 'hangar.toml')), type: FileChangeType.Created }]);
    await openCleared;
    await backgroundCleared;
  });
});

describe('language server in an untrusted workspace', () => {
  test('offers no lens that runs project code, but still analyses', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'hangar-lsp-untrusted-'));
    const client = await LspClient.start({
      root,
      initializationOptions: { trusted: false, commands: ['hangar.showDagGraph', 'hangar.validateDag', 'hangar.testDag', 'hangar.deploy'] },
    });
    try {
      const uri = fileUri(path.join(root, 'untrusted.py'));
      await client.open(uri, dag('untrusted'), 1);
      assert.ok(codes(await client.diagnostics(uri, (p) => p.version === 1)).includes('HGR008'));
      const lenses = await client.connection.sendRequest<CodeLens[]>('textDocument/codeLens', { textDocument: { uri } });
      assert.deepEqual(lenses.map((l) => l.command?.title), ['3 tasks', '$(type-hierarchy) Show Graph']);
    } finally {
      await client.stop();
      rmSync(root, { recursive: true, force: true });
    }
  });
});
