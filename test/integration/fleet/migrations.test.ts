import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { prerequisite } from '../../support/airflow';
import { runHangar, shippedCli } from '../../support/cli';
import { dagSource } from '../../support/gitRepos';
import { postgresOrSkip, type RunningPostgres } from '../../support/postgres';
import { startFleet, query } from './fleetHarness';

let postgres: RunningPostgres | undefined;
before(async () => {
  postgres = await postgresOrSkip();
});
after(() => postgres?.stop());

test('three agents starting at once on an empty database: one schema, every agent up, no error', async (t) => {
  if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
  const database = await postgres.createDatabase('fresh');
  const fleet = await startFleet({ count: 3, database, postgres, files: { 'dags/orders_dag.py': dagSource('orders_dag') } });
  try {
    const applied = fleet.agents.map((a) => /database schema: applied (.+)/.exec(a.output())?.[1]).filter(Boolean);
    assert.deepEqual(applied, ['0001_agent_fleet'], `exactly one agent applied the migration: ${JSON.stringify(fleet.agents.map((a) => a.output()))}`);
    for (const agent of fleet.agents) assert.doesNotMatch(agent.output(), /error|failed/i);
    const migrations = await query<{ name: string }>(postgres, database, 'SELECT name FROM hangar.agent_migrations');
    assert.deepEqual(migrations.map((m) => m.name), ['0001_agent_fleet']);
    const queues = await query<{ name: string; policy: string }>(postgres, database, 'SELECT name, policy FROM pgboss.queue ORDER BY name');
    assert.deepEqual(queues, [
      { name: 'hangar-deploy-prod', policy: 'stately' },
      { name: 'hangar-review', policy: 'standard' },
    ]);
  } finally {
    await fleet.stop();
  }
});

test('a wrong password or a malformed URL stops hangar serve at start with a clear message and no secret in it', async (t) => {
  if (!prerequisite(t, postgres, 'PostgreSQL is not installed')) return;
  shippedCli();
  const wrong = `postgresql://${postgres.user}:not-the-password-${Date.now()}@127.0.0.1:${postgres.port}/${postgres.database}`;
  const env = { HANGAR_GITHUB_WEBHOOK_SECRET: 'x', HANGAR_DATABASE_URL: wrong };
  const refused = await runHangar(['serve', '--port', '0', '--config', 'examples/airflow-repos.yaml'], { env, timeoutMs: 60_000 });
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/hangar: password authentication failed/);
  assert.ok(!`${refused.stdout}${refused.stderr}`.includes('not-the-password'), 'the password appeared in the output');

  const malformed = await runHangar(['serve', '--port', '0'], { env: { ...env, HANGAR_DATABASE_URL: 'mysql://u:secret-pw@host/db' }, timeoutMs: 60_000 });
  assert.notEqual(malformed.code, 0);
  assert.match(malformed.stderr, /HANGAR_DATABASE_URL must start with postgresql:\/\//);
  assert.ok(!malformed.stderr.includes('secret-pw'));

  // The PG* variables alone select the database too (pg reads PGPASSWORD itself).
  const fromVariables = await runHangar(['serve', '--port', '0'], { env: { HANGAR_GITHUB_WEBHOOK_SECRET: 'x', ...postgres.env(), PGPASSWORD: 'also-wrong-pw' }, timeoutMs: 60_000 });
  assert.notEqual(fromVariables.code, 0);
  assert.match(fromVariables.stderr, /cannot reach PostgreSQL at 127\.0\.0\.1:\d+\/hangar/);
  assert.ok(!fromVariables.stderr.includes('also-wrong-pw'));
});
