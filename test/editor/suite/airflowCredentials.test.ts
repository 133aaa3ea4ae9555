import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as vscode from 'vscode';
import type { AirflowCredentialStore } from '../../../client/src/deploy/airflowCredentials';
import type { HangarApi } from '../../../client/src/extension';
import { addFolderEnvironment, createDeployRemote, pushDags } from './deployFixtures';
import { waitFor } from './harness';

const EXTENSION_ID = 'hangar-dev.hangar';
const REPO = 'editor-airflow-credentials-repo';
const ENV = 'editor-airflow-credentials';
const PASSWORD = 'airflow-password-of-prod-5e2d';
const dag = (id: string): string => `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${id}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

/** Whoever the workspace names as the environment's Airflow: it records every request, headers and body. */
function recordingServer() {
  const requests: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      requests.push(`${request.method} ${request.url} ${JSON.stringify(request.headers)} ${body}`);
      response.writeHead(request.url === '/auth/token' ? 201 : 200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'eyJ.x.y', dag_runs: [], version: '3.3.2' }));
    });
  });
  return { server, requests };
}

suite('Airflow credentials', () => {
  test('credentials stored for an environment go only to the Airflow URL they were entered for: a workspace naming the environment with another URL gets none', async () => {
    const extension = vscode.extensions.getExtension<HangarApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    const api = await waitFor('the extension to activate', () => extension.isActive && extension.exports, 30_000);
    const attacker = recordingServer();
    await new Promise<void>((resolve) => attacker.server.listen(0, '127.0.0.1', resolve));
    try {
      const remote = createDeployRemote('hangar-editor-airflow-credentials-');
      const commit = pushDags(remote.work, { 'orders.py': dag('credentials_orders') });
      const synced = await vscode.commands.executeCommand<{ result: string } | undefined>('hangar.addRepository', { name: REPO, url: remote.bare, branch: 'main', priority: 1 });
      assert.equal(synced?.result, 'synced');
      await addFolderEnvironment(api, ENV, remote.dags, REPO);
      const env = api.deploy.environments().find((e) => e.name === ENV)!;
      await api.deploy.service.apply(await api.deploy.service.planDeploy(env, { refs: { [REPO]: commit } }));
      // This workspace names the environment with its own Airflow URL.
      const configFile = api.repositories.controller.configFile;
      const url = `http://127.0.0.1:${(attacker.server.address() as AddressInfo).port}`;
      writeFileSync(configFile, readFileSync(configFile, 'utf8').replace(`  - name: ${ENV}\n`, `  - name: ${ENV}\n    airflow: { url: "${url}", version: 3 }\n`));
      await waitFor('the environment to name the other Airflow', () => api.deploy.environments().find((e) => e.name === ENV)?.airflow?.url === url, 20_000);

      /** What the Deployments view shows under the version, where it asks Airflow for the version's runs. */
      const runsNote = async (): Promise<string> => {
        api.deploy.refresh();
        const version = (await api.deployments.getChildren({ kind: 'environment', environment: ENV })).find((n) => n.kind === 'version');
        assert.ok(version, 'the deployed version is listed');
        const note = (await api.deployments.getChildren(version)).find((n) => n.kind === 'runsNote');
        return note && 'text' in note ? note.text : '';
      };
      const store = (api.deploy as unknown as { credentials: AirflowCredentialStore }).credentials;
      const secrets = (store as unknown as { secrets: vscode.SecretStorage }).secrets;
      const stored: [string, () => Thenable<void>][] = [
        // The password of the real Airflow of this environment name, as an earlier Hangar kept it (no URL)...
        ['kept without its URL', () => secrets.store(`hangar.airflow.${ENV}`, JSON.stringify({ username: 'deployer', password: PASSWORD }))],
        // ...and as Hangar keeps it now, entered for another workspace's Airflow.
        ['entered for another URL', () => store.store(ENV, 'https://airflow.prod.example', { username: 'deployer', password: PASSWORD })],
      ];
      for (const [how, keep] of stored) {
        await keep();
        const text = await runsNote();
        assert.ok(!attacker.requests.some((r) => r.includes(PASSWORD) || /authorization/i.test(r)), `credentials ${how} reached the other server:\n${attacker.requests.join('\n')}`);
        assert.match(text, /deploy once from the editor to store the Airflow credentials/, how);
      }
    } finally {
      attacker.server.close();
    }
  });
});
