import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DeployOutcome } from '../../../client/src/deploy/deployController';
import type { HangarApi } from '../../../client/src/extension';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { addFolderEnvironment, createDeployRemote, git, pushDags } from './deployFixtures';
import { choose as chooseInQuickPick, reportMetric, screenshot, waitFor, type Widget } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const REPO = 'editor-deploy-repo';
const ENV = 'editor-dev';
const dag = (id: string): string => `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${id}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

suite('Deploy', () => {
  let api: HangarApi;
  let root: string;
  let dags: string;
  let first: string;
  let work: string;
  const shown: Widget[] = [];
  const DEPLOYER = 'editor-deployer@example.com';

  const push = (files: Record<string, string>): string => pushDags(work, files);

  /** The versions the Deployments view lists for the environment, newest first. */
  async function viewVersions(): Promise<number[]> {
    const nodes = await api.deployments.getChildren({ kind: 'environment', environment: ENV });
    return nodes.flatMap((n) => (n.kind === 'version' ? [n.record.version] : []));
  }

  const choose = (running: Thenable<DeployOutcome>, title: RegExp, label: RegExp) => chooseInQuickPick(shown, running, title, label);

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    api.deploy.ui.onDidShow((widget) => shown.push(widget));
    // The deployer as Git knows it in this process (the extension host): the editor and the CLI must both record it.
    process.env.GIT_COMMITTER_EMAIL = DEPLOYER;
    const remote = createDeployRemote('hangar-editor-deploy-');
    ({ root, work, dags } = remote);
    const bare = remote.bare;
    writeFileSync(path.join(work, 'dags', 'orders.py'), dag('deploy_orders'));
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'orders');
    first = git(work, 'rev-parse', 'HEAD');
    writeFileSync(path.join(work, 'dags', 'billing.py'), dag('deploy_billing'));
    git(work, 'add', '-A');
    git(work, 'commit', '-q', '-m', 'billing');
    git(work, 'push', '-q', 'origin', 'HEAD:refs/heads/main');

    const synced = await vscode.commands.executeCommand<{ result: string } | undefined>('hangar.addRepository', { name: REPO, url: bare, branch: 'main', priority: 1 });
    assert.equal(synced?.result, 'synced');
    await addFolderEnvironment(api, ENV, dags, REPO);
  });

  suiteTeardown(() => {
    delete process.env.GIT_COMMITTER_EMAIL;
    rmSync(root, { recursive: true, force: true });
  });

  test('Deploy… from the command palette: environment, version and summary quick picks, then the release is live', async () => {
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
    await choose(running, /Deploy — environment/, new RegExp(`^${ENV}$`));
    await choose(running, /version of editor-deploy-repo/, new RegExp(first.slice(0, 12)));
    await choose(running, new RegExp(`Deploy → ${ENV}: added 1 \\(deploy_orders\\)`), /Deploy$/);
    const outcome = await running;
    assert.equal(outcome.record?.version, 1);
    assert.equal(outcome.record?.repositories[0]?.commit, first);
    assert.deepEqual(readdirSync(path.join(dags, REPO)), ['orders.py']);

    const again = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
    await choose(again, /Deploy — environment/, new RegExp(`^${ENV}$`));
    await choose(again, /version of editor-deploy-repo/, /\$\(git-branch\) main$/);
    await choose(again, new RegExp(`Deploy → ${ENV}: added 1 \\(deploy_billing\\)`), /Deploy$/);
    assert.equal((await again).record?.version, 2);
    assert.deepEqual(readdirSync(path.join(dags, REPO)).sort(), ['billing.py', 'orders.py']);
    await screenshot('deploy-after-second-deploy');
  });

  test('Rollback… picks a version from the history and serves it again', async () => {
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.rollback');
    await choose(running, /Rollback — environment/, new RegExp(`^${ENV}$`));
    await choose(running, new RegExp(`Rollback ${ENV} \\(now v2\\)`), /v1 · deploy/);
    await choose(running, /Roll back to v1/, /Roll back to v1$/);
    const outcome = await running;
    assert.equal(outcome.record?.action, 'rollback');
    assert.equal(outcome.record?.restores, 1);
    assert.deepEqual(readdirSync(path.join(dags, REPO)), ['orders.py']);
    assert.match(realpathSync(path.join(dags, REPO)), new RegExp(`${first.slice(0, 12)}$`));
    const env = api.deploy.environments().find((e) => e.name === ENV)!;
    assert.deepEqual((await api.deploy.history(env)).map((r) => `v${r.version} ${r.action}`), ['v1 deploy', 'v2 deploy', 'v3 rollback']);
    await vscode.commands.executeCommand('hangar.deployments.focus');
    await screenshot('deploy-history-view');
  });

  test('Deploy… syncs first: a commit pushed a moment ago is offered without a manual sync', async () => {
    const fresh = push({ 'fresh.py': dag('deploy_fresh') });
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
    await choose(running, /Deploy — environment/, new RegExp(`^${ENV}$`));
    // The branch head: without a sync before the list, main would still be the commit of the last sync.
    await choose(running, /version of editor-deploy-repo \(synced just now\)/, /\$\(git-branch\) main$/);
    await choose(running, new RegExp(`Deploy → ${ENV}: added 2 \\(deploy_billing, deploy_fresh\\)`), /Deploy$/);
    const outcome = await running;
    assert.equal(outcome.record?.repositories[0]?.commit, fresh);
    assert.equal(outcome.record?.who, DEPLOYER);
    // Where the editor spends a deploy (plan steps, apply, verify): compare with the CLI's deployCliMs below.
    reportMetric('deployEditorMs', Object.values(outcome.timings ?? {}).reduce((a, b) => a + b, 0));
  });

  test('deploying the live version says "already live" and records nothing; "Deploy anyway" records it', async () => {
    const env = api.deploy.environments().find((e) => e.name === ENV)!;
    const before = (await api.deploy.history(env)).length;
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
    await choose(running, /Deploy — environment/, new RegExp(`^${ENV}$`));
    await choose(running, /version of editor-deploy-repo/, /\$\(git-branch\) main$/);
    await choose(running, new RegExp(`Already live on ${ENV}`), /Leave it$/);
    const outcome = await running;
    assert.equal(outcome.alreadyLive, true);
    assert.equal((await api.deploy.history(env)).length, before, 'nothing was recorded');

    const anyway = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
    await choose(anyway, /Deploy — environment/, new RegExp(`^${ENV}$`));
    await choose(anyway, /version of editor-deploy-repo/, /\$\(git-branch\) main$/);
    await choose(anyway, new RegExp(`Already live on ${ENV}`), /Deploy anyway$/);
    await choose(anyway, new RegExp(`Deploy → ${ENV}: no DAG changes`), /Deploy$/);
    assert.equal((await anyway).record?.version, before + 1);
  });

  test('Show Deploy History opens a read-only document, not a rollback picker; rolling back to what is live says it changes nothing', async () => {
    const env = api.deploy.environments().find((e) => e.name === ENV)!;
    const history = await api.deploy.history(env);
    const live = history.at(-1)!;
    const widgets = shown.length;
    await vscode.commands.executeCommand('hangar.showDeployHistory', ENV);
    const document = await waitFor('the deploy history document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'hangar-history' && d.uri.path === `/deployments/${ENV}.md`));
    assert.match(document.getText(), new RegExp(`## v${live.version} · deploy · LIVE`));
    assert.match(document.getText(), /## v3 · rollback of v1/);
    assert.equal(shown.length, widgets, 'viewing the history asks nothing');
    await screenshot('deploy-history-document');

    const outcome = await vscode.commands.executeCommand<DeployOutcome>('hangar.rollback', { environment: ENV, record: live });
    assert.equal(outcome.alreadyLive, true);
    assert.equal((await api.deploy.history(env)).length, history.length, 'nothing was recorded');
  });

  test('a deploy made with the CLI appears in the Deployments view without a refresh, under the same deployer', async function () {
    this.timeout(60_000);
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const cli = path.join(extension.extensionPath, 'dist', 'cli', 'hangar.js');
    const workspace = path.dirname(api.repositories.controller.configFile);
    const before = await viewVersions();
    const started = Date.now();
    const output = execFileSync(process.execPath, [cli, 'deploy', '--env', ENV, '--ref', first, '--json'], { cwd: workspace, encoding: 'utf8', env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' } });
    const cliMs = Date.now() - started;
    const record = JSON.parse(output) as HistoryRecord;
    assert.equal(record.version, before[0]! + 1);
    assert.equal(record.who, DEPLOYER, 'the CLI and the editor apply the same identity rule');
    await waitFor('the CLI deploy in the Deployments view', async () => (await viewVersions())[0] === record.version, 20_000);
    reportMetric('deployCliMs', cliMs);
  });

  test('with hangar.python naming the Airflow interpreter, the gate blocks a DAG whose import Airflow could not satisfy', async function () {
    this.timeout(60_000);
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const python = process.env.HANGAR_AIRFLOW_PYTHON ?? path.join(extension.extensionPath, '.cache', 'airflow-venv', 'bin', 'python');
    assert.ok(existsSync(python), `the Airflow test environment is missing at ${python}`);
    await vscode.workspace.getConfiguration('hangar').update('python', python, vscode.ConfigurationTarget.Workspace);
    try {
      const broken = push({ 'reports.py': `import hangar_missing_module\n${dag('deploy_reports')}` });
      const running = vscode.commands.executeCommand<DeployOutcome>('hangar.deploy');
      await choose(running, /Deploy — environment/, new RegExp(`^${ENV}$`));
      await choose(running, /version of editor-deploy-repo/, new RegExp(broken.slice(0, 12)));
      const gate = await waitFor('the gate\'s quick pick', () => shown.find((w): w is vscode.QuickPick<vscode.QuickPickItem> => 'items' in w && /Validation blocks the deploy/.test(w.title ?? '')));
      assert.match(gate.items.map((i) => i.detail ?? '').join(' '), /reports\.py: HGR501: "hangar_missing_module"/);
      await choose(running, /Validation blocks the deploy/, /Cancel$/);
      assert.equal((await running).cancelled, true);
    } finally {
      await vscode.workspace.getConfiguration('hangar').update('python', undefined, vscode.ConfigurationTarget.Workspace);
    }
  });

  test('the Deployments view has a Refresh command', async () => {
    await vscode.commands.executeCommand('hangar.refreshDeployments');
    assert.ok((await viewVersions()).length > 0);
  });

  test('Compare with Previous Version shows what a version changed in the DAGs', async () => {
    const text = await vscode.commands.executeCommand<string | undefined>('hangar.compareWithPreviousVersion', { environment: ENV, version: 2 });
    assert.match(text ?? '', new RegExp(`${REPO}: v1 \\(${first.slice(0, 12)}\\) → v2 \\([0-9a-f]{12}\\)\\n\\+ dag deploy_billing \\(billing\\.py, 1 task\\)`));
    const document = await waitFor('the read-only changes document', () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'hangar-history' && d.uri.path === `/changes/${ENV}-v2.md`));
    assert.ok(document.getText().includes('    + dag deploy_billing'), 'shown as a read-only document, not an untitled buffer');
  });

  test('Compare with Live: the graph marks what differs from the live version, with the summary beside it', async () => {
    const env = api.deploy.environments().find((e) => e.name === ENV);
    assert.ok(env);
    assert.ok((await api.deploy.history(env).then((h) => h.length)) > 0, 'the tests above deployed a version');
    const file = path.join(env.repositories[0]!.path, 'dags', 'orders.py');
    const original = readFileSync(file, 'utf8');
    writeFileSync(
      file,
      'from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="deploy_orders", schedule=None):\n    start = EmptyOperator(task_id="start", retries=2)\n    validate = EmptyOperator(task_id="validate")\n    start >> validate\n',
    );
    const rendered: { dagId: string; marks?: Record<string, number> }[] = [];
    const subscription = api.graph.onDidRender((r) => rendered.push(r));
    try {
      const marks = await vscode.commands.executeCommand<{ lines: string[] } | undefined>('hangar.compareWithLive', vscode.Uri.file(file).toString(), 'deploy_orders');
      assert.deepEqual(marks?.lines, ['~ dag deploy_orders (orders.py)', '    + task validate (EmptyOperator)', '    task start: retries (unset) → 2', '    + edge start >> validate']);
      const shown = await waitFor('the marked graph', () => rendered.find((r) => r.dagId === 'deploy_orders' && r.marks), 30_000);
      assert.deepEqual(shown.marks, { added: 2, removed: 0, changed: 1 }, 'validate and its edge added, start changed');
      await screenshot('compare-with-live');
    } finally {
      subscription.dispose();
      writeFileSync(file, original);
    }
  });
});
