/** Webhook agent: delivery → new release live on a folder target, and acknowledgement throughput. */
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Agent } from '../../server/src/agent/agent';
import { createAgentServer } from '../../server/src/agent/httpServer';
import { githubPush, liveCommit, post, sign, SECRETS } from '../integration/agent/agentHarness';
import { waitFor } from '../support/airflow';
import { createRemote, dagSource, tempDir } from '../support/gitRepos';
import { type Bench, median, printTable } from './bench';

const DAGS = 1000;
/** Polling interval while timing delivery → live: short, so it adds little to the figure. */
const POLL_MS = 50;

/** A clean DAG of about 150 lines (the gate must let it through). */
function cleanDag(index: number, revision = 0): string {
  const helpers = Array.from({ length: 24 }, (_, i) => `def transform_${i}(rows):\n    """Normalises batch ${i}."""\n    out = []\n    for row in rows:\n        out.append({**row, "batch": ${i}})\n    return out\n`);
  return `${helpers.join('\n')}\n${dagSource(`dag_${index}`, `# revision ${revision}\n`)}`;
}

const bench: Bench = {
  name: 'agent',
  description: `webhook to live release for a one-file change in a ${DAGS}-DAG repository; deliveries acknowledged per second`,
  async run() {
    const root = tempDir('bench-agent');
    const files: Record<string, string> = {};
    for (let i = 0; i < DAGS; i++) files[`dags/dag_${String(i).padStart(4, '0')}.py`] = cleanDag(i);
    const remote = createRemote(path.join(root, 'remotes'), 'big', files);
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    const config = path.join(root, 'workspace', 'airflow-repos.yaml');
    mkdirSync(path.dirname(config));
    writeFileSync(config, `repositories:\n  - name: big\n    url: file://${remote.bare}\n    branch: main\nenvironments:\n  - name: prod\n    target: { kind: folder, path: ${dags}, keep_releases: 3 }\n`);
    const agent = new Agent({ configFile: config, environment: 'prod', storageDir: path.join(root, 'state'), log: () => undefined });
    const server = createAgentServer(agent, { secrets: SECRETS });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/github`;
    let delivery = 0;
    const push = async (commit: string) => {
      const body = githubPush(remote, commit);
      return post(url, body, { 'x-github-event': 'push', 'x-github-delivery': `b-${delivery++}`, 'x-hub-signature-256': sign(body) });
    };
    try {
      const first = remote.commit({ 'README.md': 'bench' }, 'start');
      let started = performance.now();
      await push(first);
      await waitFor('the first deploy', () => liveCommit(dags, 'big') === first, 300_000, POLL_MS);
      const firstMs = performance.now() - started;
      await agent.idle();

      const samples: number[] = [];
      for (let i = 0; i < 5; i++) {
        const commit = remote.commit({ 'dags/dag_0001.py': cleanDag(1, i + 1) }, `change ${i}`);
        started = performance.now();
        await push(commit);
        await waitFor('the change to be live', () => liveCommit(dags, 'big') === commit, 60_000, POLL_MS);
        samples.push(performance.now() - started);
        await agent.idle();
      }

      const total = 2000;
      const concurrency = 50;
      const body = githubPush(remote, 'f'.repeat(40));
      const signature = sign(body);
      started = performance.now();
      let sent = 0;
      await Promise.all(
        Array.from({ length: concurrency }, async () => {
          while (sent < total) {
            sent++;
            await post(url, body, { 'x-github-event': 'push', 'x-github-delivery': `t-${sent}`, 'x-hub-signature-256': signature });
          }
        }),
      );
      const perSecond = total / ((performance.now() - started) / 1000);
      await agent.idle();
      printTable('Webhook agent (folder target, loopback)', [
        ['measure', 'value', 'target'],
        [`first delivery → ${DAGS} DAGs live (clone + validate + release)`, `${(firstMs / 1000).toFixed(2)} s`, '-'],
        ['one-file change: delivery → live (median of 5)', `${median(samples).toFixed(0)} ms`, '≤ 2000 ms'],
        ['one-file change: slowest of 5', `${Math.max(...samples).toFixed(0)} ms`, '-'],
        [`deliveries acknowledged per second (${total}, ${concurrency} concurrent)`, perSecond.toFixed(0), '-'],
      ]);
    } finally {
      await agent.stop();
      server.close();
    }
  },
};

export default bench;
