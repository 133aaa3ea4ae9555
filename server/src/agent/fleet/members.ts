import { hostname } from 'node:os';
import type { Database } from '../../db/pool';
import { BOSS_SCHEMA, type JobQueue } from './jobQueue';
import type { Work } from '../work';

/**
 * Membership of the fleet: each agent proves it is alive every third of the lease; an agent silent for a whole
 * lease (killed, frozen, cut off) loses its running jobs, which go back to the queue for another agent.
 */
export class Members {
  readonly id = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly queue: JobQueue,
    private readonly leaseSeconds: number,
    private readonly log: (line: string) => void,
  ) {}

  async join(environment: string | undefined): Promise<void> {
    await this.db.pool.query(
      `INSERT INTO hangar.agent_members (id, host, pid, environment) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET seen_at = now()`,
      [this.id, hostname(), process.pid, environment ?? null],
    );
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((error: Error) => this.log(`fleet heartbeat failed: ${this.db.scrub(error.message)}`))
        .finally(() => (this.beating = undefined));
    }, (this.leaseSeconds * 1000) / 3);
  }

  /** Leaves the fleet (graceful stop, after the running jobs have finished). */
  async leave(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
    await this.db.pool.query('DELETE FROM hangar.agent_members WHERE id = $1', [this.id]);
  }

  private async beat(): Promise<void> {
    const { rowCount } = await this.db.pool.query('UPDATE hangar.agent_members SET seen_at = now() WHERE id = $1', [this.id]);
    if (!rowCount) {
      this.log(`this agent was silent for more than ${this.leaseSeconds} s: the fleet handed its running jobs to other agents; rejoining`);
      await this.db.pool.query('INSERT INTO hangar.agent_members (id, host, pid) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING', [this.id, hostname(), process.pid]);
    }
    await this.takeOverJobsOfSilentAgents();
    await this.db.pool.query(`DELETE FROM hangar.agent_deliveries WHERE received_at < now() - interval '7 days'`);
  }

  /** Fails (for a retry elsewhere) every job run by an agent silent for a whole lease; one agent does each. */
  private async takeOverJobsOfSilentAgents(): Promise<void> {
    const taken = await this.db.transaction(async (client) => {
      const { rows: silent } = await client.query<{ id: string }>(
        `DELETE FROM hangar.agent_members WHERE seen_at < now() - make_interval(secs => $1) RETURNING id`,
        [this.leaseSeconds],
      );
      const { rows } = await client.query<{ job_id: string; queue: string; repository: string; agent_id: string; work: Work }>(
        `DELETE FROM hangar.agent_runs r
         WHERE r.agent_id = ANY($1::text[]) OR NOT EXISTS (SELECT 1 FROM hangar.agent_members m WHERE m.id = r.agent_id)
         RETURNING r.job_id, r.queue, r.repository, r.agent_id,
           (SELECT data FROM ${BOSS_SCHEMA}.job j WHERE j.name = r.queue AND j.id = r.job_id) AS work`,
        [silent.map((s) => s.id)],
      );
      for (const run of rows) {
        if (!run.work) continue;
        await this.queue.fail(client, { id: run.job_id, queue: run.queue, work: run.work }, `agent ${run.agent_id} stopped answering for ${this.leaseSeconds} s`, true);
      }
      return rows;
    });
    for (const run of taken) this.log(`[${run.repository}] agent ${run.agent_id} stopped answering: its job goes back to the queue`);
  }
}
