import type { Migration } from '../../db/migrate';

/**
 * The agent's own tables (schema `hangar`); the job queue itself is pg-boss's (schema `pgboss`). Append new
 * migrations at the end; never edit one that has shipped.
 */
export const AGENT_MIGRATIONS: readonly Migration[] = [
  {
    name: '0001_agent_fleet',
    up: `
      -- Keys (digests) of authenticated deliveries, kept 7 days: a replay to any agent is a duplicate.
      CREATE TABLE hangar.agent_deliveries (
        key text PRIMARY KEY,
        received_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX agent_deliveries_received_at ON hangar.agent_deliveries (received_at);

      -- Agents of the fleet and when each last proved it is alive.
      CREATE TABLE hangar.agent_members (
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        environment text,
        started_at timestamptz NOT NULL DEFAULT now(),
        seen_at timestamptz NOT NULL DEFAULT now()
      );

      -- Which agent runs which job: a job whose agent stops answering is handed back to the queue.
      CREATE TABLE hangar.agent_runs (
        job_id uuid PRIMARY KEY,
        queue text NOT NULL,
        repository text NOT NULL,
        agent_id text NOT NULL,
        started_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX agent_runs_agent ON hangar.agent_runs (agent_id);

      -- Every commit the fleet has put live, once per environment.
      CREATE TABLE hangar.agent_deployed (
        environment text NOT NULL,
        repository text NOT NULL,
        commit_sha text NOT NULL,
        version integer NOT NULL,
        agent_id text NOT NULL,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (environment, repository, commit_sha)
      );
    `,
  },
];
