import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { screenshot, waitFor } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';

/** Processes the spies on git and Python saw start ("cwd<TAB>args" lines), from the harness's restricted pass. */
function spiedProcesses(): string[] {
  const log = process.env.HANGAR_EDITOR_SPY_LOG;
  return log && existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean) : [];
}

/**
 * Runs in the harness's second pass, a workbench that keeps Workspace Trust on, so the examples folder opens in
 * Restricted Mode (test/editor/run.mjs); the trusted pass does not load it (index.ts).
 */
suite('Restricted Mode', () => {
  let api: HangarApi;
  let workspace: string;
  let scratchRoot: string;
  const prompts: string[] = [];

  suiteSetup(async function () {
    assert.equal(vscode.workspace.isTrusted, false, 'the restricted pass opens the workspace untrusted');
    assert.ok(process.env.HANGAR_EDITOR_SPY_LOG, 'run by test/editor/run.mjs in its restricted pass');
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID)!;
    // "limited" support: the extension activates in Restricted Mode.
    api = await waitFor('the extension to activate in Restricted Mode', () => extension.isActive && extension.exports, 30_000);
    api.onDidPromptForTrust((action) => prompts.push(action));
    workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    scratchRoot = mkdtempSync(path.join(os.tmpdir(), 'hangar-editor-restricted-'));
  });

  suiteTeardown(() => scratchRoot && rmSync(scratchRoot, { recursive: true, force: true }));

  test('the workspace really is untrusted, the extension is active and still analyses DAG files', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const broken = vscode.Uri.file(path.join(workspace, 'company-workflows', 'dags', 'broken_syntax.py'));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(broken));
    await waitFor('HGR001 in Restricted Mode', () => vscode.languages.getDiagnostics(broken).some((d) => d.code === 'HGR001'));
  });

  test('a workspace value of hangar.python is withheld (restrictedConfigurations)', () => {
    const written = JSON.parse(readFileSync(path.join(workspace, '.vscode', 'settings.json'), 'utf8')) as Record<string, string>;
    assert.ok(written['hangar.python'], 'the harness wrote hangar.python into the workspace settings');
    assert.equal(vscode.workspace.getConfiguration('hangar').get('python'), '', 'the extension does not get it');
  });

  test('every command that contacts a remote or runs project code runs nothing and shows the trust prompt', async function () {
    this.timeout(60_000);
    // A real repository the commands could reach, and a DAG file they could run.
    const git = (cwd: string, ...args: string[]) => execFileSync('/usr/bin/git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@x', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@x' } });
    const bare = path.join(scratchRoot, 'origin.git');
    git(scratchRoot, 'init', '-q', '--bare', '--initial-branch=main', bare);
    const dagFile = path.join(scratchRoot, 'dags', 'restricted_dag.py');
    mkdirSync(path.dirname(dagFile), { recursive: true });
    writeFileSync(dagFile, 'from airflow.sdk import DAG\n\nwith DAG(dag_id="restricted_dag", schedule=None):\n    pass\n');
    const spiedBefore = spiedProcesses().length;
    const dagUri = vscode.Uri.file(dagFile);

    const invocations: Array<[string, unknown[]]> = [
      ['hangar.addRepository', [{ name: 'restricted-repo', url: bare, branch: 'main' }]],
      ['hangar.addRepository', []],
      ['hangar.syncRepository', ['company-workflows']],
      ['hangar.syncAll', []],
      ['hangar.deploy', []],
      ['hangar.rollback', []],
      ['hangar.promote', []],
      ['hangar.deployDag', [dagUri.toString(), 'restricted_dag']],
      ['hangar.rollbackDag', [dagUri.toString(), 'restricted_dag']],
      ['hangar.showCanary', [{ environment: 'prod', dagId: 'restricted_dag' }]],
      ['hangar.promoteCanary', [{ environment: 'prod', dagId: 'restricted_dag' }]],
      ['hangar.abortCanary', [{ environment: 'prod', dagId: 'restricted_dag' }]],
      ['hangar.openMarketplace', []],
      ['hangar.checkDependencies', []],
      ['hangar.installMissingRequirements', [dagUri, ['six']]],
      ['hangar.addRequirement', [dagUri, 'six']],
      ['hangar.testDag', [dagUri, 'restricted_dag']],
      ['hangar.compareWithLive', [dagUri.toString(), 'restricted_dag']],
      ['hangar.compareWithPreviousVersion', [{ environment: 'staging' }]],
    ];
    for (const [command, args] of invocations) {
      const before = prompts.length;
      const result = await vscode.commands.executeCommand(command, ...args);
      assert.equal(result, undefined, `${command} returned ${JSON.stringify(result)}`);
      assert.equal(prompts.length, before + 1, `${command} showed the trust prompt`);
    }
    // The Testing view's Run (integrity test of a file) is refused the same way.
    await api.tests.discover();
    let file: vscode.TestItem | undefined;
    api.tests.controller.items.forEach((repository) => repository.children.forEach((f) => (file ??= f)));
    assert.ok(file, 'the Testing view lists DAG files from the static model');
    const beforeRun = prompts.length;
    await api.tests.runItems([file]);
    assert.equal(prompts.length, beforeRun + 1, 'Run in the Testing view showed the trust prompt');
    await screenshot('restricted-mode-trust-prompt');

    assert.deepEqual(spiedProcesses().slice(spiedBefore), [], 'no git and no Python process started');
    assert.equal(api.repositories.controller.find('restricted-repo'), undefined, 'airflow-repos.yaml was not changed');
    assert.equal(existsSync(path.join(workspace, '.hangar')), false, 'no clone, state or history directory was created');
    assert.equal(existsSync(path.join(workspace, 'requirements.txt')), false);
    assert.equal(existsSync(path.join(path.dirname(dagFile), '..', 'requirements.txt')), false);
  });

  test('no git and no Python ran at all since the window opened (no polling, no history read, no interpreter probe)', () => {
    assert.deepEqual(spiedProcesses(), []);
  });
});
