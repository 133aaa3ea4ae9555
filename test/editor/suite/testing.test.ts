import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { screenshot, waitFor } from './harness';
import { isAlive } from '../../support/processes';

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
  let fixtures: string;

  suiteSetup(async function () {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID)!;
    await waitFor('the extension to activate', () => extension.isActive, 30_000);
    api = extension.exports;
    // The Airflow 3.3 virtual environment the integration stage installs (test/support/airflow.ts).
    const python = process.env.HANGAR_AIRFLOW_PYTHON ?? path.join(extension.extensionPath, '.cache', 'airflow-venv', 'bin', 'python');
    assert.ok(existsSync(python), `the Airflow test environment is missing at ${python}: run the integration tests first (npm run test:integration) or set HANGAR_AIRFLOW_PYTHON`);
    await vscode.workspace.getConfiguration('hangar').update('python', python, vscode.ConfigurationTarget.Workspace);
    fixtures = path.join(extension.extensionPath, 'test', 'fixtures', 'dagtest');
  });

  /** A fixture DAG copied into a dags/ folder of its own (outside the workspace), as a user's file. */
  function dagFile(fixture: string): vscode.Uri {
    const dags = path.join(mkdtempSync(path.join(os.tmpdir(), 'hangar-editor-dagtest-')), 'dags');
    mkdirSync(dags);
    copyFileSync(path.join(fixtures, fixture), path.join(dags, fixture));
    return vscode.Uri.file(path.join(dags, fixture));
  }

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

  test('Test on a DAG with retries=12 ten minutes apart fails at the first failure, with the task\'s own log', async function () {
    this.timeout(180_000);
    const uri = dagFile('retrying_dag.py');
    // What the "Test" code lens runs.
    await vscode.commands.executeCommand('hangar.testDag', uri, 'retrying_pipeline');
    const dagId = `${uri.toString()}#retrying_pipeline`;
    assert.equal(api.tests.outcomes.get(dagId), 'failed');
    assert.equal(api.tests.outcomes.get(`${dagId}.transform`), 'failed');
    const message = api.tests.messages.get(dagId) ?? '';
    assert.match(message, /^Task transform failed\./);
    assert.match(message, /transform received \{'amount': 'twelve'\}/, 'what the task printed');
    assert.match(message, /ValueError: invalid literal for int\(\) with base 10: 'twelve'/, 'and its exception');
  });

  test('Cancel in the Testing view ends the DAG test\'s Python process and everything it started', async function () {
    this.timeout(180_000);
    const uri = dagFile('hanging_dag.py');
    const pidFile = path.join(path.dirname(uri.fsPath), 'pids');
    await vscode.workspace.getConfiguration('hangar').update('testing.env', { HANGAR_PID_FILE: pidFile }, vscode.ConfigurationTarget.Workspace);
    try {
      const running = vscode.commands.executeCommand('hangar.testDag', uri, 'hanging_pipeline');
      let ended = false;
      void Promise.resolve(running).finally(() => (ended = true));
      await waitFor('the hanging task to start', () => {
        if (ended) throw new Error('the DAG test ended before its task started');
        return existsSync(pidFile);
      }, 150_000);
      const pids = readFileSync(pidFile, 'utf8').trim().split(' ').map(Number);
      await vscode.commands.executeCommand('workbench.view.testing.focus');
      await screenshot('testing-hanging-dag-running');
      await vscode.commands.executeCommand('testing.cancelRun');
      await running;
      const [pythonPid, childPid, group] = pids as [number, number, number];
      assert.deepEqual([pythonPid, childPid].filter(isAlive), [], 'no process of the run is left (the task ignored SIGTERM)');
      assert.equal(isAlive(-group), false, `process group ${group} is empty`);
    } finally {
      await vscode.workspace.getConfiguration('hangar').update('testing.env', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });
});
