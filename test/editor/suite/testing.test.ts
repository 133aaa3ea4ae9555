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
    const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    file.children.forEach((dag) => {
      assert.ok(dag.children.size > 0, `${dag.label} lists its tasks`);
      // Gutter icons and "go to test" use these ranges: the DAG's is its definition (DAG(dag_id=...) or the @dag function).
      assert.match(document.getText(dag.range), new RegExp(`dag_id\\s*=\\s*["']${escape(dag.label)}["']|def ${escape(dag.label)}\\(`), `${dag.label} points at its definition`);
      // A task's is the call that creates it: an operator with its task_id, or a TaskFlow function's call.
      dag.children.forEach((task) => {
        const text = document.getText(task.range);
        assert.ok(dag.range!.contains(task.range!), `${task.label} lies inside ${dag.label}`);
        assert.ok(new RegExp(`task_id\\s*=\\s*["']${escape(task.label)}["']`).test(text) || text.startsWith(`${task.label}(`), `${task.label} points at its creation, not at: ${text}`);
      });
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
    // Airflow 3 fails the file at its first removed import: the failure points at that line.
    const document = await vscode.workspace.openTextDocument(broken.uri!);
    const airflowLine = document.getText().split('\n').findIndex((line) => line.startsWith('from airflow.operators.bash_operator import'));
    const failure = api.tests.failures.get(broken.id);
    assert.equal(failure?.location?.uri.toString(), broken.uri!.toString());
    assert.equal(failure?.location?.range.start.line, airflowLine, `the failure is at line ${airflowLine + 1}: ${failure?.message}`);
    assert.match(String(failure?.message), /ModuleNotFoundError|No module named 'airflow\.operators\.bash_operator'/);
  });
});
