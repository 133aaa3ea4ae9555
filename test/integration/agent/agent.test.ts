import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { dagSource } from '../../support/gitRepos';
import { waitFor } from '../../support/airflow';
import { SECRETS, githubPush, liveCommit, post, sign, startAgent, type RunningAgent } from './agentHarness';

/** How long one delivery may take to go live on loopback. */
const DELIVERY_TIMEOUT_MS = 20_000;

describe('hangar agent: webhook → sync → validate → deploy', () => {
  let running: RunningAgent;
  before(async () => {
    running = await startAgent({ repositories: ['orders'] });
  });
  after(() => running.close());

  test('a signed GitHub push deploys the new commit to the folder target', async () => {
    const remote = running.remotes.orders!;
    const commit = remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', '# v2\n') }, 'v2');
    const body = githubPush(remote, commit);
    const response = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': sign(body) });
    assert.equal(response.status, 202, JSON.stringify(response.json));
    await waitFor('the new commit to be live', () => liveCommit(running.dagsFolder, 'orders') === commit, DELIVERY_TIMEOUT_MS);
    // The link switches before the deploy is recorded: the agent reports it once the deploy has finished.
    await running.agent.idle();
    assert.equal(running.agent.status('orders').deployed?.commit, commit);
  });

  test('a replayed delivery is acknowledged and ignored', async () => {
    const deploys = running.agent.status('orders').deploys;
    const remote = running.remotes.orders!;
    const body = githubPush(remote, liveCommit(running.dagsFolder, 'orders')!);
    const response = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-1', 'x-hub-signature-256': sign(body) });
    assert.equal(response.status, 200);
    assert.equal(response.json.status, 'duplicate');
    await running.agent.idle();
    assert.equal(running.agent.status('orders').deploys, deploys);
  });

  test('a forged or unsigned delivery is rejected with 401 and nothing happens', async () => {
    const remote = running.remotes.orders!;
    const before = liveCommit(running.dagsFolder, 'orders');
    const commit = remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', '# v3\n') }, 'v3');
    const body = githubPush(remote, commit);
    const forged = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-2', 'x-hub-signature-256': sign(body, 'not-the-secret') });
    const unsigned = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-3' });
    assert.equal(forged.status, 401);
    assert.equal(unsigned.status, 401);
    await running.agent.idle();
    assert.equal(liveCommit(running.dagsFolder, 'orders'), before);
    // The same push, correctly signed, still goes through: the forged attempts did not burn its delivery id.
    const signed = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-2', 'x-hub-signature-256': sign(body) });
    assert.equal(signed.status, 202);
    await waitFor('v3 to be live', () => liveCommit(running.dagsFolder, 'orders') === commit, DELIVERY_TIMEOUT_MS);
  });

  test('GitLab pushes need the X-Gitlab-Token; generic hooks need the bearer token', async () => {
    const remote = running.remotes.orders!;
    const commit = remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', '# v4\n') }, 'v4');
    const body = JSON.stringify({ ref: 'refs/heads/main', checkout_sha: commit, project: { git_http_url: `file://${remote.bare}` } });
    const wrong = await post(`${running.url}/webhooks/gitlab`, body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': 'nope' });
    assert.equal(wrong.status, 401);
    const right = await post(`${running.url}/webhooks/gitlab`, body, { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': SECRETS.gitlabWebhookToken!, 'x-gitlab-event-uuid': 'g-1' });
    assert.equal(right.status, 202);
    await waitFor('v4 to be live', () => liveCommit(running.dagsFolder, 'orders') === commit, DELIVERY_TIMEOUT_MS);

    const next = remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', '# v5\n') }, 'v5');
    assert.equal((await post(`${running.url}/hooks/sync/orders`, '', { authorization: 'Bearer wrong' })).status, 401);
    assert.equal((await post(`${running.url}/hooks/sync/unknown`, '', { authorization: `Bearer ${SECRETS.hookToken}` })).status, 404);
    assert.equal((await post(`${running.url}/hooks/sync/orders`, '', { authorization: `Bearer ${SECRETS.hookToken}` })).status, 202);
    await waitFor('v5 to be live', () => liveCommit(running.dagsFolder, 'orders') === next, DELIVERY_TIMEOUT_MS);
  });

  test('a push that fails validation is not deployed; the error is reported in /status', async () => {
    const remote = running.remotes.orders!;
    const live = liveCommit(running.dagsFolder, 'orders');
    const broken = remote.commit({ 'dags/orders_dag.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders_dag" schedule=None):\n    pass\n' }, 'broken');
    const body = githubPush(remote, broken);
    assert.equal((await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'd-broken', 'x-hub-signature-256': sign(body) })).status, 202);
    await running.agent.idle();
    assert.equal(liveCommit(running.dagsFolder, 'orders'), live);
    const status = (await (await fetch(`${running.url}/status`)).json()) as { repositories: Record<string, { lastError?: string; lastSync?: { commit?: string } }> };
    assert.equal(status.repositories.orders?.lastSync?.commit, broken);
    assert.match(status.repositories.orders?.lastError ?? '', /validation gate/);
  });

  test('limits: oversized bodies, unknown repositories, unknown routes and methods get clear status codes', async () => {
    const huge = JSON.stringify({ padding: 'x'.repeat(100 * 1024) });
    assert.equal((await post(`${running.url}/webhooks/github`, huge, { 'x-github-event': 'push', 'x-hub-signature-256': sign(huge) })).status, 413);
    const stranger = JSON.stringify({ ref: 'refs/heads/main', after: 'a'.repeat(40), repository: { clone_url: 'https://git.example.com/other.git' } });
    assert.equal((await post(`${running.url}/webhooks/github`, stranger, { 'x-github-event': 'push', 'x-github-delivery': 'd-x', 'x-hub-signature-256': sign(stranger) })).status, 404);
    const ping = JSON.stringify({ zen: 'hi' });
    assert.equal((await post(`${running.url}/webhooks/github`, ping, { 'x-github-event': 'ping', 'x-github-delivery': 'd-ping', 'x-hub-signature-256': sign(ping) })).status, 200);
    assert.equal((await fetch(`${running.url}/webhooks/github`)).status, 405);
    assert.equal((await fetch(`${running.url}/nope`)).status, 404);
    assert.equal((await fetch(`${running.url}/healthz`)).status, 200);
    const metrics = await (await fetch(`${running.url}/metrics`)).text();
    assert.match(metrics, /hangar_agent_deploys_total\{repository="orders"\} \d+/);
    assert.match(metrics, /hangar_agent_deliveries_total\{source="github",outcome="duplicate"\} 1/);
  });

  test('secrets never appear in the agent log', () => {
    const text = running.logs.join('\n');
    for (const secret of Object.values(SECRETS)) assert.ok(!text.includes(secret!), 'a webhook secret leaked into the log');
  });
});

describe('hangar agent: concurrent deliveries', () => {
  test('100 deliveries for 10 repositories: each deployed at its latest commit, once per burst, nothing lost or duplicated', async () => {
    const names = Array.from({ length: 10 }, (_, i) => `repo${i}`);
    const running = await startAgent({ repositories: names });
    try {
      const latest: Record<string, string> = {};
      for (const name of names) latest[name] = running.remotes[name]!.commit({ [`dags/${name}_dag.py`]: dagSource(`${name}_dag`, '# burst\n') }, 'burst');
      const deliveries = names.flatMap((name) =>
        Array.from({ length: 10 }, (_, i) => {
          const body = githubPush(running.remotes[name]!, latest[name]!, i);
          return post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': `${name}-${i}`, 'x-hub-signature-256': sign(body) });
        }),
      );
      const responses = await Promise.all(deliveries);
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]));
      await waitFor('every repository to be live at its latest commit', () => names.every((n) => liveCommit(running.dagsFolder, n) === latest[n]), 60_000);
      await running.agent.idle();
      const history = await running.agent.deployHistory();
      for (const name of names) {
        assert.equal(liveCommit(running.dagsFolder, name), latest[name], `${name} is not live at its latest commit`);
        // Versions in which this repository's commit changed: exactly one per burst (first deploy included).
        const changes = history.filter((record, i) => {
          const commit = record.repositories.find((r) => r.name === name)?.commit;
          return commit !== history[i - 1]?.repositories.find((r) => r.name === name)?.commit;
        });
        assert.equal(changes.length, 1, `${name} changed in ${changes.length} versions`);
        assert.equal(changes[0]!.repositories.find((r) => r.name === name)?.commit, latest[name]);
      }
      // No version repeats the one before it: nothing was deployed twice.
      for (let i = 1; i < history.length; i++) {
        assert.notDeepEqual(history[i]!.repositories.map((r) => r.commit), history[i - 1]!.repositories.map((r) => r.commit), `version ${history[i]!.version} repeats its predecessor`);
      }
    } finally {
      await running.close();
    }
  });
});

