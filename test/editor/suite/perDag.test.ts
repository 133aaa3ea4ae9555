import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { DeploymentsNode } from '../../../client/src/deploy/historyTree';
import type { DeployOutcome } from '../../../client/src/deploy/deployController';
import type { HangarApi } from '../../../client/src/extension';
import { addFolderEnvironment, createDeployRemote, pushDags } from './deployFixtures';
import { choose as chooseInQuickPick, screenshot, waitFor, type Widget } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const REPO = 'editor-per-dag-repo';
const ENV = 'editor-per-dag';
const dag = (id: string, description: string): string =>
  `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${id}", description="${description}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

suite('Per-DAG deploys', () => {
  let api: HangarApi;
  let root: string;
  let work: string;
  let dags: string;
  let first: string;
  let second: string;
  const shown: Widget[] = [];
  const choose = (running: Thenable<DeployOutcome>, title: RegExp, label: RegExp) => chooseInQuickPick(shown, running, title, label);
  const served = (file: string): string => readFileSync(path.join(dags, REPO, file), 'utf8');

  const push = (files: Record<string, string>): string => pushDags(work, files);

  /** The DAG nodes the Deployments view shows under the environment's live version (its DAGs entry). */
  async function liveDags(): Promise<DeploymentsNode[]> {
    const versions = await api.deployments.getChildren({ kind: 'environment', environment: ENV });
    const live = versions.find((n) => n.kind === 'version' && n.current);
    assert.ok(live, 'the live version is listed');
    const group = (await api.deployments.getChildren(live)).find((n) => n.kind === 'dags');
    assert.ok(group, 'the live version has a DAGs entry');
    return api.deployments.getChildren(group);
  }

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    api.deploy.ui.onDidShow((widget) => shown.push(widget));
    const remote = createDeployRemote('hangar-editor-per-dag-');
    ({ root, work, dags } = remote);
    const bare = remote.bare;
    first = push({ 'orders.py': dag('per_dag_orders', 'one'), 'billing.py': dag('per_dag_billing', 'one') });
    const synced = await vscode.commands.executeCommand<{ result: string } | undefined>('hangar.addRepository', { name: REPO, url: bare, branch: 'main', priority: 1 });
    assert.equal(synced?.result, 'synced');
    await addFolderEnvironment(api, ENV, dags, REPO);
    const env = api.deploy.environments().find((e) => e.name === ENV)!;
    await api.deploy.service.apply(await api.deploy.service.planDeploy(env, { refs: { [REPO]: first } }));
    second = push({ 'orders.py': dag('per_dag_orders', 'two'), 'billing.py': dag('per_dag_billing', 'two') });
    await vscode.commands.executeCommand('hangar.syncRepository', REPO);
    await api.deploy.service.apply(await api.deploy.service.planDeploy(env, { refs: { [REPO]: second } }));
    api.deploy.refresh();
  });

  suiteTeardown(() => {
    rmSync(root, { recursive: true, force: true });
  });

  test('Roll Back This DAG… on a DAG of the live version: only its file changes, and the version records the move', async () => {
    const billing = served('billing.py');
    const node = (await liveDags()).find((n) => n.kind === 'dag' && n.dagId === 'per_dag_orders');
    assert.ok(node, 'the live version lists per_dag_orders');
    await vscode.commands.executeCommand('hangar.deployments.focus');
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.rollbackDag', node);
    await choose(running, new RegExp(`Roll back per_dag_orders on ${ENV} \\(now v2\\)`), /v1 · deploy/);
    await choose(running, new RegExp(`Roll back to v1 → ${ENV}: changed 1 \\(per_dag_orders\\)`), /Roll back to v1$/);
    const outcome = await running;
    assert.equal(outcome.error, undefined);
    assert.deepEqual(outcome.record?.dags, [{ dagId: 'per_dag_orders', repository: REPO, from: second, to: first }]);
    assert.equal(served('orders.py'), dag('per_dag_orders', 'one'));
    assert.equal(served('billing.py'), billing, 'the other DAG is byte-identical');
    const moved = await waitFor('the view to show the move', async () => (await liveDags()).find((n) => n.kind === 'dag' && n.dagId === 'per_dag_orders' && n.record.version === 3));
    assert.equal(api.deployments.getTreeItem(moved).description, `${REPO} · moved ${second.slice(0, 8)} → ${first.slice(0, 8)}`);
    await screenshot('per-dag-rollback');
  });

  test('Deploy This DAG… on the live DAG picks a version of its repository and brings it back', async () => {
    const node = (await liveDags()).find((n) => n.kind === 'dag' && n.dagId === 'per_dag_orders');
    const running = vscode.commands.executeCommand<DeployOutcome>('hangar.deployDag', node);
    await choose(running, new RegExp(`Deploy per_dag_orders to ${ENV} — version of ${REPO}`), /\$\(git-branch\) main$/);
    await choose(running, new RegExp(`Deploy → ${ENV}: changed 1 \\(per_dag_orders\\)`), /Deploy$/);
    const outcome = await running;
    assert.deepEqual(outcome.record?.dags?.map((d) => [d.dagId, d.to]), [['per_dag_orders', second]]);
    assert.equal(served('orders.py'), dag('per_dag_orders', 'two'));
  });
});
