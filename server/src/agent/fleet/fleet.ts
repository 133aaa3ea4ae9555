import type { PoolClient } from 'pg';
import { migrate } from '../../db/migrate';
import type { Database } from '../../db/pool';
import type { HistoryRecord } from '../../deploy/types';
import type { Metrics } from '../metrics';
import type { Intake, Receipt, ReviewEvent, Work } from '../work';
import { fleetGauges, readFleetStatus, type FleetStatus } from './fleetStatus';
import { JobQueue, queueNames, WAKE_CHANNEL, type ClaimedJob, type RetryPolicy } from './jobQueue';
import { Members } from './members';
import { AGENT_MIGRATIONS } from './schema';

/** What the fleet asks of the deploy: a fleet-wide lock per environment and the record of deployed commits. */
export interface DeployGuard {
  /** Runs `work` while no other agent deploys to `environment`. */
  exclusive<T>(environment: string, work: () => Promise<T>): Promise<T>;
  /** Whether the fleet has put `commit` of `repository` live on `environment` before. */
  deployedBefore(environment: string, repository: string, commit: string): Promise<boolean>;
}

/** The agent's side of a job: the same work as in one process. */
export interface FleetRunner {
  readonly metrics: Metrics;
  /** Syncs and deploys; resolves with the version the environment serves when it serves this repository's head. */
  runSync(repository: string, guard: DeployGuard): Promise<HistoryRecord | undefined>;
  runReview(repository: string, event: ReviewEvent): Promise<void>;
  reportFailure(repository: string, error: unknown, attempt: number, willRetry: boolean): void;
}

export interface FleetOptions {
  readonly database: Database;
  readonly environment?: string;
  /** Jobs this agent runs at once. */
  readonly slots: number;
  /** An agent silent this long loses its running jobs to the others. */
  readonly leaseSeconds: number;
  readonly retry: RetryPolicy;
  readonly log: (line: string) => void;
}

/** Between polls; a queued job wakes every agent at once through NOTIFY, the poll catches retries coming due. */
const POLL_MS = 1000;
const UNIQUE_VIOLATION = '23505';

/**
 * `hangar serve` as one agent of a fleet on PostgreSQL: deliveries and their jobs are written in the request's
 * transaction, any agent claims the work, one job per repository runs at a time across the fleet, and each commit is
 * recorded once it is live so no agent deploys it twice.
 */
export class Fleet implements Intake, DeployGuard {
  private readonly running = new Set<Promise<void>>();
  private stopping = false;
  private wakeUp: (() => void) | undefined;
  private loop: Promise<void> = Promise.resolve();
  private listener: PoolClient | undefined;

  private constructor(
    private readonly runner: FleetRunner,
    private readonly options: FleetOptions,
    private readonly queue: JobQueue,
    private readonly members: Members,
  ) {
    runner.metrics.define('hangar_agent_jobs_total', 'Jobs this agent finished, by queue and result (completed, failed, retrying, taken_over).');
  }

  /** Migrates the schema (once per fleet, under a lock), starts the queue, joins the fleet and starts taking jobs. */
  static async start(runner: FleetRunner, options: FleetOptions): Promise<Fleet> {
    const applied = await migrate(options.database.settings, 'agent', AGENT_MIGRATIONS, options.log);
    if (applied.length) options.log(`database schema: applied ${applied.join(', ')}`);
    const queue = await JobQueue.start(options.database.pool, queueNames(options.environment), options.retry, options.log);
    const members = new Members(options.database, queue, options.leaseSeconds, options.log);
    await members.join(options.environment);
    const fleet = new Fleet(runner, options, queue, members);
    await fleet.listen();
    fleet.loop = fleet.work();
    return fleet;
  }

  get id(): string {
    return this.members.id;
  }

  async receive(key: string, work: Work | undefined): Promise<Receipt> {
    return this.options.database.transaction(async (client) => {
      const fresh = await client.query(
        `INSERT INTO hangar.agent_deliveries AS d (key) VALUES ($1)
         ON CONFLICT (key) DO UPDATE SET received_at = now() WHERE d.received_at < now() - interval '7 days'
         RETURNING received_at`,
        [key],
      );
      if (!fresh.rowCount) {
        const { rows } = await client.query<{ received_at: Date }>('SELECT received_at FROM hangar.agent_deliveries WHERE key = $1', [key]);
        return { duplicateOf: rows[0]!.received_at };
      }
      if (work) await this.queue.send(client, work);
      return {};
    });
  }

  async deployedBefore(environment: string, repository: string, commit: string): Promise<boolean> {
    const { rowCount } = await this.options.database.pool.query(
      'SELECT 1 FROM hangar.agent_deployed WHERE environment = $1 AND repository = $2 AND commit_sha = $3',
      [environment, repository, commit],
    );
    return Boolean(rowCount);
  }

