import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DagRunInfo } from '../../../server/src/canary/airflowDags';
import type { CanaryStatus } from '../../../server/src/canary/service';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { airflowPythonOrSkip, freePort, prerequisite, startAirflow, waitFor, type RunningAirflow } from '../../support/airflow';
import { runHangar, shippedCli, type CliRun } from '../../support/cli';
import { DagRepo, scratch, writeTeamConfig } from '../deploy/fixtures';

/** A DAG of two Bash tasks; `load` exits with `loadExit`. */
function dag(dagId: string, schedule: string, loadExit = 0, description = 'one'): string {
  return [
    'import datetime',
    'from airflow.sdk import DAG',
    'from airflow.providers.standard.operators.bash import BashOperator',
    '',
    `with DAG(dag_id="${dagId}", description="${description}", schedule=${schedule}, start_date=datetime.datetime(2024, 1, 1), catchup=False, tags=["team"]):`,
    '    extract = BashOperator(task_id="extract", bash_command="echo extract")',
    `    load = BashOperator(task_id="load", bash_command="exit ${loadExit}", retries=0)`,
    '    extract >> load',
    '',
  ].join('\n');
}

const FINISHED = new Set(['success', 'failed']);

describe('canary rollouts against a real Airflow 3.3 (scheduler running), through the shipped CLI', () => {
  let airflow: RunningAirflow | undefined;
  let root: string;
  let repo: DagRepo;
  let hangar: (...args: string[]) => Promise<CliRun>;

  const history = async (): Promise<HistoryRecord[]> => JSON.parse((await hangar('history', '--env', 'dev', '--json')).stdout) as HistoryRecord[];
  const served = (file: string): string => readFileSync(path.join(airflow!.dagsFolder, 'team', file), 'utf8');
  const runs = async (dagId: string): Promise<DagRunInfo[]> => (await airflow!.get<{ dag_runs: DagRunInfo[] }>(`/api/v2/dags/${dagId}/dagRuns?limit=100`)).dag_runs;
  const pause = async (dagId: string, paused: boolean): Promise<void> => {
    const response = await airflow!.request('PATCH', `/api/v2/dags/${dagId}?update_mask=is_paused`, { is_paused: paused });
    assert.equal(response.status, 200, await response.text());
  };
  const trigger = async (dagId: string): Promise<void> => {
    const response = await airflow!.request('POST', `/api/v2/dags/${dagId}/dagRuns`, { logical_date: new Date().toISOString() });
    assert.equal(response.status, 200, await response.text());
  };
  const allFinished = (dagId: string, count: number) =>
    waitFor(`${count} finished run(s) of ${dagId}`, async () => {
      const list = await runs(dagId);
      return list.length >= count && list.every((r) => FINISHED.has(r.state)) && list;
    }, 240_000, 1000);
  const listed = (dagId: string) => waitFor(`Airflow to list ${dagId}`, async () => (await airflow!.dags()).some((d) => d.dag_id === dagId && !d.is_stale), 120_000, 500);
  const credentials = () => ({ HANGAR_AIRFLOW_USERNAME: airflow!.username, HANGAR_AIRFLOW_PASSWORD: airflow!.password });
  const ok = (run: CliRun, what: string): CliRun => {
    assert.equal(run.code, 0, `${what} failed:\n${run.stdout}\n${run.stderr}`);
    return run;
  };

  before(async (t) => {
    if (!(await airflowPythonOrSkip(t))) return;
    airflow = await startAirflow({ scheduler: true });
    root = scratch('canary');
    repo = new DagRepo(root, 'team');
    repo.commit({ 'orders.py': dag('orders', 'None'), 'billing.py': dag('billing', 'None'), 'ticks.py': dag('ticks', '"* * * * * */20"') }, 'v1');
    writeTeamConfig(root, ['  - name: dev', `    target: { kind: folder, path: ${JSON.stringify(airflow.dagsFolder)} }`, `    airflow: { url: ${airflow.baseUrl}, version: 3 }`]);
    hangar = (...args) => runHangar(args, { cwd: root, env: { HANGAR_USER: 'canary-bot', ...credentials() }, timeoutMs: 300_000 });
    ok(await hangar('deploy', '--env', 'dev', '--json'), 'the first deploy');
    for (const id of ['orders', 'billing', 'ticks']) await listed(id);
    // The DAGs run as in production: unpaused.
    for (const id of ['orders', 'billing']) await pause(id, false);
  });

  after(async () => {
    await airflow?.stop();
  });

  test('refusals exit non-zero, say why and change nothing', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const before = (await history()).length;
    const notServed = await hangar('canary', 'start', '--env', 'dev', '--dag', 'nope', '--ref', 'main');
    assert.equal(notServed.code, 2);
    assert.match(notServed.stderr, /"dev" does not serve a DAG "nope"/);
    const without = repo.commit({ 'orders.py': null }, 'no orders');
    const missing = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', without);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not define the DAG "orders"/);
    const broken = repo.commit({ 'orders.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders"\n' }, 'broken orders');
    const blocked = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', broken);
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /Validation blocks this deploy.*orders\.py: HGR001/s);
    const share = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', 'main', '--share', '100');
    assert.equal(share.code, 2);
    assert.match(share.stderr, /--share .* from 1 to 99/);
    const until = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', 'main', '--until', 'canary.p50 <= live.p50 * 2');
    assert.equal(until.code, 2);
    assert.match(until.stderr, /cannot be read at position 24: expected a metric, a number or an operator/);
    repo.commit({ 'orders.py': dag('orders', 'None') }, 'orders back');
    const noCanary = await hangar('canary', 'promote', '--env', 'dev', '--dag', 'billing');
    assert.equal(noCanary.code, 2);
    assert.match(noCanary.stderr, /No canary of "billing" is running on "dev"/);
    assert.equal((await history()).length, before, 'nothing was recorded');
    assert.equal(served('orders.py'), dag('orders', 'None'));
  });

  test('a candidate that fails a task is not promoted; a second canary is refused; abort removes the canary', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const liveOrders = served('orders.py');
    const candidate = repo.commit({ 'orders.py': dag('orders', 'None', 1, 'failing') }, 'orders fails');
    const started = ok(await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', candidate, '--runs', '2', '--json'), 'canary start');
    const record = JSON.parse(started.stdout) as HistoryRecord;
    assert.equal(record.canary?.event, 'start');
    assert.equal(record.verification?.status, 'verified', record.verification?.message);
    assert.equal(served('orders.py'), liveOrders, 'the live file is byte-identical');
    const canaryFile = served('orders__canary.py');
    assert.match(canaryFile, /dag_id="orders__canary"/);
    assert.match(canaryFile, /tags=\["team", "hangar-canary"\]/);
    const listedCanary = (await airflow.dags()).find((d) => d.dag_id === 'orders__canary');
    assert.deepEqual(listedCanary?.tags.map((tag) => tag.name).sort(), ['hangar-canary', 'team']);

    const second = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', candidate);
    assert.equal(second.code, 2);
    assert.match(second.stderr, /A canary of "orders" is already running on "dev"/);
    const whole = await hangar('deploy', '--env', 'dev');
    assert.equal(whole.code, 2);
    assert.match(whole.stderr, /A canary of orders is running on "dev".*promote\|abort/s);

    for (let i = 0; i < 2; i++) for (const id of ['orders', 'orders__canary']) await trigger(id);
    await Promise.all([allFinished('orders', 2), allFinished('orders__canary', 2)]);
    const tick = ok(await hangar('canary', 'tick', '--env', 'dev', '--json'), 'canary tick');
    const [result] = JSON.parse(tick.stdout) as { status: CanaryStatus; promoted?: HistoryRecord }[];
    assert.equal(result?.promoted, undefined, 'not promoted');
    assert.equal(result?.status.verdict, 'hold');
    assert.equal(result?.status.comparison.canary.successRate, 0);
    assert.equal(result?.status.comparison.live.successRate, 1);
    assert.equal(result?.status.comparison.canary.tasks.load?.failed, 2);
    const status = ok(await hangar('canary', 'status', '--env', 'dev'), 'canary status');
    assert.match(status.stdout, /success rate\s+100\.0 %\s+0\.0 %/);
    assert.match(status.stdout, /HOLD: The condition does not hold/);

    const aborted = JSON.parse(ok(await hangar('canary', 'abort', '--env', 'dev', '--dag', 'orders', '--reason', 'load fails', '--json'), 'canary abort').stdout) as HistoryRecord;
    assert.equal(aborted.canary?.event, 'abort');
    assert.equal(aborted.canary?.reason, 'load fails');
    assert.equal(aborted.canary?.comparison?.canary.failed, 2, 'the comparison is recorded');
    assert.equal(existsSync(path.join(airflow.dagsFolder, 'team', 'orders__canary.py')), false, 'the canary file is gone');
    assert.equal(served('orders.py'), liveOrders);
    assert.equal((await airflow.get<{ is_paused: boolean }>('/api/v2/dags/orders__canary')).is_paused, true, 'the canary DAG is paused');
    assert.equal((await airflow.get<{ is_paused: boolean }>('/api/v2/dags/orders')).is_paused, false, 'the live DAG runs as before');
    assert.match((await hangar('history', '--env', 'dev')).stdout, /canary abort orders .*load fails/);
  });

  test('a candidate that is fine is promoted after N runs; hangar canary trigger splits the runs', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const candidate = repo.commit({ 'billing.py': dag('billing', 'None', 0, 'three') }, 'billing three');
    const billingBefore = served('billing.py');
    const ordersBefore = served('orders.py');
    ok(await hangar('canary', 'start', '--env', 'dev', '--dag', 'billing', '--ref', candidate, '--runs', '2', '--until', 'canary.success_rate >= live.success_rate and canary.failed_tasks == 0'), 'canary start');
    const routed: string[] = [];
    for (let i = 0; i < 4; i++) routed.push(...(JSON.parse(ok(await hangar('canary', 'trigger', '--env', 'dev', '--dag', 'billing', '--json'), 'canary trigger').stdout) as { dagId: string }[]).map((r) => r.dagId));
    assert.deepEqual(routed, ['billing__canary', 'billing', 'billing__canary', 'billing'], '50 %: the two alternate, one DAG per run');
    await Promise.all([allFinished('billing', 2), allFinished('billing__canary', 2)]);
    assert.equal(served('billing.py'), billingBefore, 'nothing changed before the promotion');
    const [result] = JSON.parse(ok(await hangar('canary', 'tick', '--env', 'dev', '--json'), 'canary tick').stdout) as { status: CanaryStatus; promoted?: HistoryRecord }[];
    assert.ok(result?.promoted, `promoted: ${JSON.stringify(result?.status.condition)}`);
    assert.equal(result.promoted.canary?.event, 'promote');
    assert.match(result.promoted.canary?.reason ?? '', /the condition held/);
    assert.deepEqual(result.promoted.dags?.map((d) => [d.dagId, d.to]), [['billing', candidate]]);
    assert.equal(served('billing.py'), dag('billing', 'None', 0, 'three'), 'the candidate is the DAG now');
    assert.equal(served('orders.py'), ordersBefore, 'the other DAG is byte-identical');
    assert.equal(existsSync(path.join(airflow.dagsFolder, 'team', 'billing__canary.py')), false);
    assert.equal((await history()).at(-1)?.verification?.status, 'verified');
  });

  test('hangar serve --env runs the canary tick: the agent promotes a canary whose condition holds', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const candidate = repo.commit({ 'orders.py': dag('orders', 'None', 0, 'agent') }, 'orders for the agent');
    ok(await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', candidate, '--runs', '1', '--until', 'canary.failed_runs == 0'), 'canary start');
    const port = await freePort();
    const agent = spawn(process.execPath, [shippedCli(), 'serve', '--env', 'dev', '--port', String(port), '--canary-tick', '1', '--state', path.join(root, 'agent-state')], {
      cwd: root,
      env: { ...process.env, ...credentials(), HANGAR_HOOK_TOKEN: 'canary-agent-test' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    agent.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    agent.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      await trigger('orders__canary');
      const promoted = await waitFor('the agent to promote the canary', async () => (await history()).find((r) => r.canary?.event === 'promote' && r.canary.dagId === 'orders' && r.who === 'hangar-agent'), 240_000, 2000).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${output}`)));
      assert.deepEqual(promoted.dags?.map((d) => [d.dagId, d.to]), [['orders', candidate]]);
      // The agent records the promotion first and prints its line once Airflow has verified it.
      const line = /\[canary\] orders: promoted to dev as version \d+ \(canary\.failed_runs == 0\)/;
      await waitFor('the agent to report the promotion', () => line.test(output) || undefined, 240_000, 500).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${output}`)));
      assert.equal(served('orders.py'), dag('orders', 'None', 0, 'agent'));
    } finally {
      agent.kill('SIGTERM');
      await waitFor('the agent to exit', () => agent.exitCode !== null || agent.signalCode !== null, 30_000, 200);
    }
  });

  test('shadow mode runs both DAGs on every interval of a scheduled DAG', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    await pause('ticks', false);
    const candidate = repo.commit({ 'ticks.py': dag('ticks', '"* * * * * */20"', 0, 'shadow') }, 'ticks shadow');
    const started = JSON.parse(ok(await hangar('canary', 'start', '--env', 'dev', '--dag', 'ticks', '--ref', candidate, '--shadow', '--json'), 'canary start').stdout) as HistoryRecord;
    const since = Date.parse(started.at);
    const scheduledSince = async (dagId: string): Promise<Set<number>> =>
      new Set((await runs(dagId)).filter((r) => r.run_type === 'scheduled' && Date.parse(r.run_after) >= since).map((r) => Date.parse(r.logical_date!)));
    const both = await waitFor('two intervals run by both DAGs', async () => {
      const [live, canary] = await Promise.all([scheduledSince('ticks'), scheduledSince('ticks__canary')]);
      const common = [...canary].filter((d) => live.has(d));
      return common.length >= 2 && common;
    }, 180_000, 2000);
    assert.ok(both.length >= 2);
    ok(await hangar('canary', 'abort', '--env', 'dev', '--dag', 'ticks'), 'canary abort');
  });

  test('interval split: Hangar pauses one of the two per interval, and no interval runs twice', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const candidate = repo.commit({ 'ticks.py': dag('ticks', '"* * * * * */20"', 0, 'split') }, 'ticks split');
    const started = JSON.parse(ok(await hangar('canary', 'start', '--env', 'dev', '--dag', 'ticks', '--ref', candidate, '--json'), 'canary start').stdout) as HistoryRecord;
    const since = Date.parse(started.at);
    const scheduled = async (dagId: string): Promise<DagRunInfo[]> => (await runs(dagId)).filter((r) => r.run_type === 'scheduled' && Date.parse(r.run_after) >= since);
    // What a user schedules (cron, or hangar serve): a tick every few seconds.
    const split = await waitFor('two intervals run by each DAG', async () => {
      ok(await hangar('canary', 'tick', '--env', 'dev'), 'canary tick');
      const [live, canary] = await Promise.all([scheduled('ticks'), scheduled('ticks__canary')]);
      return live.length >= 2 && canary.length >= 2 && { live, canary };
    }, 300_000, 2000);
    const dates = [...split.live, ...split.canary].map((r) => r.logical_date);
    const pattern = [...split.live.map((r) => [r.logical_date!, 'live']), ...split.canary.map((r) => [r.logical_date!, 'canary'])].sort(([a], [b]) => a!.localeCompare(b!));
    console.log(`interval split since ${started.at}: ${pattern.map(([date, side]) => `${date!.slice(11, 19)} ${side}`).join(', ')}`);
    assert.equal(new Set(dates).size, dates.length, `no logical date ran in both DAGs: ${dates.join(', ')}`);
    ok(await hangar('canary', 'abort', '--env', 'dev', '--dag', 'ticks'), 'canary abort');
  });
});
