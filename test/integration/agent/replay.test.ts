import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { waitFor } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';
import { githubPush, liveCommit, post, serveAgent, sign, type ServedAgent } from './agentHarness';

const SECRETS = { HANGAR_GITHUB_WEBHOOK_SECRET: 'replay-github-secret', HANGAR_GITLAB_WEBHOOK_TOKEN: 'replay-gitlab-token', HANGAR_HOOK_TOKEN: 'replay-hook-token' };

test('hangar serve: a replayed delivery (new id, no id, after a restart) is a duplicate and deploys nothing again', async () => {
  const cli = shippedCli();
  const root = tempDir('agent-replay');
  const remote = createRemote(path.join(root, 'remotes'), 'sales', { 'dags/sales_dag.py': dagSource('sales_dag') });
  const dags = path.join(root, 'dags');
  mkdirSync(dags);
  const config = path.join(root, 'airflow-repos.yaml');
  writeFileSync(config, `repositories:\n  - name: sales\n    url: file://${remote.bare}\n    branch: main\nenvironments:\n  - name: prod\n    target: { kind: folder, path: ${dags} }\n`);
  const state = path.join(root, 'state');
  const start = (): Promise<ServedAgent> => serveAgent(cli, ['--config', config, '--env', 'prod', '--state', state], SECRETS);
  const history = (): HistoryRecord[] => JSON.parse(readFileSync(path.join(dags, '.hangar', 'history.json'), 'utf8')) as HistoryRecord[];
  const idle = (agent: ServedAgent): Promise<boolean> =>
    waitFor('the agent to be idle', async () => {
      const status = (await (await fetch(`${agent.url}/status`)).json()) as { repositories: { sales: { busy: boolean; queue: number } } };
      return !status.repositories.sales.busy && status.repositories.sales.queue === 0;
    }, 30_000, 50);

  const github = (agent: ServedAgent, body: string, id?: string) =>
    post(`${agent.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-hub-signature-256': sign(body, SECRETS.HANGAR_GITHUB_WEBHOOK_SECRET), ...(id ? { 'x-github-delivery': id } : {}) });
  const gitlab = (agent: ServedAgent, body: string, uuid: string) =>
    post(`${agent.url}/webhooks/gitlab`, body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRETS.HANGAR_GITLAB_WEBHOOK_TOKEN, 'x-gitlab-event-uuid': uuid });
  const generic = (agent: ServedAgent, id: string) => post(`${agent.url}/hooks/sync/sales`, '', { authorization: `Bearer ${SECRETS.HANGAR_HOOK_TOKEN}`, 'x-delivery-id': id });

  let agent = await start();
  try {
    const first = remote.commit({ 'dags/sales_dag.py': dagSource('sales_dag', '# v1\n') }, 'v1');
    assert.equal((await github(agent, githubPush(remote, first), 'a-1')).status, 202);
    await waitFor('v1 to be live', () => liveCommit(dags, 'sales') === first, 30_000);
    const second = remote.commit({ 'dags/sales_dag.py': dagSource('sales_dag', '# v2\n') }, 'v2');
    const push = githubPush(remote, second);
    assert.equal((await github(agent, push, 'a-2')).status, 202);
    await waitFor('v2 to be live', () => liveCommit(dags, 'sales') === second, 30_000);
    const gitlabPush = JSON.stringify({ ref: 'refs/heads/main', checkout_sha: second, project: { git_http_url: `file://${remote.bare}` } });
    assert.equal((await gitlab(agent, gitlabPush, 'g-1')).status, 202);
    await idle(agent);
    assert.equal((await generic(agent, 'h-1')).status, 202);
    await idle(agent);

    // An operator rolls back: a replayed push must not deploy v2 again behind their back.
    const rollback = spawnSync(process.execPath, [cli, 'rollback', '--env', 'prod'], { cwd: root, encoding: 'utf8' });
    assert.equal(rollback.status, 0, rollback.stderr);
    assert.equal(liveCommit(dags, 'sales'), first);
    const versions = history().length;

    const replays = async (): Promise<void> => {
      for (const response of [await github(agent, push, 'a-2'), await github(agent, push, `a-new-${Date.now()}`), await github(agent, push), await gitlab(agent, gitlabPush, 'g-1'), await generic(agent, 'h-1')]) {
        assert.equal(response.status, 200, JSON.stringify(response.json));
        assert.equal(response.json.status, 'duplicate');
      }
      await idle(agent);
      assert.equal(history().length, versions, 'a replay deployed a version');
      assert.equal(liveCommit(dags, 'sales'), first, 'a replay undid the rollback');
    };
    await replays();

    assert.equal(await agent.stop('SIGTERM'), 0);
    agent = await start();
    await replays();
    const metrics = await (await fetch(`${agent.url}/metrics`)).text();
    assert.match(metrics, /hangar_agent_deliveries_total\{source="github",outcome="duplicate"\} 3/);

    // The log holds digests only: no delivery id, URL or payload in clear.
    const log = readFileSync(path.join(state, 'deliveries.json'), 'utf8');
    for (const clear of ['a-2', 'g-1', 'h-1', second, remote.bare]) assert.ok(!log.includes(clear), `the delivery log contains "${clear}"`);
  } finally {
    await agent.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});
