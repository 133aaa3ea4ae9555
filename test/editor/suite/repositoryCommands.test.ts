import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import type { SyncResult } from '../../../server/src/repos/sync';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { filesContaining } from '../../support/gitRepos';
import { forgetRepositories, waitFor } from './harness';
import { answer, openedPages, shownText } from './userInput';

const EXTENSION_ID = 'hangar-dev.hangar';
const LOCAL = 'cmd-local';
const SECURED = 'cmd-secured';
const HOSTED = 'cmd-hosted';
const PASSWORD = 'cmd-password-5e2a91';
const WRONG_PASSWORD = 'cmd-wrong-7d3b04';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
const dag = (id: string): string => `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${id}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

/** A bare repository `<dir>/<name>.git` with one DAG on main. */
function bareRepository(dir: string, name: string): string {
  const bare = path.join(dir, `${name}.git`);
  const work = path.join(dir, `${name}-work`);
  git(dir, 'init', '-q', '--bare', '--initial-branch=main', bare);
  git(dir, 'init', '-q', '--initial-branch=main', work);
  mkdirSync(path.join(work, 'dags'));
  writeFileSync(path.join(work, 'dags', `${name}.py`), dag(`cmd_${name}`));
  git(work, 'add', '-A');
  git(work, 'commit', '-q', '-m', name);
  git(work, 'push', '-q', bare, 'HEAD:refs/heads/main');
  return bare;
}

suite('Repository commands, answered through their prompts', function () {
  // Each prompt is answered through the browser: slower than a call, and the failure names the step.
  this.timeout(180_000);
  let api: HangarApi;
  let root: string;
  let local: string;
  let server: GitHttpServer;
  let securedUrl: string;

  const controller = () => api.repositories.controller;

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    root = mkdtempSync(path.join(os.tmpdir(), 'hangar-editor-commands-'));
    local = bareRepository(root, 'local');
    mkdirSync(path.join(root, 'served'));
    bareRepository(path.join(root, 'served'), 'secured');
    server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'alice', password: PASSWORD });
    securedUrl = `${server.url}/secured.git`;
    // The Add Repository wizard itself is answered through its prompts in the Repositories suite.
    assert.equal((await vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository', { name: LOCAL, url: local, branch: 'main' }))?.result, 'synced');
  });

  suiteTeardown(async () => {
    await forgetRepositories(api, [LOCAL, SECURED, HOSTED]);
    await server?.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('Repository settings → Priority: the value typed is written to airflow-repos.yaml', async () => {
    const running = vscode.commands.executeCommand('hangar.editRepository');
    await answer(
      running,
      { kind: 'pick', title: 'Repository settings', row: LOCAL },
      { kind: 'pick', title: `${LOCAL} settings`, row: 'Priority' },
      { kind: 'input', title: `${LOCAL}: Priority`, text: '7' },
    );
    await running;
    await waitFor('the new priority to be loaded', () => controller().find(LOCAL)?.priority === 7);
    assert.match(readFileSync(controller().configFile, 'utf8'), new RegExp(`name: ${LOCAL}\\n(?:\\s+\\w+: .*\\n)*?\\s+priority: 7\\n`));
  });

  test('Sync All Repositories records a manual sync of every configured repository', async () => {
    const names = controller().repositories.map((r) => r.name);
    const before = new Map(names.map((name) => [name, controller().store.history(name).length]));
    const results = await vscode.commands.executeCommand<SyncResult[]>('hangar.syncAll');
    assert.ok(results.some((r) => r.repository === LOCAL && r.result === 'up-to-date'), JSON.stringify(results.map((r) => [r.repository, r.result])));
    for (const name of names) {
      const history = controller().store.history(name);
      assert.equal(history.length, Math.min(before.get(name)! + 1, 200), `${name} has a new history entry`);
      assert.equal(history[0]?.trigger, 'manual', name);
    }
  });

  test('a repository that needs a password asks for it when added; Update Credentials replaces a wrong one and the sync works', async () => {
    const adding = vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository', { name: SECURED, url: securedUrl, branch: 'main', auth: 'basic', username: 'alice' });
    await answer(
      adding,
      { kind: 'pick', title: `Credentials for ${SECURED}`, row: `Only ${SECURED}` },
      { kind: 'input', title: `${SECURED}: password for ${securedUrl}`, text: WRONG_PASSWORD },
    );
    assert.equal(await adding, undefined, 'the server refused the wrong password');
    assert.equal(controller().store.history(SECURED)[0]?.error?.kind, 'invalid-credentials');

    const running = vscode.commands.executeCommand<boolean>('hangar.updateCredentials');
    await answer(
      running,
      { kind: 'pick', title: 'Update credentials', row: SECURED },
      { kind: 'pick', title: `Credentials for ${SECURED}`, row: `Only ${SECURED}` },
      { kind: 'input', title: `${SECURED}: password for ${securedUrl}`, text: PASSWORD },
    );
    assert.equal(await running, true);
    assert.equal(controller().store.history(SECURED)[0]?.result, 'synced');
    assert.ok(controller().credentials.keys().includes(`repository:${SECURED}`));
    assert.deepEqual([...new Set(server.authorizations)], [`alice:${WRONG_PASSWORD}`, `alice:${PASSWORD}`], 'the server received what was typed, in that order');
    const workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
    for (const secret of [PASSWORD, WRONG_PASSWORD]) {
      for (const dir of [workspace, controller().storageDir]) assert.deepEqual(filesContaining(dir, secret), [], `a password is written under ${dir}`);
    }
  });

  test('Open on Remote turns the clone URL into the web address and opens it in a browser tab, after the link check', async () => {
    // Never synced: only its web address matters. An scp-like URL, as most teams use.
    await vscode.commands.executeCommand('hangar.addRepository', { name: HOSTED, url: 'git@git.example.invalid:data/hosted-dags.git', branch: 'main', auth: 'ssh', sync: false });
    const running = vscode.commands.executeCommand('hangar.openRepositoryOnRemote');
    await answer(running, { kind: 'pick', title: 'Open on remote', row: HOSTED });
    // The workbench's own question before it opens an external address.
    await answer(undefined, { kind: 'dialog', message: 'https://git.example.invalid/data/hosted-dags', button: 'Open' });
    await running;
    await waitFor('the browser tab', async () => (await openedPages()).includes('https://git.example.invalid/data/hosted-dags'), 30_000);
  });

  test('List Stored Credentials deletes the ones ticked; the next sync has no password to send', async () => {
    const running = vscode.commands.executeCommand<string[]>('hangar.listCredentials');
    await answer(running, { kind: 'pickMany', title: 'Stored Git credentials', rows: [SECURED] });
    assert.ok(!(await running).includes(`repository:${SECURED}`));
    // A sync that may not ask (polling) has no password to send.
    await controller().sync(controller().find(SECURED)!, 'poll').catch(() => undefined);
    assert.equal(controller().store.history(SECURED)[0]?.error?.kind, 'invalid-credentials');
  });

  test('Reveal in Explorer: a clone hidden in .hangar/ opens in a window of its own (a browser workbench has no OS file manager)', async () => {
    const clone = controller().cloneDir(controller().find(LOCAL)!);
    assert.ok(clone.split(path.sep).includes('.hangar'), `the suite's clones are under .hangar/, hidden from the Explorer: ${clone}`);
    const running = vscode.commands.executeCommand('hangar.revealRepository');
    await answer(running, { kind: 'pick', title: 'Reveal repository', row: LOCAL }, { kind: 'notification', message: `The clone of ${LOCAL} is at ${clone}, outside the Explorer.`, button: 'Open in New Window' });
    await running;
    await waitFor('the clone to open in a new tab', async () => (await openedPages()).some((page) => new URL(page).searchParams.get('folder') === clone), 30_000);
  });

  test('Remove Repository → Remove and Delete Clone: the entry, the clone and its history are gone', async () => {
    const clone = controller().cloneDir(controller().find(LOCAL)!);
    const running = vscode.commands.executeCommand<boolean>('hangar.removeRepository');
    await answer(running, { kind: 'pick', title: 'Remove repository', row: LOCAL }, { kind: 'dialog', message: `Remove ${LOCAL} from airflow-repos.yaml?`, button: 'Remove and Delete Clone' });
    assert.equal(await running, true);
    assert.equal(controller().find(LOCAL), undefined);
    assert.doesNotMatch(readFileSync(controller().configFile, 'utf8'), new RegExp(`name: ${LOCAL}\\b`));
    assert.equal(existsSync(clone), false, 'the clone is deleted');
    assert.deepEqual(controller().store.history(LOCAL), []);
  });

  test('Show Logs opens the Hangar output channel', async () => {
    await vscode.commands.executeCommand('hangar.showLogs');
    assert.equal((await shownText('.part.panel .composite-bar .action-item.checked')).trim().toUpperCase(), 'OUTPUT');
    assert.equal(await shownText('.part.panel select.monaco-select-box'), 'Hangar', 'the channel shown is Hangar\'s');
  });
});