describe('hangar agent: pull request checks', () => {
  test('a pull request with a broken DAG gets a failing commit status and a summary comment (local stand-in for the GitHub API)', async () => {
    // The GitHub REST API cannot run here: this stand-in records the requests the agent makes to it.
    const received: Array<{ url: string; auth?: string; body: Record<string, unknown> }> = [];
    const api = createServer((request, response) => {
      let text = '';
      request.on('data', (chunk) => (text += chunk));
      request.on('end', () => {
        received.push({ url: request.url ?? '', auth: request.headers.authorization, body: JSON.parse(text) as Record<string, unknown> });
        response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
      });
    });
    await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
    const running = await startAgent({ repositories: ['orders'], hostApis: { github: { url: apiUrl, token: 'gh-api-token' } } });
    try {
      const remote = running.remotes.orders!;
      const head = remote.commit({ 'dags/orders_dag.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders_dag" schedule=None):\n    pass\n' }, 'broken PR', 'feature');
      const body = JSON.stringify({
        action: 'opened',
        number: 7,
        pull_request: { number: 7, head: { sha: head, repo: { clone_url: `file://${remote.bare}` } } },
        repository: { clone_url: `file://${remote.bare}`, full_name: 'team/orders' },
      });
      const response = await post(`${running.url}/webhooks/github`, body, { 'x-github-event': 'pull_request', 'x-github-delivery': 'pr-1', 'x-hub-signature-256': sign(body) });
      assert.equal(response.status, 202);
      await waitFor('the status and the comment', () => received.length >= 2, DELIVERY_TIMEOUT_MS);
      const status = received.find((r) => r.url === `/repos/team/orders/statuses/${head}`);
      const comment = received.find((r) => r.url === '/repos/team/orders/issues/7/comments');
      assert.equal(status?.body.state, 'failure');
      assert.equal(status?.auth, 'Bearer gh-api-token');
      assert.match(String(comment?.body.body), /HGR001/);
      assert.equal(liveCommit(running.dagsFolder, 'orders'), undefined, 'a pull request must never deploy');
    } finally {
      await running.close();
      api.close();
    }
  });
});

