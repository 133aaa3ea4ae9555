import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { bindToRepository, type GitCredentials } from '../../../server/src/git/credentials';
import type { SyncResult } from '../../../server/src/repos/sync';
import type { SyncHistoryEntry } from '../../../server/src/repos/types';
import type { DagFileNode, RepositoriesTreeNode, RepositoryNode } from '../../../client/src/views/repositoriesTree';
import { startGitHttpServer } from '../../support/gitHttpServer';
import { filesContaining } from '../../support/gitRepos';
import { acceptItem, acceptValue, choose, screenshot, waitFor, type Widget } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const NAME = 'editor-test-repo';
const OTHER = 'editor-test-other';
const PRIVATE = 'editor-test-private';
const BOUND = 'editor-test-bound';
const GOOD_PASSWORD = 'editor-good-7c1f9e';
const WRONG_PASSWORD = 'editor-wrong-2b8d4a';

const GIT_ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
const dag = (id: string): string => `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${id}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

suite('Repositories', () => {
  let api: HangarApi;
  let root: string;
  let bare: string;
  let work: string;
  const shown: Widget[] = [];

  function commitAndPush(files: Record<string, string>): string {
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
      writeFileSync(path.join(work, file), content);
    }
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'change');
    git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');
    return git(work, 'rev-parse', 'HEAD');
  }

  /** A new bare repository `<name>.git` whose main branch holds these files under dags/. */
  function remoteWith(name: string, files: Record<string, string>): string {
    const origin = path.join(root, `${name}.git`);
    const copy = path.join(root, `${name}-work`);
    git(root, 'init', '-q', '--bare', '--initial-branch=main', origin);
    git(root, 'init', '-q', '--initial-branch=main', copy);
    mkdirSync(path.join(copy, 'dags'));
    for (const [file, text] of Object.entries(files)) writeFileSync(path.join(copy, 'dags', file), text);
    git(copy, 'add', '-A');
    git(copy, 'commit', '-q', '-m', name);
    git(copy, 'push', '-q', origin, 'HEAD:refs/heads/main');
    return origin;
  }

  // The suite is a separate bundle from the extension: nodes are told apart by their id, not instanceof.
  async function repositoryNode(): Promise<RepositoryNode | undefined> {
    return (await api.repositories.getChildren()).find((n) => n.id === `repository:${NAME}`) as RepositoryNode | undefined;
  }

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    api.prompts.onDidShow((widget) => shown.push(widget));
    root = mkdtempSync(path.join(os.tmpdir(), 'hangar-editor-repos-'));
    bare = path.join(root, 'origin.git');
    work = path.join(root, 'work');
    git(root, 'init', '-q', '--bare', '--initial-branch=main', bare);
    git(root, 'init', '-q', '--initial-branch=main', work);
    git(work, 'remote', 'add', 'origin', bare);
    commitAndPush({ 'dags/orders.py': dag('editor_orders'), 'dags/billing.py': dag('editor_billing') });
  });

  suiteTeardown(() => rmSync(root, { recursive: true, force: true }));

  test('Add Repository writes airflow-repos.yaml, syncs, and the tree shows the repository with its DAG count', async () => {
    const result = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository', { name: NAME, url: bare, branch: 'main', priority: 3 });
    assert.equal(result?.result, 'synced');
    const node = await waitFor('the repository in the tree', async () => {
      const n = await repositoryNode();
      return n && String(n.description).includes('2 DAGs') && n;
    });
    assert.match(String(node.description), /synced · 2 DAGs/);
    assert.match(node.contextValue ?? '', /^hangar\.repository\.synced/);
    const children: RepositoriesTreeNode[] = await api.repositories.getChildren(node);
    const status = children.find((c) => c.id === `status:${NAME}`);
    assert.match(String(status?.label), /^branch main · last sync just now · 2 DAGs$/);
    const files = children.filter((c) => c.id?.startsWith('file:')).map((f) => (f as DagFileNode).file);
    assert.deepEqual(files, ['dags/billing.py', 'dags/orders.py']);
    const config = await vscode.workspace.openTextDocument(vscode.Uri.file(api.repositories.controller.configFile));
    assert.match(config.getText(), new RegExp(`name: ${NAME}`));
    await vscode.commands.executeCommand('hangar.repositories.focus');
    await screenshot('repositories-tree-after-add');
  });

  test('after a push, Sync Now brings the new commit and the history shows the change', async () => {
    const pushed = commitAndPush({ 'dags/fresh.py': dag('editor_fresh') });
    const result = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.syncRepository', NAME);
    assert.equal(result?.to, pushed);
    assert.deepEqual(result?.added, ['dags/fresh.py']);
    assert.equal(result?.validation?.filesValidated, 1, 'only the changed file is re-validated');
    await waitFor('the tree to show 3 DAGs', async () => String((await repositoryNode())?.description).includes('3 DAGs'));

    const history = await vscode.commands.executeCommand<SyncHistoryEntry[]>('hangar.showSyncHistory', NAME);
    assert.equal(history[0]?.to, pushed);
    assert.deepEqual(history[0]?.added, ['dags/fresh.py']);
    assert.equal(history.length, 2);
    // A read-only document in the Markdown preview: nothing untitled, nothing to save on close.
    const document = await waitFor('the sync history document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'hangar-history' && d.uri.path === `/sync/${NAME}.md`));
    assert.match(document.getText(), new RegExp(`^# Sync history of ${NAME.replace(/-/g, '\\-')}`));
    assert.match(document.getText(), /added dags\/fresh\.py/);
    assert.equal(document.isUntitled, false);
    assert.deepEqual(vscode.workspace.textDocuments.filter((d) => d.isUntitled).map((d) => d.uri.toString()), []);
    const tab = await waitFor('the Markdown preview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && /markdown/i.test(t.input.viewType)));
    assert.match(tab.label, /Sync history|sync|Preview/i);
    await screenshot('repositories-sync-history');
  });

  test('an up-to-date sync moves "last sync" too', async () => {
    const lastSync = async () => {
      const children: RepositoriesTreeNode[] = await api.repositories.getChildren(await repositoryNode());
      return /last sync (\S+)/.exec(String(children.find((c) => c.id === `status:${NAME}`)?.tooltip))?.[1];
    };
    const before = await lastSync();
    assert.ok(before, 'the status line says when the last sync was');
    const result = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.syncRepository', NAME);
    assert.equal(result?.result, 'up-to-date');
    const after = await lastSync();
    assert.ok(after && after > before, `${after} is later than ${before}`);
  });

  test('.hangar (clones, state, history) is hidden from the Explorer by default', () => {
    const exclude = vscode.workspace.getConfiguration('files').get<Record<string, boolean>>('exclude') ?? {};
    assert.equal(exclude['**/.hangar'], true);
    assert.equal(exclude['**/.git'], true, "VS Code's own defaults are kept");
  });

  test('a dag_id in two repositories is a conflict on both, in the tree and as diagnostics; the lower priority is excluded', async () => {
    const other = remoteWith('other', { 'copy_of_orders.py': dag('editor_orders') });

    await vscode.commands.executeCommand('hangar.addRepository', { name: OTHER, url: other, branch: 'main', priority: 1 });
    const loser = await waitFor('the lower-priority repository to show the conflict', async () => {
      const n = (await api.repositories.getChildren()).find((c) => c.id === `repository:${OTHER}`);
      return n?.contextValue?.startsWith('hangar.repository.conflict') && n;
    });
    const winner = await repositoryNode();
    assert.match(winner?.contextValue ?? '', /^hangar\.repository\.conflict/, 'the winner is marked too');
    const winnerFile = (await api.repositories.getChildren(winner!)).find((c) => c.id === `file:${NAME}:dags/orders.py`);
    assert.match(String(winnerFile?.description), /wins \(conflict\)/, 'so is its file');
    const [file] = (await api.repositories.getChildren(loser)).filter((c) => c.id?.startsWith('file:'));
    assert.match(String(file?.description), /excluded \(conflict\)/);
    const [dagNode] = await api.repositories.getChildren(file);
    assert.match(String(dagNode?.description), new RegExp(`conflict: ${NAME} wins, excluded`));

    const controller = api.repositories.controller;
    const loserFile = vscode.Uri.file(path.join(controller.cloneDir(controller.find(OTHER)!), 'dags', 'copy_of_orders.py'));
    const diagnostic = vscode.languages.getDiagnostics(loserFile).find((d) => d.code === 'dag-id-conflict');
    assert.match(diagnostic?.message ?? '', /also defined in editor-test-repo.*excluded from deploys/);
    assert.equal(diagnostic?.severity, vscode.DiagnosticSeverity.Warning);
    await api.repositories.view?.reveal(loser, { expand: 2 });
    await api.repositories.view?.reveal(winner!, { expand: 1 });
    await screenshot('repositories-conflict');
  });

  test('a wrong password shows "invalid credentials"; after the secret is replaced the sync works and the secret is nowhere on disk', async () => {
    const served = path.join(root, 'served');
    mkdirSync(served);
    git(root, 'clone', '-q', '--bare', bare, path.join(served, 'private.git'));
    const server = await startGitHttpServer({ projectRoot: served, username: 'alice', password: GOOD_PASSWORD });
    try {
      const controller = api.repositories.controller;
      // The secret is put where "Update Credentials" puts it (SecretStorage), without typing it into a prompt.
      await controller.credentials.set({ kind: 'repository', name: PRIVATE }, { password: WRONG_PASSWORD, boundTo: bindToRepository(`${server.url}/private.git`) });
      const added = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository', {
        name: PRIVATE,
        url: `${server.url}/private.git`,
        branch: 'main',
        auth: 'basic',
        username: 'alice',
      });
      assert.equal(added, undefined, 'the sync was refused');
      const refused = await waitFor('the repository to show invalid credentials', async () => {
        const n = (await api.repositories.getChildren()).find((c) => c.id === `repository:${PRIVATE}`);
        return n?.contextValue?.startsWith('hangar.repository.invalid-credentials') && n;
      });
      assert.match(String(refused.description), /invalid credentials/);
      assert.equal(existsSync(controller.cloneDir(controller.find(PRIVATE)!)), false, 'nothing cloned with the wrong password');
      await screenshot('repositories-invalid-credentials');

      await controller.credentials.set({ kind: 'repository', name: PRIVATE }, { password: GOOD_PASSWORD, boundTo: bindToRepository(`${server.url}/private.git`) });
      const synced = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.syncRepository', PRIVATE);
      assert.equal(synced?.result, 'synced');
      assert.deepEqual(controller.credentials.keys().filter((k) => k.includes(PRIVATE)), [`repository:${PRIVATE}`]);
      const workspace = vscode.workspace.workspaceFolders![0]!.uri.fsPath;
      for (const secret of [GOOD_PASSWORD, WRONG_PASSWORD]) {
        for (const dir of [workspace, controller.storageDir, controller.cloneDir(controller.find(PRIVATE)!)]) {
          assert.deepEqual(filesContaining(dir, secret), [], `${secret} found under ${dir}`);
        }
      }
    } finally {
      await server.close();
    }
  });
  test('a secret entered for one server is not sent to another the configuration now names: Hangar asks first; a 0.1.0 secret is confirmed once', async () => {
    for (const side of ['legit', 'attacker']) {
      mkdirSync(path.join(root, side));
      git(root, 'clone', '-q', '--bare', bare, path.join(root, side, 'bound.git'));
    }
    const legit = await startGitHttpServer({ projectRoot: path.join(root, 'legit'), username: 'alice', password: GOOD_PASSWORD });
    const attacker = await startGitHttpServer({ projectRoot: path.join(root, 'attacker'), username: 'alice', password: 'the-attacker-does-not-know-it' });
    const controller = api.repositories.controller;
    try {
      // What Hangar 0.1.0 stored: the secret without the server it was entered for.
      await controller.credentials.set({ kind: 'repository', name: BOUND }, { username: 'alice', password: GOOD_PASSWORD } as unknown as GitCredentials);
      const adding = vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository', { name: BOUND, url: `${legit.url}/bound.git`, branch: 'main', auth: 'basic', username: 'alice' });
      await choose(shown, adding, /password for editor-test-bound was stored by an earlier Hangar without the server it was entered for/, /^Use for http:\/\/127\.0\.0\.1:\d+\/bound\.git$/);
      assert.equal((await adding)?.result, 'synced');

      // A workspace edit points the same name at another server.
      const text = readFileSync(controller.configFile, 'utf8');
      writeFileSync(controller.configFile, text.replace(`${legit.url}/bound.git`, `${attacker.url}/bound.git`));
      controller.reload();
      const syncing = vscode.commands.executeCommand<SyncResult | undefined>('hangar.syncRepository', BOUND);
      await choose(shown, syncing, new RegExp(`password for ${BOUND} was entered for ${legit.url}/bound; the configuration now says ${attacker.url}/bound\\.git`), /^Cancel$/);
      assert.equal(await syncing, undefined);

      // Polling asks nobody: the git layer refuses to send the secret, and the tree says why.
      await controller.sync(controller.find(BOUND)!, 'poll').catch(() => undefined);
      assert.match(controller.store.history(BOUND)[0]?.error?.message ?? '', /did not send the stored credentials to http:\/\/127\.0\.0\.1:\d+: they were entered for/);
      assert.equal(controller.status(controller.find(BOUND)!), 'invalid-credentials');
      assert.deepEqual(attacker.authorizations, [], 'the other server received no credential');
    } finally {
      await Promise.all([legit.close(), attacker.close()]);
    }
  });

  test('the Add Repository wizard numbers its three questions 1/3, 2/3, 3/3 and adds the repository', async function () {
    this.timeout(60_000);
    const wizardOrigin = remoteWith('wizard', { 'wizard.py': dag('editor_wizard') });

    const titles: string[] = [];
    const answers: Array<(widget: vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox) => Promise<void>> = [
      (box) => acceptValue(box as vscode.InputBox, wizardOrigin),
      (pick) => acceptItem(pick as vscode.QuickPick<vscode.QuickPickItem>, /^\$\(git-branch\) main$/),
      (box) => acceptValue(box as vscode.InputBox, 'editor-wizard-repo'),
    ];
    const subscription = api.prompts.onDidShow((widget) => {
      titles.push(widget.title ?? '');
      void answers.shift()?.(widget);
    });
    try {
      const result = await vscode.commands.executeCommand<SyncResult | undefined>('hangar.addRepository');
      assert.equal(result?.result, 'synced', `asked: ${titles.join(' | ')}`);
    } finally {
      subscription.dispose();
    }
    assert.deepEqual(titles.map((t) => /\((\d)\/(\d)\)/.exec(t)?.slice(1).join('/')), ['1/3', '2/3', '3/3'], titles.join(' | '));
    assert.ok(api.repositories.controller.find('editor-wizard-repo'), 'the repository is in airflow-repos.yaml');
  });
});
