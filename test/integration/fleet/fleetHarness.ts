import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { waitFor } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { createRemote, tempDir, type TestRemote } from '../../support/gitRepos';
import type { RunningPostgres } from '../../support/postgres';
import { githubPush, post, serveAgent, sign, type ServedAgent } from '../agent/agentHarness';

export const WEBHOOK_SECRET = 'fleet-webhook-secret';

export interface RunningFleet {
  readonly agents: ServedAgent[];
  readonly remote: TestRemote;
  readonly dagsFolder: string;
  /** `hangar serve` arguments of agent `i` (to start it again). */
  args(i: number): string[];
  /** The environment of every agent (the database, the webhook secret). */
  readonly env: Record<string, string>;
  history(): HistoryRecord[];
  stop(): Promise<void>;
}

/**
 * `count` real `hangar serve` processes on one PostgreSQL database, deploying one repository to one shared
 * folder target. Each agent has its own workspace (configuration copy, clones, `--state`), as agents on
 * different hosts would; the DAGs folder is the shared storage.
 */
export async function startFleet(options: { count: number; database: string; postgres: RunningPostgres; files: Record<string, string>; lease?: number }): Promise<RunningFleet> {
  const root = tempDir('fleet');
  const remote = createRemote(path.join(root, 'remotes'), 'orders', options.files);
  const dagsFolder = path.join(root, 'airflow-dags');
  mkdirSync(dagsFolder);
  const config = [
    'repositories:',
    '  - name: orders',
    `    url: file://${remote.bare}`,
    '    branch: main',
    '    namespace: orders',
    '    dags_path: dags',
    'environments:',
    '  - name: prod',
    `    target: { kind: folder, path: ${dagsFolder}, keep_releases: 3 }`,
  ].join('\n');
  const args = (i: number): string[] => {
    const workspace = path.join(root, `agent-${i}`);
    mkdirSync(workspace, { recursive: true });
    writeFileSync(path.join(workspace, 'airflow-repos.yaml'), `${config}\n`);
    return ['--config', path.join(workspace, 'airflow-repos.yaml'), '--env', 'prod', '--state', path.join(workspace, 'state'), '--lease', String(options.lease ?? 3)];
  };
  const env = { HANGAR_GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, HANGAR_DATABASE_URL: options.postgres.url(options.database) };
  const started = await Promise.allSettled(Array.from({ length: options.count }, (_, i) => serveAgent(shippedCli(), args(i), env)));
  const agents = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) {
    // The agents that did start would keep the test process alive: stop them before reporting.
    await Promise.all(agents.map((a) => a.stop('SIGKILL')));
    throw failed.reason;
  }
  return {
    agents,
    remote,
    dagsFolder,
    args,
    env,
    history: () => {
      try {
        return JSON.parse(readFileSync(path.join(dagsFolder, '.hangar', 'history.json'), 'utf8')) as HistoryRecord[];
      } catch {
        return [];
      }
    },
    async stop() {
      await Promise.all(agents.map((a) => a.stop('SIGTERM')));
    },
  };
}

/** A signed GitHub push of `commit`; `variant` makes the body (and so the delivery) distinct. */
export function pushTo(agent: ServedAgent, remote: TestRemote, commit: string, variant: number, deliveryId: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const body = githubPush(remote, commit, variant);
  return post(`${agent.url}/webhooks/github`, body, { 'x-github-event': 'push', 'x-github-delivery': deliveryId, 'x-hub-signature-256': sign(body, WEBHOOK_SECRET) });
}

interface FleetView {
  queues: Record<string, { waiting: number; running: number }>;
  repositories: Record<string, { deployed?: { commit: string; by: string } }>;
  agents: Array<{ id: string }>;
}

export async function fleetStatus(agent: ServedAgent): Promise<FleetView> {
  return ((await (await fetch(`${agent.url}/status`)).json()) as { fleet: FleetView }).fleet;
}

/** Waits until no job waits or runs anywhere in the fleet. */
export function fleetIdle(agent: ServedAgent, timeoutMs = 60_000): Promise<boolean> {
  return waitFor('the fleet to be idle', async () => Object.values((await fleetStatus(agent)).queues).every((q) => q.waiting === 0 && q.running === 0), timeoutMs, 100);
}

/** Rows of a query on the fleet's database. */
export async function query<T>(postgres: RunningPostgres, database: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: postgres.url(database) });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

/** Versions of the history in which `repository`'s commit changed from the version before. */
export function changes(history: readonly HistoryRecord[], repository = 'orders'): HistoryRecord[] {
  const commitOf = (record: HistoryRecord | undefined) => record?.repositories.find((r) => r.name === repository)?.commit;
  return history.filter((record, i) => commitOf(record) !== commitOf(history[i - 1]));
}
