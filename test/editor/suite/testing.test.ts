import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { screenshot, waitFor } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';

function workspaceFile(relative: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the editor tests need the examples/ workspace open');
  return vscode.Uri.joinPath(folder.uri, relative);
}

function findItem(items: vscode.TestItemCollection, id: string): vscode.TestItem | undefined {
  let found: vscode.TestItem | undefined;
  items.forEach((item) => {
    found ??= item.id === id ? item : findItem(item.children, id);
  });
  return found;
}

suite('Testing view: DAG integrity tests with the real Airflow', () => {
  let api: HangarApi;

  suiteSetup(async function () {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID)!;
    await waitFor('the extension to activate', () => extension.isActive, 30_000);
    api = extension.exports;
    // The Airflow 3.3 virtual environment the integration stage installs (test/support/airflow.ts).
    const python = process.env.HANGAR_AIRFLOW_PYTHON ?? path.join(extension.extensionPath, '.cache', 'airflow-venv', 'bin', 'python');
    assert.ok(existsSync(python), `the Airflow test environment is missing at ${python}: run the integration tests first (npm run test:integration) or set HANGAR_AIRFLOW_PYTHON`);
    await vscode.workspace.getConfiguration('hangar').update('python', python, vscode.ConfigurationTarget.Workspace);
  });

  test('lists repositories, DAG files, DAGs and tasks from the static model', async () => {
    await api.tests.discover();
    const clean = workspaceFile('company-workflows/dags/orders_daily_etl.py');
    const file = await waitFor('the DAG file in the Testing view', () => findItem(api.tests.controller.items, clean.toString()));
    assert.ok(file.children.size > 0, 'the file lists its DAGs');
    const document = await vscode.workspace.openTextDocument(clean);
    file.children.forEach((dag) => {
      assert.ok(dag.children.size > 0, `${dag.label} lists its tasks`);
      // Gutter icons and "go to test" use these ranges: the DAG's line mentions its dag_id or DAG.
      assert.match(document.lineAt(dag.range!.start.line).text, /DAG|dag/, `${dag.label} points at its definition`);
      dag.children.forEach((task) => assert.ok(document.getText(task.range).includes(task.label) || document.lineAt(task.range!.start.line).text.includes('('), `${task.label} points at its creation`));
    });
    await vscode.commands.executeCommand('workbench.view.testing.focus');
    await screenshot('testing-view');
  });

  test('a run reports a clean DAG file as passed and a broken one as failed at Airflow\'s line', async function () {
    this.timeout(180_000);
    const clean = findItem(api.tests.controller.items, workspaceFile('company-workflows/dags/orders_daily_etl.py').toString())!;
    const broken = findItem(api.tests.controller.items, workspaceFile('company-workflows/dags/legacy_imports.py').toString())!;
    assert.ok(clean && broken, 'both files are listed');
    await api.tests.runItems([clean, broken]);
    assert.equal(api.tests.outcomes.get(clean.id), 'passed');
    assert.equal(api.tests.outcomes.get(broken.id), 'failed');
  });
});
