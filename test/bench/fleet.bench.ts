/**
 * Fleet mode of `hangar serve` on a throw-away PostgreSQL: deliveries accepted per second by one agent and by
 * three (each delivery written to the database before its 202), and delivery → deploy start with an idle fleet.
 */
import { dagSource } from '../support/gitRepos';
import { startPostgres } from '../support/postgres';
import { waitFor } from '../support/airflow';
import { fleetIdle, pushTo, startFleet, type RunningFleet } from '../integration/fleet/fleetHarness';
import { type Bench, printTable, saveResults } from './bench';

const DELIVERIES = 2000;
const CONCURRENCY = 50;
const LATENCY_SAMPLES = 30;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Sends DELIVERIES distinct signed pushes, CONCURRENCY at a time, round-robin over the fleet's agents. */
async function acceptRate(fleet: RunningFleet): Promise<number> {
  const commit = fleet.remote.commit({ 'README.md': `rate ${Date.now()}` }, 'rate');
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < DELIVERIES) {
        const i = next++;
        const response = await pushTo(fleet.agents[i % fleet.agents.length]!, fleet.remote, commit, 1_000_000 + i, `rate-${i}`);
        if (response.status !== 202) throw new Error(`delivery ${i} answered ${response.status}: ${JSON.stringify(response.json)}`);
      }
    }),
  );
  const perSecond = DELIVERIES / ((performance.now() - started) / 1000);
  await fleetIdle(fleet.agents[0]!, 120_000);
  return perSecond;
}

/** The time of the first "Writing release <sha>" line any agent logged (its own timestamp, ms since the epoch). */
function deployStart(fleet: RunningFleet, commit: string): number | undefined {
  const pattern = new RegExp(`^(\\S+) \\[orders\\] Writing release orders-${commit.slice(0, 12)}`, 'm');
  const times = fleet.agents.map((a) => pattern.exec(a.output())?.[1]).filter((t): t is string => Boolean(t)).map((t) => Date.parse(t));
  return times.length ? Math.min(...times) : undefined;
}

const bench: Bench = {
  name: 'fleet',
  description: `hangar serve on PostgreSQL: ${DELIVERIES} deliveries accepted by 1 and 3 agents; delivery → deploy start (${LATENCY_SAMPLES} samples, idle fleet)`,
  async run() {
    const postgres = await startPostgres();
    const fleets: RunningFleet[] = [];
    try {
      const files = { 'dags/orders_dag.py': dagSource('orders_dag') };
      const one = await startFleet({ count: 1, database: await postgres.createDatabase('bench_one'), postgres, files, lease: 30 });
      fleets.push(one);
      const oneRate = await acceptRate(one);
      await one.stop();
      fleets.pop();

      const three = await startFleet({ count: 3, database: await postgres.createDatabase('bench_three'), postgres, files, lease: 30 });
      fleets.push(three);
      const threeRate = await acceptRate(three);

      const latencies: number[] = [];
      for (let i = 0; i < LATENCY_SAMPLES; i++) {
        const commit = three.remote.commit({ 'dags/orders_dag.py': dagSource('orders_dag', `# sample ${i}\n`) }, `sample ${i}`);
        const sent = Date.now();
        const response = await pushTo(three.agents[i % 3]!, three.remote, commit, 2_000_000 + i, `latency-${i}`);
        if (response.status !== 202) throw new Error(`latency delivery answered ${response.status}`);
        const start = await waitFor('the deploy to start', () => deployStart(three, commit), 60_000, 10);
        latencies.push(start - sent);
        await fleetIdle(three.agents[0]!);
      }
      const results = {
        acceptedPerSecond: { oneAgent: Math.round(oneRate), threeAgents: Math.round(threeRate) },
        deliveryToDeployStartMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), samples: latencies.length },
      };
      printTable('hangar serve fleet on PostgreSQL 15 (loopback, one machine)', [
        ['measure', 'value'],
        [`deliveries accepted per second, 1 agent (${DELIVERIES}, ${CONCURRENCY} concurrent)`, String(results.acceptedPerSecond.oneAgent)],
        [`deliveries accepted per second, 3 agents (round-robin)`, String(results.acceptedPerSecond.threeAgents)],
        [`delivery → deploy start, idle fleet of 3: p50`, `${results.deliveryToDeployStartMs.p50} ms`],
        [`delivery → deploy start, idle fleet of 3: p99 (of ${LATENCY_SAMPLES})`, `${results.deliveryToDeployStartMs.p99} ms`],
      ]);
      console.log(`saved to ${saveResults('fleet', results)}`);
    } finally {
      await Promise.all(fleets.map((f) => f.stop()));
      await postgres.stop();
    }
  },
};

export default bench;
