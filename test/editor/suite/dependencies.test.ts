import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { screenshot, waitFor } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const MODULE = 'hangar_fresh_module';

function hgr501(uri?: vscode.Uri): vscode.Diagnostic[] {
  const all = uri ? vscode.languages.getDiagnostics(uri) : vscode.languages.getDiagnostics().flatMap(([, d]) => d);
  return all.filter((d) => d.code === 'HGR501');
}

suite('Dependencies: the Airflow interpreter', () => {
  let api: HangarApi;
  let scratchDir: string;
  let dagsDir: string;
  let dag: vscode.Uri;
  let venv: string;
  let sitePackages: string;

  const setPython = (value: string | undefined) => vscode.workspace.getConfiguration('hangar').update('python', value, vscode.ConfigurationTarget.Workspace);

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID)!;
    api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    const airflowPython = process.env.HANGAR_AIRFLOW_PYTHON ?? path.join(extension.extensionPath, '.cache', 'airflow-venv', 'bin', 'python');
    assert.ok(existsSync(airflowPython), `the Airflow test environment is missing at ${airflowPython}`);
    const airflowSite = execFileSync(airflowPython, ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
    // An environment of its own that sees the shared Airflow (a .pth line), so the test can "install" into it.
    scratchDir = mkdtempSync(path.join(os.tmpdir(), 'hangar-editor-deps-'));
    venv = path.join(scratchDir, 'venv');
    execFileSync(airflowPython, ['-m', 'venv', '--without-pip', venv]);
    sitePackages = execFileSync(path.join(venv, 'bin', 'python'), ['-c', 'import site; print(site.getsitepackages()[0])'], { encoding: 'utf8' }).trim();
    writeFileSync(path.join(sitePackages, 'shared-airflow.pth'), `${airflowSite}\n`);
    // A DAG in the workspace that imports a package the environment does not have yet.
    const workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    dagsDir = path.join(workspace, 'deps-check', 'dags');
    mkdirSync(dagsDir, { recursive: true });
    writeFileSync(path.join(dagsDir, 'needs_package.py'), `import ${MODULE}\nfrom airflow.sdk import DAG\n\nwith DAG(dag_id="needs_package", schedule=None):\n    pass\n`);
    dag = vscode.Uri.file(path.join(dagsDir, 'needs_package.py'));
  });

  suiteTeardown(async () => {
    await setPython(undefined);
    rmSync(path.dirname(dagsDir), { recursive: true, force: true });
    rmSync(scratchDir, { recursive: true, force: true });
  });

  test('an interpreter without Airflow gives one notice with "Select Interpreter", not an error per import', async function () {
    this.timeout(60_000);
    await setPython('python3');
    const status = api.dependencies.environment;
    await waitFor('the environment status to say Airflow is missing', () => /has no Apache Airflow/.test(status.state?.problem ?? ''), 30_000);
    assert.ok(status.noticed(status.state!.python), 'a notice with "Select Interpreter" was shown for it (this check, or an earlier one this session)');
    const notices = status.notices;
    await vscode.commands.executeCommand('hangar.checkDependencies');
    await vscode.commands.executeCommand('hangar.checkDependencies');
    assert.deepEqual(hgr501().map((d) => d.message), [], 'no per-import errors against an interpreter without Airflow');
    assert.equal(status.notices, notices, 'no further notice for that interpreter, however often it is checked');
    await screenshot('dependencies-no-airflow-interpreter');
  });

  test('choosing the Airflow interpreter (hangar.python) refreshes the dependency diagnostics at once', async function () {
    this.timeout(60_000);
    await setPython(path.join(venv, 'bin', 'python'));
    // No command: the setting change alone re-checks.
    const [diagnostic] = await waitFor(`HGR501 for ${MODULE}`, () => hgr501(dag).length > 0 && hgr501(dag), 40_000);
    assert.match(diagnostic!.message, new RegExp(`"${MODULE}" needs hangar-fresh-module`));
    assert.match(api.dependencies.environment.state?.airflow ?? '', /^3\./);
  });

  test('"Check DAG Dependencies" sees a package installed outside Hangar', async function () {
    this.timeout(60_000);
    writeFileSync(path.join(sitePackages, `${MODULE}.py`), 'VALUE = 1\n');
    const distInfo = path.join(sitePackages, `${MODULE}-1.0.dist-info`);
    mkdirSync(distInfo);
    writeFileSync(path.join(distInfo, 'METADATA'), 'Metadata-Version: 2.1\nName: hangar-fresh-module\nVersion: 1.0\n');
    writeFileSync(path.join(distInfo, 'top_level.txt'), `${MODULE}\n`);
    await vscode.commands.executeCommand('hangar.checkDependencies');
    assert.deepEqual(hgr501(dag).map((d) => d.message), []);
  });
});