describe('hangar agent: failures', () => {
  test('a failing sync is retried with backoff, reported in /status and /metrics, and a later delivery recovers', async () => {
    const running = await startAgent({ repositories: ['flaky'], retry: { attempts: 3, backoffMs: 20 } });
    try {
      const remote = running.remotes.flaky!;
      const { renameSync } = await import('node:fs');
      renameSync(remote.bare, `${remote.bare}.away`);
      assert.equal((await post(`${running.url}/hooks/sync/flaky`, '', { authorization: `Bearer ${SECRETS.hookToken}` })).status, 202);
      await running.agent.idle();
      assert.equal(running.agent.metrics.value('hangar_agent_sync_failures_total', { repository: 'flaky' }), 3);
      assert.equal(running.agent.status('flaky').lastSync?.result, 'failed');
      assert.ok(running.agent.status('flaky').lastError, 'the failure is reported');
      renameSync(`${remote.bare}.away`, remote.bare);
      assert.equal((await post(`${running.url}/hooks/sync/flaky`, '', { authorization: `Bearer ${SECRETS.hookToken}` })).status, 202);
      await running.agent.idle();
      assert.equal(running.agent.status('flaky').lastSync?.result, 'synced');
      assert.ok(liveCommit(running.dagsFolder, 'flaky'), 'deployed after recovering');
    } finally {
      await running.close();
    }
  });
});
