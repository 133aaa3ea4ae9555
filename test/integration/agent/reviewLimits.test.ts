import assert from 'node:assert/strict';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { waitFor } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';
import { post, serveAgent, sign } from './agentHarness';

const PULL_REQUESTS = 4;
/**
 * Peak resident memory the agent may reach. Measured on this test's 4 pull requests: 0.1.0 peaked at 1.1 GB (and
 * missed 45 of 81 /healthz probes); with the size limit and the capped workers it peaks near 300 MB.
 */
const MAX_PEAK_RSS_MB = 400;

/** A syntactically valid DAG file of about `bytes` bytes: one DAG, a long chain of tasks. */
function generatedDag(dagId: string, bytes: number): string {
  const lines = ['from airflow.sdk import DAG', 'from airflow.providers.standard.operators.empty import EmptyOperator', '', `with DAG(dag_id="${dagId}", schedule=None):`];
  let size = lines.join('\n').length;
  for (let i = 0; size < bytes; i++) {
    const line = `    t${i} = EmptyOperator(task_id="task_${i}")${i ? `\n    t${i - 1} >> t${i}` : ''}`;
    lines.push(line);
    size += line.length + 1;
  }
  return `${lines.join('\n')}\n`;
}

/** The peak resident set size of a process, from Linux's /proc (includes its worker threads). */
function peakRssMb(pid: number): number {
  const kb = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
  return Number(kb) / 1024;
}

