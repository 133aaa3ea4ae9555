import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { prerequisite } from '../../support/airflow';
import { dagSource } from '../../support/gitRepos';
import { postgresOrSkip, type RunningPostgres } from '../../support/postgres';
import { liveCommit } from '../agent/agentHarness';
import { changes, fleetIdle, fleetStatus, pushTo, query, startFleet, type RunningFleet } from './fleetHarness';

const COMMITS = 5;
const DELIVERIES_PER_COMMIT = 20;

describe('hangar serve fleet: 3 agents on one PostgreSQL', () => {
  let postgres: RunningPostgres | undefined;
  let fleet: RunningFleet | undefined;
  /** Every delivery sent, to re-send it to another agent. */
  const sent: Array<{ commit: string; variant: number; agent: number }> = [];
  const commits: string[] = [];

  before(async () => {
    postgres = await postgresOrSkip();
    if (postgres) fleet = await startFleet({ count: 3, database: postgres.database, postgres, files: { 'dags/orders_dag.py': dagSource('orders_dag') } });
  });
  after(async () => {
    await fleet?.stop();
    await postgres?.stop();
  });

  test(`${COMMITS} commits, each followed by ${DELIVERIES_PER_COMMIT} concurrent deliveries spread over the agents: each commit is deployed exactly once`, async (t) => {
    const running = fleet;
    if (!prerequisite(t, running, 'PostgreSQL is not installed')) return;
    for (let c = 0; c < COMMITS; c++) {
      const commit = running.remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', `# v${c}\n`) }, `v${c}`);
      commits.push(commit);
      const responses: Array<{ status: number; json: Record<string, unknown> }> = await Promise.all(
        Array.from({ length: DELIVERIES_PER_COMMIT }, (_, i) => {
          const agent = i % running.agents.length;
          sent.push({ commit, variant: i, agent });
          return pushTo(running.agents[agent]!, running.remote, commit, i, `c${c}-d${i}`);
        }),
      );
      assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([202]), JSON.stringify(responses.find((r) => r.status !== 202)?.json));
      await fleetIdle(running.agents[0]!);
      assert.equal(liveCommit(running.dagsFolder, 'orders'), commit, `commit ${c} is live once the fleet is idle`);
    }
    const history = running.history();
    assert.deepEqual(
      changes(history).map((r) => r.repositories[0]!.commit),
      commits,
      'every commit went live in exactly one version, in order',
    );
    assert.equal(history.length, COMMITS, `the history has one version per commit: ${history.map((r) => r.version).join(', ')}`);
    const recorded = await query<{ commit_sha: string }>(postgres!, postgres!.database, `SELECT commit_sha FROM hangar.agent_deployed WHERE repository = 'orders' ORDER BY version`);
    assert.deepEqual(recorded.map((r) => r.commit_sha), commits);
    const status = await fleetStatus(running.agents[1]!);
    assert.equal(status.agents.length, 3, 'the three agents are members of the fleet');
    assert.equal(status.repositories.orders?.deployed?.commit, commits.at(-1));
  });

  test('the same deliveries re-sent to other agents are duplicates on every agent and deploy nothing', async (t) => {
    const running = fleet;
    if (!prerequisite(t, running, 'PostgreSQL is not installed')) return;
    assert.equal(sent.length, COMMITS * DELIVERIES_PER_COMMIT, 'the first test sent its deliveries');
    const versions = running.history().length;
    const responses = await Promise.all(
      sent.map(({ commit, variant, agent }, i) => pushTo(running.agents[(agent + 1 + (i % 2)) % running.agents.length]!, running.remote, commit, variant, `replay-${i}`)),
    );
    for (const response of responses) {
      assert.equal(response.status, 200, JSON.stringify(response.json));
      assert.equal(response.json.status, 'duplicate');
    }
    await fleetIdle(running.agents[0]!);
    assert.equal(running.history().length, versions, 'a replay deployed a version');
    const duplicates = await Promise.all(
      running.agents.map(async (agent) => Number(/hangar_agent_deliveries_total\{source="github",outcome="duplicate"\} (\d+)/.exec(await (await fetch(`${agent.url}/metrics`)).text())?.[1] ?? 0)),
    );
    assert.ok(duplicates.every((n) => n > 0), `every agent recognised duplicates: ${duplicates.join(', ')}`);
    assert.equal(duplicates.reduce((a, b) => a + b, 0), sent.length);
  });

  test('/metrics shows the fleet: queue depth, jobs running per agent, retries, failures, oldest waiting job', async (t) => {
    const running = fleet;
    if (!prerequisite(t, running, 'PostgreSQL is not installed')) return;
    const metrics = await (await fetch(`${running.agents[2]!.url}/metrics`)).text();
    for (const name of ['hangar_fleet_queue_depth', 'hangar_fleet_jobs_retrying', 'hangar_fleet_jobs_failed', 'hangar_fleet_oldest_waiting_seconds']) {
      assert.match(metrics, new RegExp(`^${name}\\{queue="hangar-deploy-prod"\\} 0$`, 'm'), name);
    }
    const perAgent = [...metrics.matchAll(/^hangar_fleet_agent_jobs_running\{agent="([^"]+)"\} (\d+)$/gm)];
    assert.equal(perAgent.length, 3);
    assert.match(metrics, /^hangar_fleet_agents 3$/m);
    assert.match(metrics, /^hangar_agent_jobs_total\{queue="hangar-deploy-prod",result="completed"\} \d+$/m);
  });

  test('no agent prints the database password or the webhook secret', async (t) => {
    const running = fleet;
    if (!prerequisite(t, running, 'PostgreSQL is not installed')) return;
    for (const agent of running.agents) {
      const output = agent.output();
      assert.ok(!output.includes(postgres!.password), 'the database password leaked into the agent output');
      assert.ok(!output.includes(running.env.HANGAR_GITHUB_WEBHOOK_SECRET!), 'the webhook secret leaked into the agent output');
      assert.match(output, /fleet agent \S+ on PostgreSQL at 127\.0\.0\.1:\d+\/hangar/);
    }
  });
});
