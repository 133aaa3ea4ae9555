import type PgBoss from 'pg-boss';
import type { Pool, PoolClient } from 'pg';
import type { Work } from '../work';

/** pg-boss keeps its tables in this schema; `claim` and the fleet status read its job table. */
export const BOSS_SCHEMA = 'pgboss';
/** NOTIFY channel: a queued job wakes every agent at once instead of at its next poll. */
export const WAKE_CHANNEL = 'hangar_agent_jobs';

export interface QueueNames {
  /** Syncs (and deploys, with an environment): one waiting and one running job per repository (pg-boss `stately`). */
  readonly sync: string;
  /** Pull/merge request checks: independent jobs. */
  readonly review: string;
}

/** Agents that deploy to one environment share its queue; agents without `--env` share the sync-only queue. */
export function queueNames(environment: string | undefined): QueueNames {
  return { sync: environment ? `hangar-deploy-${environment}` : 'hangar-sync', review: 'hangar-review' };
}

export interface RetryPolicy {
  /** Attempts of one job, the first included. */
  readonly attempts: number;
  readonly backoffMs: number;
  /** A run still active after this long is failed by pg-boss's maintenance (and retried), heartbeat or not. */
  readonly expireSeconds: number;
}

export interface ClaimedJob {
  readonly id: string;
  readonly queue: string;
  readonly work: Work;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly attempts: number;
}

type Executor = Pick<PoolClient, 'query'> | Pool;
const executor = (on: Executor): PgBoss.Db => ({ executeSql: (text, values) => on.query(text, values) });

/**
 * The claim: the oldest waiting job of `queues` whose repository has no job running. pg-boss 10's own fetch takes
 * the oldest waiting job even when its repository is busy, then fails on the `stately` unique index and returns
 * nothing: every other repository would wait behind the busy one. The index still guarantees one running job per
 * repository: two claims racing for one repository end in a unique violation for the later one.
 */
const CLAIM = `
  WITH next AS (
    SELECT j.name, j.id FROM ${BOSS_SCHEMA}.job j
    WHERE j.name = ANY($1::text[]) AND j.state < 'active' AND j.start_after < now()
      AND NOT EXISTS (
        SELECT 1 FROM ${BOSS_SCHEMA}.job a
        WHERE a.name = j.name AND a.state = 'active' AND a.singleton_key = j.singleton_key
      )
    ORDER BY j.priority DESC, j.created_on, j.id
    LIMIT 1
    FOR UPDATE SKIP LOCKED
  )
  UPDATE ${BOSS_SCHEMA}.job j SET
    state = 'active',
    started_on = now(),
    retry_count = CASE WHEN j.started_on IS NOT NULL THEN j.retry_count + 1 ELSE j.retry_count END
  FROM next WHERE j.name = next.name AND j.id = next.id
  RETURNING j.id, j.name, j.data, j.retry_count, j.retry_limit`;

/** Hangar's work on pg-boss: queues made at start, jobs sent and finished inside the caller's transactions. */
export class JobQueue {
  private constructor(
    private readonly boss: PgBoss,
    readonly names: QueueNames,
  ) {}

  /** Starts pg-boss on `pool` (it creates or migrates its schema under its own advisory lock) and makes the queues. */
  static async start(pool: Pool, names: QueueNames, retry: RetryPolicy, log: (line: string) => void): Promise<JobQueue> {
    const { default: Boss } = await import('pg-boss');
    const boss = new Boss({
      db: executor(pool),
      schema: BOSS_SCHEMA,
      schedule: false,
      maintenanceIntervalSeconds: 30,
      archiveCompletedAfterSeconds: 3600,
      archiveFailedAfterSeconds: 7 * 24 * 3600,
    });
    boss.on('error', (error: Error) => log(`job queue: ${error.message}`));
    await boss.start();
    const options = {
      retryLimit: Math.max(0, retry.attempts - 1),
      retryDelay: Math.max(1, Math.round(retry.backoffMs / 1000)),
      retryBackoff: true,
      expireInSeconds: retry.expireSeconds,
    };
    for (const [name, policy] of [[names.sync, 'stately'], [names.review, 'standard']] as const) {
      await boss.createQueue(name, { name, policy, ...options });
      await boss.updateQueue(name, { name, policy, ...options });
    }
    return new JobQueue(boss, names);
  }

  /**
   * Queues `work` in the caller's transaction and wakes the agents when it commits. A sync is absorbed (null) when
   * its repository already has a waiting job: that job syncs the newest commit.
   */
  async send(client: PoolClient, work: Work): Promise<string | null> {
    const queue = work.kind === 'sync' ? this.names.sync : this.names.review;
    const id = await this.boss.send(queue, work, { ...(work.kind === 'sync' ? { singletonKey: work.repository } : {}), db: executor(client) });
    if (id) await client.query('SELECT pg_notify($1, $2)', [WAKE_CHANNEL, queue]);
    return id;
  }

  /** Takes the next job this agent may run, or undefined; throws a unique violation (23505) when another agent won the race. */
  async claim(client: PoolClient): Promise<ClaimedJob | undefined> {
    const { rows } = await client.query<{ id: string; name: string; data: Work; retry_count: number; retry_limit: number }>(CLAIM, [[this.names.sync, this.names.review]]);
    const row = rows[0];
    return row && { id: row.id, queue: row.name, work: row.data, attempt: row.retry_count + 1, attempts: row.retry_limit + 1 };
  }

  complete(client: PoolClient, job: { id: string; queue: string }, output: object): Promise<void> {
    return this.boss.complete(job.queue, job.id, output, { db: executor(client) });
  }

  /**
   * Fails the job in pg-boss (retried with backoff while attempts remain). When that leaves it failed for good but
   * its work must not be lost (`requeue`), a new job takes its place.
   */
  async fail(client: PoolClient, job: { id: string; queue: string; work: Work }, reason: string, requeue: boolean): Promise<void> {
    await this.boss.fail(job.queue, job.id, { message: reason }, { db: executor(client) });
    if (!requeue) return;
    const after = await this.boss.getJobById(job.queue, job.id, { db: executor(client), includeArchive: false });
    if (after?.state === 'failed') await this.send(client, job.work);
  }

  stop(): Promise<void> {
    return this.boss.stop({ graceful: false, close: false, wait: true });
  }
}
