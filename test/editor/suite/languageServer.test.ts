import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { closeAllEditorsWithoutSaving, reportMetric, screenshot, waitFor } from './harness';
import { selectInWebview } from './userInput';

const FIXTURE = 'company-workflows/dags/lsp_fixture_etl.py';
const SOURCE = `from datetime import datetime

from airflow.sdk import DAG, TaskGroup
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG(dag_id="lsp_fixture_etl", schedule="@hourly", start_date=datetime(2025, 1, 1)):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    with TaskGroup(group_id="transform"):
        clean = BashOperator(task_id="clean", bash_command="echo clean")
        enrich = BashOperator(task_id="enrich", bash_command="echo enrich")
    load = BashOperator(task_id="load", bash_command="echo load")
    done = EmptyOperator(task_id="done", trigger_rule="dummy")

    extract >> [clean, enrich] >> load >> done
`;

const hangar = (uri: vscode.Uri, code?: string) =>
  vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'hangar' && (code === undefined || d.code === code));

function markdown(hovers: vscode.Hover[]): string {
  return hovers.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value))).join('\n');
}

suite('Language server', () => {
  let api: HangarApi;
  let uri: vscode.Uri;
  let editor: vscode.TextEditor;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>('hangar-dev.hangar');
    assert.ok(extension, 'the Hangar extension is loaded');
    await waitFor('the extension to activate', () => extension.isActive, 30_000);
    api = extension.exports;
    await waitFor('the language server to be ready', () => api.client.status.state === 'ready', 30_000);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the editor tests need the examples/ workspace open');
    uri = vscode.Uri.joinPath(folder.uri, FIXTURE);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(SOURCE));
    editor = await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
  });

  suiteTeardown(async () => {
    await closeAllEditorsWithoutSaving();
    await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  test('diagnostics appear for a DAG file and disappear as the text is edited', async () => {
    const started = Date.now();
    const [rule] = await waitFor('HGR008 on trigger_rule="dummy"', () => hangar(uri, 'HGR008').length > 0 && hangar(uri, 'HGR008'));
    assert.equal(rule!.range.start.line, 12);
    reportMetric('lspFirstDiagnosticsMs', Date.now() - started);

    // Break the syntax: drop the colon of the `with` line.
    const colon = new vscode.Position(6, editor.document.lineAt(6).text.length - 1);
    await editor.edit((edit) => edit.delete(new vscode.Range(colon, colon.translate(0, 1))));
    const editedAt = Date.now();
    await waitFor('the syntax error to appear', () => hangar(uri, 'HGR001').length > 0);
    reportMetric('lspEditToDiagnosticsMs', Date.now() - editedAt);
    await editor.edit((edit) => edit.insert(colon, ':'));
    await waitFor('the syntax error to disappear', () => hangar(uri, 'HGR001').length === 0 && hangar(uri, 'HGR008').length === 1);
  });

  test('hover shows the rule doc on a finding, the task neighbours on a task and the schedule on a dag_id', async () => {
    const onFinding = markdown(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(12, 58)));
    assert.match(onFinding, /HGR008/);
    assert.match(onFinding, /TriggerRule/, 'the rule doc from the catalog');
    const onTask = markdown(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(11, 6)));
    assert.match(onTask, /Task `load`/);
    assert.match(onTask, /Upstream: `transform.clean`, `transform.enrich`/);
    assert.match(onTask, /Downstream: `done`/);
    const onDag = markdown(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, new vscode.Position(6, 20)));
    assert.match(onDag, /Schedule: `"@hourly"`/);
    assert.match(onDag, /Tasks: 5/);
  });

  test('the outline lists the DAG, its task group and its tasks; go to definition finds where a task is created', async () => {
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', uri);
    const dag = symbols.find((s) => s.name === 'lsp_fixture_etl');
    assert.ok(dag, `symbols: ${symbols.map((s) => s.name)}`);
    assert.deepEqual(dag.children.map((c) => c.name), ['transform', 'extract', 'load', 'done']);
    assert.deepEqual(dag.children[0]!.children.map((c) => c.name), ['transform.clean', 'transform.enrich']);

    const locations = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>('vscode.executeDefinitionProvider', uri, new vscode.Position(14, 35));
    const target = locations[0]!;
    const range = 'targetRange' in target ? target.targetRange : target.range;
    assert.equal(range.start.line, 11, '`load` in the dependency line goes to `load = BashOperator(...)`');
  });

  test('code lenses above the DAG: task count, Show Graph, Compare with Live, Test, Deploy and the per-DAG actions', async () => {
    const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri);
    // Exactly these, in this order, each for this DAG: the task count, then an action for each command the extension
    // registered (hangar.validateDag is not one, so there is no Validate lens).
    assert.deepEqual(
      lenses.map((l) => [l.command?.title, l.command?.command, l.command?.arguments?.[1]]),
      [
        ['5 tasks', '', undefined],
        ['$(type-hierarchy) Show Graph', 'hangar.showDagGraph', 'lsp_fixture_etl'],
        ['$(git-compare) Compare with Live', 'hangar.compareWithLive', 'lsp_fixture_etl'],
        ['Test', 'hangar.testDag', 'lsp_fixture_etl'],
        ['Deploy', 'hangar.deploy', 'lsp_fixture_etl'],
        ['Deploy this DAG…', 'hangar.deployDag', 'lsp_fixture_etl'],
        ['Roll back this DAG…', 'hangar.rollbackDag', 'lsp_fixture_etl'],
      ],
    );
    assert.ok(lenses.every((l) => l.range.start.line === lenses[0]!.range.start.line), 'all above the DAG');
  });

  test('the preferred quick fix applies and removes its finding', async () => {
    const [finding] = hangar(uri, 'HGR008');
    assert.ok(finding);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, finding.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((a) => a.title);
    assert.ok(titles.includes('Suppress HGR008 with # noqa: HGR008'), `actions: ${titles}`);
    const fix = actions.find((a) => a.isPreferred);
    assert.ok(fix?.edit, `a preferred fix among ${titles}`);
    await vscode.workspace.applyEdit(fix.edit);
    assert.match(editor.document.lineAt(12).text, /trigger_rule="always"/);
    await waitFor('HGR008 to disappear after the fix', () => hangar(uri, 'HGR008').length === 0);
    await screenshot('lsp-quick-fix-applied');
  });

  test('the DAG graph view opens, renders every task and follows edits', async () => {
    const rendered: { dagId: string; nodes: number; edges: number }[] = [];
    const subscription = api.graph.onDidRender((r) => rendered.push(r));
    try {
      await vscode.commands.executeCommand('hangar.showDagGraph', uri.toString(), 'lsp_fixture_etl');
      const first = await waitFor('the graph to render', () => rendered.find((r) => r.dagId === 'lsp_fixture_etl'), 30_000);
      assert.deepEqual(first, { dagId: 'lsp_fixture_etl', nodes: 5, edges: 5 });
      await screenshot('lsp-dag-graph');
      // The Problems panel beside it lists the whole workspace: the DAG folders are analysed in the background.
      await vscode.commands.executeCommand('workbench.actions.view.problems');
      await screenshot('lsp-editor-overview');
      await vscode.window.showTextDocument(editor.document, vscode.ViewColumn.One);
      await editor.edit((edit) => edit.insert(new vscode.Position(13, 0), '    notify = EmptyOperator(task_id="notify")\n'));
      await waitFor('the graph to redraw with the new task', () => rendered.find((r) => r.nodes === 6), 30_000);
    } finally {
      subscription.dispose();
    }
  });

  test('a file with several DAGs gets a DAG picker in the graph view; choosing one draws it', async () => {
    const folder = vscode.workspace.workspaceFolders![0]!.uri;
    const twoDags = vscode.Uri.joinPath(folder, 'company-workflows', 'dags', 'lsp_two_dags.py');
    const source = [
      'from airflow.sdk import DAG',
      'from airflow.providers.standard.operators.empty import EmptyOperator',
      '',
      'with DAG(dag_id="lsp_first", schedule=None):',
      '    EmptyOperator(task_id="only")',
      '',
      'with DAG(dag_id="lsp_second", schedule=None):',
      '    a = EmptyOperator(task_id="a")',
      '    b = EmptyOperator(task_id="b")',
      '    c = EmptyOperator(task_id="c")',
      '    a >> b >> c',
      '',
    ].join('\n');
    await vscode.workspace.fs.writeFile(twoDags, Buffer.from(source));
    const rendered: { dagId: string; nodes: number; edges: number }[] = [];
    const subscription = api.graph.onDidRender((r) => rendered.push(r));
    try {
      await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(twoDags), vscode.ViewColumn.One);
      // From the palette, as a user opens it: the active file, no DAG named.
      await vscode.commands.executeCommand('hangar.showDagGraph');
      await waitFor('the first DAG to render', () => rendered.find((r) => r.dagId === 'lsp_first'), 30_000);
      assert.deepEqual(await selectInWebview('select#dag', 'lsp_second'), ['lsp_first', 'lsp_second']);
      assert.deepEqual(await waitFor('the chosen DAG to render', () => rendered.find((r) => r.dagId === 'lsp_second'), 30_000), { dagId: 'lsp_second', nodes: 3, edges: 2 });
      await screenshot('lsp-dag-picker');
    } finally {
      subscription.dispose();
      await vscode.workspace.fs.delete(twoDags).then(undefined, () => undefined);
    }
  });
});
