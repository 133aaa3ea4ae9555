import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { waitFor } from '../../support/airflow';
import { runHangar, shippedCli } from '../../support/cli';
import { startGitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';
import { liveCommit, post, serveAgent, sign } from './agentHarness';

/** The agent's secret variables, emptied: the test's own environment must not enable a webhook by accident. */
const NO_AGENT_SECRETS = Object.fromEntries(
  ['HANGAR_GITHUB_WEBHOOK_SECRET', 'HANGAR_GITLAB_WEBHOOK_TOKEN', 'HANGAR_HOOK_TOKEN'].flatMap((name) => [
    [name, ''],
    [`${name}_FILE`, ''],
  ]),
);

describe('hangar serve (the shipped CLI as a process)', () => {
  test('SIGTERM while a sync runs: no new delivery is taken, the running sync and its deploy finish, then exit 0; secrets from a file never printed', async () => {
    const cli = shippedCli();
    const root = tempDir('agent-cli');
    const remote = createRemote(path.join(root, 'remotes'), 'sales', { 'dags/sales_dag.py': dagSource('sales_dag') });
    // The remote answers only once the test releases it: the sync is provably running when SIGTERM arrives.
    let release!: () => void;
    const server = await startGitHttpServer({ projectRoot: path.join(root, 'remotes'), username: 'alice', password: 'git-password-3c1d', hold: new Promise<void>((resolve) => (release = resolve)) });
    const url = `${server.url}/sales.git`;
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    const config = path.join(root, 'airflow-repos.yaml');
    writeFileSync(config, `repositories:\n  - name: sales\n    url: ${url}\n    branch: main\n    auth: basic\n    username: alice\nenvironments:\n  - name: prod\n    target: { kind: folder, path: ${dags} }\n`);
    const secret = 'agent-cli-webhook-secret';
    const secretFile = path.join(root, 'github-secret');
    writeFileSync(secretFile, `${secret}\n`);
    const agent = await serveAgent(cli, ['--config', config, '--env', 'prod', '--state', path.join(root, 'state')], {
      ...NO_AGENT_SECRETS,
      HANGAR_GITHUB_WEBHOOK_SECRET_FILE: secretFile,
      HANGAR_GIT_PASSWORD_SALES: 'git-password-3c1d',
    });
    try {
      const commit = remote.commit({ 'dags/sales_dag.py': dagSource('sales_dag', '# v2\n') }, 'v2');
      const push = (delivery: string) => {
        const body = JSON.stringify({ ref: 'refs/heads/main', after: commit, repository: { clone_url: url, full_name: 'team/sales', pushed_at: delivery } });
        return post(`${agent.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': delivery, 'x-hub-signature-256': sign(body, secret) });
      };
      assert.equal((await push('cli-1')).status, 202);
      await waitFor('the sync to reach the remote', () => server.requests.some((r) => r.endsWith(' 200')), 30_000);

      const exited = agent.stop('SIGTERM');
      await waitFor('the agent to announce the shutdown', () => agent.output().includes('SIGTERM: finishing running syncs'), 10_000);
      await assert.rejects(push('cli-2'), 'a delivery after SIGTERM is not taken');
      assert.equal(liveCommit(dags, 'sales'), undefined, 'nothing is live while the sync is held');

      release();
      assert.equal(await exited, 0, agent.output());
      assert.equal(liveCommit(dags, 'sales'), commit, 'the running sync was finished and deployed before the exit');
      const output = agent.output();
      assert.ok(output.indexOf('deployed version 1 to prod') < output.indexOf(' stopped'), output);
      assert.ok(!output.includes(secret) && !output.includes('git-password-3c1d'), 'a secret appeared in the agent output');
      assert.ok(!readFileSync(config, 'utf8').includes(secret));
    } finally {
      release();
      await agent.stop('SIGKILL');
      await server.close();
    }
  });

  test('without a webhook secret the agent refuses to start, says which variables to set, and exits non-zero', async () => {
    const root = tempDir('agent-nosecret');
    writeFileSync(path.join(root, 'airflow-repos.yaml'), 'repositories: []\n');
    const run = await runHangar(['serve', '--port', '0', '--config', path.join(root, 'airflow-repos.yaml'), '--state', path.join(root, 'state')], { env: NO_AGENT_SECRETS, timeoutMs: 30_000 });
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /no webhook is enabled: set HANGAR_GITHUB_WEBHOOK_SECRET, HANGAR_GITLAB_WEBHOOK_TOKEN or HANGAR_HOOK_TOKEN/);
    assert.doesNotMatch(run.stdout, /listening/);
  });
});
