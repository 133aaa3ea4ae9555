/**
 * Deploy to a folder target: a 1,000-DAG repository where each round changes one file. Measures the deploy until
 * the new release is live (validation of the changed file + export + link switch; target <= 1 s), the rollback
 * (target <= 100 ms), and, against a real Airflow 3.3, the time from the deploy until Airflow's API lists the new
 * DAG version with and without Hangar's re-parse request, next to Airflow's default discovery delays.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DeployService } from '../../server/src/deploy/service';
import type { Environment } from '../../server/src/deploy/types';
import { verifyAndRecord } from '../../server/src/deploy/verification';
import { DagRepo, dagSource, folderEnvironment, scratch } from '../integration/deploy/fixtures';
import { startAirflow, waitFor } from '../support/airflow';
import { median, printTable, saveResults, type Bench } from './bench';

const DAGS = 1000;
const ROUNDS = 7;
const AIRFLOW_DAGS = 20;
const AIRFLOW_ROUNDS = 3;

const service = new DeployService();

function files(count: number, round: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < count; i++) out[`dag_${String(i).padStart(4, '0')}.py`] = dagSource(`dag_${i}`, round);
  return out;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await work();
  return [result, performance.now() - started];
}

async function folderFigures(root: string) {
  const repo = new DagRepo(root, 'team');
  const dags = path.join(root, 'dags');
  mkdirSync(dags);
  repo.commit(files(DAGS, 'initial'));
  const env = folderEnvironment('bench', dags, [repo.asDeployRepository()], 5);
  const [, firstMs] = await timed(async () => service.apply(await service.planDeploy(env)));
  const rows: Array<{ planMs: number; applyMs: number; rollbackPlanMs: number; rollbackApplyMs: number; analyzed: number }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    repo.commit({ [`dag_${String(round).padStart(4, '0')}.py`]: dagSource(`dag_${round}`, `round ${round}`) });
    const [plan, planMs] = await timed(() => service.planDeploy(env));
    const [, applyMs] = await timed(() => service.apply(plan));
    const [rollback, rollbackPlanMs] = await timed(() => service.planRollback(env));
    const [, rollbackApplyMs] = await timed(() => service.apply(rollback));
    // Back to the new version, so the next round changes one more file on top of it.
    await service.apply(await service.planDeploy(env));
    rows.push({ planMs, applyMs, rollbackPlanMs, rollbackApplyMs, analyzed: plan.validation.analyzed });
  }
  return { firstMs, rows };
}

async function airflowFigures(root: string) {
  const repo = new DagRepo(root, 'live');
  const dags = path.join(root, 'airflow-dags');
  mkdirSync(dags);
  repo.commit(files(AIRFLOW_DAGS, 'initial'));
  const airflow = await startAirflow({ dagsFolder: dags });
  try {
    const env: Environment = folderEnvironment('bench-airflow', dags, [repo.asDeployRepository()], 5, airflow.baseUrl);
    const credentials = { username: airflow.username, password: airflow.password };
    const first = await service.planDeploy(env);
    await verifyAndRecord(service, first, await service.apply(first), { credentials, timeoutMs: 300_000, pollMs: 500 });
    await waitFor('every DAG listed', async () => (await airflow.dags()).length >= AIRFLOW_DAGS, 300_000, 1000);
    const results: Array<{ reparse: boolean; ms: number; status: string }> = [];
    for (let round = 0; round < AIRFLOW_ROUNDS * 2; round++) {
      const reparse = round % 2 === 0;
      repo.commit({ 'dag_0000.py': dagSource('dag_0', `round ${round}`) });
      const started = performance.now();
      const plan = await service.planDeploy(env);
      const record = await verifyAndRecord(service, plan, await service.apply(plan), { credentials, reparse, timeoutMs: 300_000, pollMs: 250 });
      const description = (await airflow.get<{ description: string }>('/api/v2/dags/dag_0/details')).description;
      results.push({ reparse, ms: performance.now() - started, status: `${record.verification?.status}${description === `round ${round}` ? '' : ' (stale description!)'}` });
    }
    return results;
  } finally {
    await airflow.stop();
  }
}

const bench: Bench = {
  name: 'deploy',
  description: `folder target, ${DAGS} DAG files, one changed per round: deploy until live, rollback, and time until Airflow lists the new DAG version`,
  async run() {
    const root = scratch('bench-deploy');
    try {
      const folder = await folderFigures(root);
      const deployMs = folder.rows.map((r) => r.planMs + r.applyMs);
      const rollbackMs = folder.rows.map((r) => r.rollbackPlanMs + r.rollbackApplyMs);
      printTable(`Folder target, ${DAGS} DAGs (median of ${ROUNDS} rounds; first deploy validates every file: ${(folder.firstMs / 1000).toFixed(2)} s)`, [
        ['step', 'median', 'max', 'target'],
        ['deploy until live (gate on changed file + export + switch)', `${median(deployMs).toFixed(0)} ms`, `${Math.max(...deployMs).toFixed(0)} ms`, '<= 1000 ms'],
        ['  of which plan (diff + gate)', `${median(folder.rows.map((r) => r.planMs)).toFixed(0)} ms`, `${Math.max(...folder.rows.map((r) => r.planMs)).toFixed(0)} ms`, ''],
        ['  of which apply (export + link switch + history)', `${median(folder.rows.map((r) => r.applyMs)).toFixed(0)} ms`, `${Math.max(...folder.rows.map((r) => r.applyMs)).toFixed(0)} ms`, ''],
        ['rollback (plan + link switch + history)', `${median(rollbackMs).toFixed(0)} ms`, `${Math.max(...rollbackMs).toFixed(0)} ms`, '<= 100 ms'],
        ['  of which apply (link switch + history)', `${median(folder.rows.map((r) => r.rollbackApplyMs)).toFixed(0)} ms`, `${Math.max(...folder.rows.map((r) => r.rollbackApplyMs)).toFixed(0)} ms`, ''],
        ['files analyzed per deploy', String(median(folder.rows.map((r) => r.analyzed))), '', '1'],
      ]);
      const airflow = await airflowFigures(root);
      const withReparse = airflow.filter((r) => r.reparse).map((r) => r.ms);
      const without = airflow.filter((r) => !r.reparse).map((r) => r.ms);
      printTable(`Real Airflow 3.3 (${AIRFLOW_DAGS}-DAG folder, one DAG changed; deploy command until the API lists the new DAG version)`, [
        ['mode', 'median', 'max', 'rounds'],
        ['with re-parse request (PUT /parseDagFile)', `${(median(withReparse) / 1000).toFixed(1)} s`, `${(Math.max(...withReparse) / 1000).toFixed(1)} s`, airflow.filter((r) => r.reparse).map((r) => r.status).join(', ')],
        ['without (DAG processor finds the change itself)', `${(median(without) / 1000).toFixed(1)} s`, `${(Math.max(...without) / 1000).toFixed(1)} s`, airflow.filter((r) => !r.reparse).map((r) => r.status).join(', ')],
        ['reference: Airflow default for a new file (refresh_interval)', '300 s', '', 'not measured'],
        ['reference: Airflow default for a changed file (min_file_process_interval)', '30 s', '', 'not measured'],
      ]);
      saveResults('deploy', { dags: DAGS, folder, airflow });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
