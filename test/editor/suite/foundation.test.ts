import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { reportMetric, screenshot, waitFor } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const BROKEN_DAG = 'company-workflows/dags/broken_syntax.py';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the editor tests need the examples/ workspace open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

function syntaxDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'hangar' && d.code === 'HGR001');
}

suite('Foundation', () => {
  let extension: vscode.Extension<HangarApi>;
  let api: HangarApi;

  suiteSetup(async () => {
    const found = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not loaded in the editor`);
    extension = found;
    // No explicit activate(): the workspaceContains activation events must do it.
    await waitFor('the extension to activate by itself', () => extension.isActive, 30_000);
    api = extension.exports;
  });

  test('activates by itself in a workspace of DAG repositories and reports its activation time', () => {
    assert.ok(extension.isActive);
    assert.equal(typeof api.activationMs, 'number');
    assert.ok(api.activationMs >= 0 && api.activationMs < 30_000, `activationMs = ${api.activationMs}`);
    reportMetric('activationMs', api.activationMs);
  });

  test('shows the Hangar view container with the Repositories view', async () => {
    // Both commands exist only when the container and the view are contributed and registered.
    await vscode.commands.executeCommand('workbench.view.extension.hangar');
    await vscode.commands.executeCommand('hangar.repositories.focus');
    await screenshot('foundation-repositories-view');
  });

  test('registers every command declared in package.json', async () => {
    const declared = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(declared.includes('hangar.restartServer') && declared.includes('hangar.showLogs'));
    const registered = new Set(await vscode.commands.getCommands(true));
    assert.deepEqual(declared.filter((id) => !registered.has(id)), [], 'declared but not registered');
  });

  test('reports the syntax error of a broken DAG with its exact range', async () => {
    const uri = workspaceFile(BROKEN_DAG);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const [diagnostic, ...others] = await waitFor('the HGR001 diagnostic', () => syntaxDiagnostics(uri).length > 0 && syntaxDiagnostics(uri));
    assert.equal(others.length, 0, 'one syntax error in the file');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(diagnostic.message, "Syntax error: expected ':'", 'what Python says');
    // The header of the `for` statement that lacks its colon, line 42 (0-based 41), where Python points.
    assert.deepEqual(
      [diagnostic.range.start.line, diagnostic.range.start.character, diagnostic.range.end.line, diagnostic.range.end.character],
      [41, 4, 41, 42],
    );
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await screenshot('foundation-syntax-error');
  });

  test('restarts the language server and publishes diagnostics again', async () => {
    const uri = workspaceFile(BROKEN_DAG);
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const startsBefore = api.client.starts;
    const clientBefore = api.client.languageClient;
    await vscode.commands.executeCommand('hangar.restartServer');
    assert.equal(api.client.starts, startsBefore + 1);
    assert.notEqual(api.client.languageClient, clientBefore, 'a new language client');
    assert.ok(api.client.languageClient?.isRunning(), 'the new client is running');
    await waitFor('the server to report ready', () => api.client.status.state === 'ready');
    await waitFor('HGR001 after the restart', () => syntaxDiagnostics(uri).length === 1);
  });
});
