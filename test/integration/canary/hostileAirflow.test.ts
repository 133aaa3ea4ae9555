import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { freePort, waitFor } from '../../support/airflow';
import { runHangar, shippedCli, type CliRun } from '../../support/cli';
import { DagRepo, dagSource, scratch, writeTeamConfig } from '../deploy/fixtures';

/** OSC 52 writes the terminal's clipboard, OSC 0 its title, CSI 2J clears the screen. */
const CLIPBOARD = '\u001b]52;c;cm0gLXJmIH4K\u0007';
const TITLE = '\u001b]0;owned\u0007';
const CLEAR = '\u001b[2J\u001b[H';
const HOSTILE_TASK = `load${CLIPBOARD}`;
const HOSTILE_RUN = `manual__${TITLE}${CLEAR}`;
/** A canary DAG id whose line break would forge a line of the agent's log. */
const HOSTILE_CANARY_ID = `orders__canary\n2026-01-01T00:00:00.000Z [team] deployed v99 by admin${CLEAR}`;
/** Task ids Airflow allows that are also names on Object.prototype. */
const PROTOTYPE_TASKS = ['toString', 'constructor', '__proto__'];

/**
 * A hostile "Airflow" on 127.0.0.1 (the attacker: a real Airflow never sends these): its run ids, task ids and states
 * carry terminal escape sequences, and the live DAG has tasks named like Object.prototype's members.
 */
function hostileAirflow() {
  const run = (dagId: string) => ({ dag_run_id: HOSTILE_RUN, dag_id: dagId, run_after: new Date().toISOString(), duration: 3, state: 'success', run_type: 'manual' });
  const instance = (task: string) => ({ task_id: task, dag_run_id: HOSTILE_RUN, map_index: -1, state: 'success', duration: 1, try_number: 1 });
  return createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://airflow');
    const json = (value: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const dag = /^\/api\/v2\/dags\/([^/]+)/.exec(url.pathname)?.[1];
    request.resume();
    request.on('end', () => {
      if (url.pathname === '/api/v2/version') return json({ version: '3.3.2' });
      if (!dag) return json({});
      const canary = decodeURIComponent(dag).endsWith('__canary');
      if (url.pathname.endsWith('/taskInstances')) return json({ task_instances: [instance(HOSTILE_TASK), ...(canary ? [] : PROTOTYPE_TASKS.map(instance))] });
      if (url.pathname.endsWith('/dagRuns') && request.method === 'POST') return json(run(decodeURIComponent(dag)));
      if (url.pathname.endsWith('/dagRuns')) return json({ dag_runs: [run(decodeURIComponent(dag))] });
      // The canary is paused: the next tick unpauses it, naming the DAG by the id Airflow answered.
      return json(canary ? { dag_id: HOSTILE_CANARY_ID, is_paused: true, timetable_summary: null } : { dag_id: decodeURIComponent(dag), is_paused: false, timetable_summary: null });
    });
  });
}

/** Every control character but the line break: what must never reach a terminal from Airflow's answers. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/;

describe("Airflow's answers never reach the terminal raw: hangar canary status | trigger (shipped CLI, hostile Airflow on 127.0.0.1)", () => {
  const airflow = hostileAirflow();
  let hangar: (...args: string[]) => Promise<CliRun>;
  let root: string;

  before(async () => {
    await new Promise<void>((resolve) => airflow.listen(0, '127.0.0.1', resolve));
    root = scratch('canary-hostile-airflow');
    const commit = new DagRepo(root, 'team').commit({ 'orders.py': dagSource('orders', 'one') });
    mkdirSync(path.join(root, 'prod-dags'));
    writeTeamConfig(root, ['  - name: prod', '    target: { kind: folder, path: prod-dags }', `    airflow: { url: "http://127.0.0.1:${(airflow.address() as AddressInfo).port}", version: 3 }`]);
    hangar = (...args) => runHangar(args, { cwd: root, env: { HANGAR_USER: 'ci-bot', HANGAR_AIRFLOW_TOKEN: 'token-of-the-test' } });
    const deployed = await hangar('deploy', '--env', 'prod', '--no-verify');
    assert.equal(deployed.code, 0, deployed.stderr);
    // The history a shadow canary of `orders` leaves after `hangar canary start` (which needs a real Airflow's parse).
    const file = path.join(root, 'prod-dags', '.hangar', 'history.json');
    const records = JSON.parse(readFileSync(file, 'utf8')) as HistoryRecord[];
    const live = records.at(-1)!;
    const repository = live.repositories[0]!;
    records[records.length - 1] = {
      ...live,
      repositories: [{ ...repository, composition: { base: commit, files: [{ path: 'orders__canary.py', from: commit, canary: { dagId: 'orders', source: 'orders.py' } }] } }],
      canary: {
        event: 'start',
        dagId: 'orders',
        canaryDagId: 'orders__canary',
        file: 'team/orders__canary.py',
        repository: 'team',
        candidate: { ref: 'main', commit },
        settings: { share: 50, runs: 1000, until: 'canary.success_rate >= live.success_rate', shadow: true },
        livePaused: false,
      },
    };
    writeFileSync(file, JSON.stringify(records));
  });
  after(() => airflow.close());

  test('status shows hostile task and run ids escaped, and tasks named toString, constructor or __proto__ as tasks', async () => {
    const run = await hangar('canary', 'status', '--env', 'prod', '--dag', 'orders');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, CONTROL, run.stdout);
    assert.ok(run.stdout.includes('task load\\u001b]52;c;cm0gLXJmIH4K\\u0007'), run.stdout);
    for (const task of PROTOTYPE_TASKS) assert.match(run.stdout, new RegExp(`task ${task} +p50 1\\.00 s · p95 1\\.00 s +–`), run.stdout);
  });

  test('trigger prints the run id Airflow answered escaped', async () => {
    const run = await hangar('canary', 'trigger', '--env', 'prod', '--dag', 'orders');
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, CONTROL, run.stdout);
    assert.match(run.stdout, /triggered orders__canary: manual__\\u001b\]0;owned\\u0007\\u001b\[2J/);
  });

  test("hangar serve --env logs the canary tick one line per event: Airflow's DAG id forges no line and sends no escape", async () => {
    const agent = spawn(process.execPath, [shippedCli(), 'serve', '--env', 'prod', '--port', String(await freePort()), '--canary-tick', '1', '--state', path.join(root, 'agent-state')], {
      cwd: root,
      env: { ...process.env, HANGAR_USER: 'ci-bot', HANGAR_AIRFLOW_TOKEN: 'token-of-the-test', HANGAR_HOOK_TOKEN: 'hostile-airflow-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    agent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    agent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await waitFor('the agent to log the canary tick', () => (/\[canary\] orders: unpause/.test(output) ? true : undefined), 60_000, 200).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${output}`)));
      assert.doesNotMatch(output, CONTROL, output);
      assert.doesNotMatch(output, /^\S+ \[team\] deployed v99/m, 'no forged line');
      assert.match(output, /\[canary\] orders: unpause orders__canary\\n2026-01-01T00:00:00\.000Z \[team\] deployed v99 by admin\\u001b\[2J/);
    } finally {
      agent.kill('SIGTERM');
      await waitFor('the agent to exit', () => (agent.exitCode !== null || agent.signalCode !== null ? true : undefined), 30_000, 200);
    }
  });
});