  /** A session advisory lock: released by PostgreSQL itself when the holder's connection dies with its process. */
  async exclusive<T>(environment: string, work: () => Promise<T>): Promise<T> {
    const client = await this.options.database.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`hangar-deploy:${environment}`]);
      try {
        return await work();
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`hangar-deploy:${environment}`]).catch((error: Error) => (broken = error));
      }
    } finally {
      client.release(broken);
    }
  }

  async status(): Promise<FleetStatus> {
    return readFleetStatus(this.options.database.pool, this.id, this.queue.names, this.options.environment);
  }

  async gauges() {
    return fleetGauges(await this.status());
  }

  /** Resolves once no job waits or runs anywhere in the fleet (tests, benchmarks). */
  async idle(): Promise<void> {
    for (;;) {
      const { queues } = await this.status();
      if (Object.values(queues).every((q) => q.waiting === 0 && q.running === 0)) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Takes no more jobs, lets the running ones finish, leaves the fleet and closes the database. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeUp?.();
    await this.loop;
    await Promise.all([...this.running]);
    await this.members.leave().catch(() => undefined);
    this.listener?.release();
    await this.queue.stop();
    await this.options.database.close();
  }

  private async listen(): Promise<void> {
    const client = await this.options.database.pool.connect();
    client.on('notification', () => this.wakeUp?.());
    client.on('error', (error) => {
      this.options.log(`lost the job notifications (${this.options.database.scrub(error.message)}); polling until they are back`);
      client.release(error);
      if (this.listener === client) this.listener = undefined;
      if (!this.stopping) setTimeout(() => void this.listen().catch(() => undefined), POLL_MS);
    });
    await client.query(`LISTEN ${WAKE_CHANNEL}`);
    this.listener = client;
  }

  private async work(): Promise<void> {
    while (!this.stopping) {
      while (this.running.size < this.options.slots && !this.stopping) {
        const job = await this.claim();
        if (job === 'raced') continue;
        if (!job) break;
        const run = this.run(job).finally(() => {
          this.running.delete(run);
          this.wakeUp?.();
        });
        this.running.add(run);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, POLL_MS);
        this.wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  private async claim(): Promise<ClaimedJob | 'raced' | undefined> {
    try {
      return await this.options.database.transaction(async (client) => {
        const job = await this.queue.claim(client);
        if (job) {
          await client.query(
            `INSERT INTO hangar.agent_runs (job_id, queue, repository, agent_id) VALUES ($1, $2, $3, $4)
             ON CONFLICT (job_id) DO UPDATE SET agent_id = excluded.agent_id, started_at = now()`,
            [job.id, job.queue, job.work.repository, this.id],
          );
        }
        return job;
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) return 'raced';
      this.options.log(`could not take a job: ${this.options.database.scrub((error as Error).message)}`);
      return undefined;
    }
  }

  private async run(job: ClaimedJob): Promise<void> {
    const { work } = job;
    try {
      const serving = work.kind === 'sync' ? await this.runner.runSync(work.repository, this) : await this.runner.runReview(work.repository, work.event);
      await this.finish(job, (client) => (serving ? this.recordDeployed(client, serving) : Promise.resolve()), 'completed');
    } catch (error) {
      const willRetry = job.attempt < job.attempts;
      this.runner.reportFailure(work.repository, error, job.attempt, willRetry);
      const reason = this.options.database.scrub(error instanceof Error ? error.message : String(error));
      await this.finish(job, (client) => this.queue.fail(client, job, reason, false), willRetry ? 'retrying' : 'failed', true).catch((failure: Error) =>
        this.options.log(`[${work.repository}] could not record the failure: ${this.options.database.scrub(failure.message)}`),
      );
    }
  }

  /**
   * Ends this agent's run of `job` in one transaction: `then` (record deployed commits, or fail) and pg-boss's
   * completion. When the run is no longer ours (the fleet took it over after a silence), nothing is recorded.
   */
  private async finish(job: ClaimedJob, then: (client: PoolClient) => Promise<void>, result: string, failed = false): Promise<void> {
    const ours = await this.options.database.transaction(async (client) => {
      const { rowCount } = await client.query('DELETE FROM hangar.agent_runs WHERE job_id = $1 AND agent_id = $2', [job.id, this.id]);
      if (!rowCount) return false;
      await then(client);
      if (!failed) await this.queue.complete(client, job, {});
      return true;
    });
    if (!ours) this.options.log(`[${job.work.repository}] another agent took this job over while it ran; its result is not recorded`);
    this.runner.metrics.increment('hangar_agent_jobs_total', { queue: job.queue, result: ours ? result : 'taken_over' });
  }

  /** Every commit the environment now serves, once (the unique key makes a second record of a commit a no-op). */
  private async recordDeployed(client: PoolClient, serving: HistoryRecord): Promise<void> {
    for (const repository of serving.repositories) {
      await client.query(
        `INSERT INTO hangar.agent_deployed (environment, repository, commit_sha, version, agent_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
        [serving.environment, repository.name, repository.commit, serving.version, this.id],
      );
    }
  }
}
