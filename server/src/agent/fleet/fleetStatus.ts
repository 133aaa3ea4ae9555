import type { Pool } from 'pg';
import type { Gauge } from '../metrics';
import { BOSS_SCHEMA, type QueueNames } from './jobQueue';

export interface QueueLoad {
  waiting: number;
  retrying: number;
  running: number;
  /** Failed for good, kept 7 days. */
  failed: number;
  oldestWaitingSeconds: number;
}

export interface RepositoryLoad {
  waiting: number;
  running: number;
  runningOn: string[];
  deployed?: { commit: string; version: number; at: string; by: string };
}

/** What `/status` shows of the fleet, read from the database: the same on every agent. */
export interface FleetStatus {
  readonly agent: string;
  readonly agents: Array<{ id: string; host: string; pid: number; environment: string | null; seenAt: string; running: number }>;
  readonly queues: Record<string, QueueLoad>;
  readonly repositories: Record<string, RepositoryLoad>;
}

const emptyQueue = (): QueueLoad => ({ waiting: 0, retrying: 0, running: 0, failed: 0, oldestWaitingSeconds: 0 });

export async function readFleetStatus(pool: Pool, self: string, names: QueueNames, environment: string | undefined): Promise<FleetStatus> {
  const queueNames = [names.sync, names.review];
  const [jobs, agents, runs, deployed] = await Promise.all([
    pool.query<{ name: string; key: string | null; state: string; count: number; oldest: number }>(
      `SELECT name, singleton_key AS key, state::text AS state, count(*)::int AS count,
              COALESCE(EXTRACT(epoch FROM now() - min(created_on)), 0)::float AS oldest
       FROM ${BOSS_SCHEMA}.job WHERE name = ANY($1::text[]) AND state IN ('created', 'retry', 'active', 'failed')
       GROUP BY 1, 2, 3`,
      [queueNames],
    ),
    pool.query<{ id: string; host: string; pid: number; environment: string | null; seen_at: Date; running: number }>(
      `SELECT m.id, m.host, m.pid, m.environment, m.seen_at, count(r.job_id)::int AS running
       FROM hangar.agent_members m LEFT JOIN hangar.agent_runs r ON r.agent_id = m.id GROUP BY m.id ORDER BY m.started_at`,
    ),
    pool.query<{ repository: string; agent_id: string }>('SELECT repository, agent_id FROM hangar.agent_runs WHERE queue = $1', [names.sync]),
    pool.query<{ repository: string; commit_sha: string; version: number; deployed_at: Date; agent_id: string }>(
      `SELECT DISTINCT ON (repository) repository, commit_sha, version, deployed_at, agent_id
       FROM hangar.agent_deployed WHERE environment = $1 ORDER BY repository, version DESC, deployed_at DESC`,
      [environment ?? ''],
    ),
  ]);
  const queues: Record<string, QueueLoad> = Object.fromEntries(queueNames.map((n) => [n, emptyQueue()]));
  const repositories: Record<string, RepositoryLoad> = {};
  const repository = (name: string): RepositoryLoad => (repositories[name] ??= { waiting: 0, running: 0, runningOn: [] });
  for (const row of jobs.rows) {
    const queue = queues[row.name]!;
    if (row.state === 'created' || row.state === 'retry') {
      queue.waiting += row.count;
      queue.oldestWaitingSeconds = Math.max(queue.oldestWaitingSeconds, row.oldest);
      if (row.state === 'retry') queue.retrying += row.count;
      if (row.name === names.sync && row.key) repository(row.key).waiting += row.count;
    } else if (row.state === 'active') {
      queue.running += row.count;
      if (row.name === names.sync && row.key) repository(row.key).running += row.count;
    } else queue.failed += row.count;
  }
  for (const run of runs.rows) repository(run.repository).runningOn.push(run.agent_id);
  for (const row of deployed.rows) {
    repository(row.repository).deployed = { commit: row.commit_sha, version: row.version, at: row.deployed_at.toISOString(), by: row.agent_id };
  }
  return {
    agent: self,
    agents: agents.rows.map((a) => ({ id: a.id, host: a.host, pid: a.pid, environment: a.environment, seenAt: a.seen_at.toISOString(), running: a.running })),
    queues,
    repositories,
  };
}

/** The fleet's gauges for `/metrics` (every agent serves the same values; alert on one scrape, not the sum). */
export function fleetGauges(status: FleetStatus): Gauge[] {
  const perQueue = (pick: (q: QueueLoad) => number) => Object.entries(status.queues).map(([queue, load]): [Record<string, string>, number] => [{ queue }, pick(load)]);
  return [
    { name: 'hangar_fleet_queue_depth', help: 'Jobs waiting to run (new or waiting for a retry), by queue.', values: perQueue((q) => q.waiting) },
    { name: 'hangar_fleet_jobs_retrying', help: 'Jobs waiting for a retry after a failed attempt, by queue.', values: perQueue((q) => q.retrying) },
    { name: 'hangar_fleet_jobs_running', help: 'Jobs running on any agent, by queue.', values: perQueue((q) => q.running) },
    { name: 'hangar_fleet_jobs_failed', help: 'Jobs that failed every attempt in the last 7 days, by queue.', values: perQueue((q) => q.failed) },
    { name: 'hangar_fleet_oldest_waiting_seconds', help: 'Age of the oldest waiting job, by queue (0 when none waits).', values: perQueue((q) => q.oldestWaitingSeconds) },
    { name: 'hangar_fleet_agent_jobs_running', help: 'Jobs running, by agent.', values: status.agents.map((a): [Record<string, string>, number] => [{ agent: a.id }, a.running]) },
    { name: 'hangar_fleet_agents', help: 'Agents that answered within their lease.', values: [[{}, status.agents.length]] },
  ];
}
