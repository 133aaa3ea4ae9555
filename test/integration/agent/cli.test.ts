import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { freePort, waitFor } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';
import { githubPush, liveCommit, post, sign } from './agentHarness';

test('hangar serve: secrets from a file, a signed push deployed, graceful shutdown on SIGTERM', async () => {
  const cli = shippedCli();
  const root = tempDir('agent-cli');
  const remote = createRemote(path.join(root, 'remotes'), 'sales', { 'dags/sales_dag.py': dagSource('sales_dag') });
  const dags = path.join(root, 'dags');
  const config = path.join(root, 'airflow-repos.yaml');
  writeFileSync(
    config,
    `repositories:\n  - name: sales\n    url: file://${remote.bare}\n    branch: main\nenvironments:\n  - name: prod\n    target: { kind: folder, path: ${dags} }\n`,
  );
  const secret = 'agent-cli-webhook-secret';
  const secretFile = path.join(root, 'github-secret');
  writeFileSync(secretFile, `${secret}\n`);
  mkdirSync(dags);
  const port = await freePort();
  const child = spawn(process.execPath, [cli, 'serve', '--config', config, '--env', 'prod', '--port', String(port), '--state', path.join(root, 'state')], {
    env: { ...process.env, HANGAR_GITHUB_WEBHOOK_SECRET_FILE: secretFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? `signal ${signal}`)));
  try {
    await waitFor('the agent to listen', () => output.includes('listening'), 15_000);
    const url = `http://127.0.0.1:${port}`;
    const commit = remote.commit({ 'dags/sales_dag.py': dagSource('sales_dag', '# v2\n') }, 'v2');
    const body = githubPush(remote, commit);
    const started = Date.now();
    const response = await post(`${url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': 'cli-1', 'x-hub-signature-256': sign(body, secret) });
    assert.equal(response.status, 202, JSON.stringify(response.json));
    await waitFor('the push to be live', () => liveCommit(dags, 'sales') === commit, 30_000);
    output += `\n(live ${Date.now() - started} ms after the delivery)`;
    child.kill('SIGTERM');
    assert.equal(await exited, 0, output);
    assert.match(output, /SIGTERM: finishing running syncs/);
    assert.ok(!output.includes(secret), 'the webhook secret appeared in the agent output');
    assert.ok(!readFileSync(config, 'utf8').includes(secret));
  } finally {
    child.kill('SIGKILL');
  }
});