test('hangar serve: pull requests adding a 5 MB DAG are reported as not analysed, large ones are analysed off the event loop, /healthz answers throughout, memory stays low', async () => {
  const cli = shippedCli();
  const root = tempDir('agent-review-limits');
  const remote = createRemote(path.join(root, 'remotes'), 'orders', { 'dags/orders_dag.py': dagSource('orders_dag') });
  // Each pull request adds a 5 MB DAG, and one just under the limit whose analysis takes seconds and which ends in a
  // syntax error (the report shows it was analysed to the end). Branches build on each other: the last has four.
  const heads = Array.from({ length: PULL_REQUESTS }, (_, i) =>
    remote.commit(
      {
        [`dags/generated_${i}.py`]: generatedDag(`generated_${i}`, 5 * 1024 * 1024),
        [`dags/near_limit_${i}.py`]: `${generatedDag(`near_limit_${i}`, 1000 * 1024)}    broken = EmptyOperator(task_id="x"\n`,
      },
      `generated ${i}`,
      `feature-${i}`,
    ),
  );
  const config = path.join(root, 'airflow-repos.yaml');
  writeFileSync(config, `repositories:\n  - name: orders\n    url: file://${remote.bare}\n    branch: main\n    dags_path: dags\n`);

  // The GitHub REST API cannot run here: this stand-in records the statuses and comments the agent posts.
  const received: Array<{ url: string; body: Record<string, unknown> }> = [];
  const api = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk) => (text += chunk));
    request.on('end', () => {
      received.push({ url: request.url ?? '', body: JSON.parse(text) as Record<string, unknown> });
      response.writeHead(201, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
  const apiUrl = `http://127.0.0.1:${(api.address() as AddressInfo).port}`;
  const secret = 'review-limits-webhook-secret';
  const agent = await serveAgent(cli, ['--config', config, '--state', path.join(root, 'state'), '--github-api-url', apiUrl], {
    HANGAR_GITHUB_WEBHOOK_SECRET: secret,
    HANGAR_GITHUB_API_TOKEN: 'review-limits-api-token',
  });

  // /healthz is probed throughout, each probe with the 1 s the issue allows; every probe must be answered.
  const probes = { answered: 0, failed: [] as string[] };
  let probing = true;
  const prober = (async () => {
    while (probing) {
      const started = Date.now();
      try {
        const response = await fetch(`${agent.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        if (response.status === 200) probes.answered++;
        else probes.failed.push(`status ${response.status}`);
      } catch (error) {
        probes.failed.push(`no answer within 1 s after ${Date.now() - started} ms: ${(error as Error).name}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();
  try {
    const responses = await Promise.all(
      heads.map((head, i) => {
        const body = JSON.stringify({
          action: 'opened',
          number: 100 + i,
          pull_request: { number: 100 + i, head: { sha: head, repo: { clone_url: `file://${remote.bare}` } } },
          repository: { clone_url: `file://${remote.bare}`, full_name: 'team/orders' },
        });
        return post(`${agent.url}/webhooks/github`, body, { 'x-github-event': 'pull_request', 'x-github-delivery': `big-${i}`, 'x-hub-signature-256': sign(body, secret) });
      }),
    );
    assert.deepEqual(responses.map((r) => r.status), Array(PULL_REQUESTS).fill(202), JSON.stringify(responses.map((r) => r.json)));
    await waitFor('a status and a comment on every pull request', () => received.length >= 2 * PULL_REQUESTS, 120_000);
    probing = false;
    await prober;
    const peak = peakRssMb(agent.pid);
    console.log(`healthz: ${probes.answered} probes answered, ${probes.failed.length} failed; agent peak RSS ${peak.toFixed(0)} MB`);

    assert.deepEqual(probes.failed, [], 'every /healthz probe is answered within 1 s');
    assert.ok(probes.answered >= 5, 'the agent was probed throughout the reviews');
    assert.ok(peak < MAX_PEAK_RSS_MB, `the agent peaked at ${peak.toFixed(0)} MB (bound ${MAX_PEAK_RSS_MB} MB)`);
    heads.forEach((head, i) => {
      const status = received.find((r) => r.url === `/repos/team/orders/statuses/${head}`);
      const comment = received.find((r) => r.url === `/repos/team/orders/issues/${100 + i}/comments`);
      // A file Hangar did not analyse cannot pass the check: a padded file must not slip past the security rules.
      assert.equal(status?.body.state, 'failure', JSON.stringify(status));
      assert.match(String(comment?.body.body), new RegExp(`generated_${i}\\.py:1: HGR014 File not analyzed: 5\\.0 MB is over Hangar's 1 MB limit`));
      assert.match(String(comment?.body.body), new RegExp(`near_limit_${i}\\.py:\\d{5}: HGR001`));
    });
  } finally {
    probing = false;
    await prober;
    await agent.stop('SIGKILL');
    api.close();
    rmSync(root, { recursive: true, force: true });
  }
});

test('hangar serve: a DAG file that is a symlink to /dev/zero is reported as not analysed, never read', async () => {
  const cli = shippedCli();
  const root = tempDir('agent-dev-zero');
  const remote = createRemote(path.join(root, 'remotes'), 'orders', { 'dags/orders_dag.py': dagSource('orders_dag') });
  symlinkSync('/dev/zero', path.join(remote.work, 'dags', 'zero.py'));
  remote.commit({}, 'a link to an endless file');
  const config = path.join(root, 'airflow-repos.yaml');
  writeFileSync(config, `repositories:\n  - name: orders\n    url: file://${remote.bare}\n    branch: main\n    dags_path: dags\n`);
  const state = path.join(root, 'state');
  const agent = await serveAgent(cli, ['--config', config, '--state', state], { HANGAR_HOOK_TOKEN: 'dev-zero-token' });
  try {
    assert.equal((await post(`${agent.url}/hooks/sync/orders`, '', { authorization: 'Bearer dev-zero-token' })).status, 202);
    const lastSync = await waitFor('the sync to finish', async () => {
      const status = (await (await fetch(`${agent.url}/status`)).json()) as { repositories: { orders: { busy: boolean; lastSync?: { result: string; error?: string } } } };
      return !status.repositories.orders.busy && status.repositories.orders.lastSync;
    }, 60_000);
    assert.equal(lastSync.result, 'synced', lastSync.error);
    const stored = JSON.parse(readFileSync(path.join(state, 'repos', 'orders.json'), 'utf8')) as { state: { files: Record<string, { messages: string[] }> } };
    assert.match(stored.state.files['dags/zero.py']?.messages.join('\n') ?? '', /HGR014 File not analyzed: it is not a regular file/);
    assert.ok(peakRssMb(agent.pid) < MAX_PEAK_RSS_MB, `the agent peaked at ${peakRssMb(agent.pid).toFixed(0)} MB`);
  } finally {
    await agent.stop('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});
