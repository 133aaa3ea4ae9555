/**
 * Push → verified: from the start of a deploy (the push to the Git bundle's branch, or the link switch of a folder
 * target) until Hangar's verification says every deployed DAG is current in a real Airflow, for Airflow 3.3.2 and
 * 3.4.0b2, with Airflow's default refresh interval (300 s) and a short one (5 s). Each round changes one DAG and adds
 * a brand-new DAG file. A DAG changed in a round last changed over 30 s before ([core]
 * min_serialized_dag_update_interval), as between real deploys. The short interval is also measured without Hangar's
 * refresh and re-parse requests (--no-reparse), where Airflow finds the change on its own.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { DeployService } from '../../server/src/deploy/service';
import type { Environment } from '../../server/src/deploy/types';
import { verifyAndRecord } from '../../server/src/deploy/verification';
import { DagRepo, dagSource, folderEnvironment, scratch } from '../integration/deploy/fixtures';
import { gitDagBundle, startAirflow, waitFor, type RunningAirflow } from '../support/airflow';
import { median, printTable, saveResults, type Bench } from './bench';

const ROUNDS = 3;
const SERIALIZE_INTERVAL_MS = 31_000;
const service = new DeployService();

interface Cell {
  airflow: string;
  refreshS: number;
  target: 'git' | 'folder';
  reparse: boolean;
  ms: number[];
  statuses: string[];
}

/** One Airflow (version, refresh interval) with a folder target and a Git bundle; rounds for both targets. */
async function measure(root: string, version: '3.3' | '3.4', refreshS: number): Promise<Cell[]> {
  const base = path.join(root, `${version}-${refreshS}`);
  mkdirSync(base, { recursive: true });
  const folderRepo = new DagRepo(base, 'team');
  const gitRepo = new DagRepo(base, 'gitteam');
  const ids = Array.from({ length: ROUNDS * 4 }, (_, i) => `dag_${i}`);
  folderRepo.commit(Object.fromEntries(ids.map((id) => [`${id}.py`, dagSource(id, 'initial')])));
  gitRepo.commit(Object.fromEntries(ids.map((id) => [`git_${id}.py`, dagSource(`git_${id}`, 'initial')])));
  const dags = path.join(base, 'dags');
  mkdirSync(dags);
  const origin = path.join(base, 'origin.git');
  execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
  let folderEnv = folderEnvironment('bench-folder', dags, [folderRepo.asDeployRepository()], 5);
  let gitEnv: Environment = { name: 'bench-git', target: { kind: 'git', url: origin, branch: 'deploy' }, repositories: [gitRepo.asDeployRepository()] };
  await service.apply(await service.planDeploy(folderEnv));
  await service.apply(await service.planDeploy(gitEnv));
  const airflow: RunningAirflow = await startAirflow({
    version,
    dagsFolder: dags,
    bundles: [gitDagBundle('bench-git', `file://${origin}`, { trackingRef: 'deploy', subdir: 'dags', refreshInterval: refreshS })],
    env: { AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: String(refreshS) },
  });
  try {
    await waitFor('every DAG listed', async () => (await airflow.dags()).filter((d) => !d.is_stale).length >= ids.length * 2, 300_000, 1000);
    const settled = Date.now();
    const airflowEndpoint = { url: airflow.baseUrl, version: 3 as const, refreshIntervalMs: refreshS * 1000 };
    folderEnv = { ...folderEnv, airflow: airflowEndpoint };
    gitEnv = { ...gitEnv, airflow: { ...airflowEndpoint, bundle: 'bench-git' } };
    const credentials = { username: airflow.username, password: airflow.password };
    const cells: Cell[] = [];
    const modes = refreshS < 60 ? [true, false] : [true];
    let round = 0;
    for (const reparse of modes) {
      for (const target of ['folder', 'git'] as const) {
        const cell: Cell = { airflow: version, refreshS, target, reparse, ms: [], statuses: [] };
        for (let i = 0; i < ROUNDS; i++, round++) {
          const repo = target === 'folder' ? folderRepo : gitRepo;
          const prefix = target === 'folder' ? '' : 'git_';
          const changed = `${prefix}${ids[(round % ids.length)]!}`;
          await waitFor('the serialisation interval since Airflow last wrote the DAG', () => Date.now() - settled > SERIALIZE_INTERVAL_MS, 60_000, 500);
          repo.commit({ [`${changed}.py`]: dagSource(changed, `round ${round}`), [`${prefix}new_${round}.py`]: dagSource(`${prefix}new_${round}`, 'new') });
          const env = target === 'folder' ? folderEnv : gitEnv;
          const plan = await service.planDeploy(env);
          const started = performance.now();
          const record = await verifyAndRecord(service, plan, await service.apply(plan), { credentials, reparse, timeoutMs: (refreshS + 90) * 1000, pollMs: 250 });
          cell.ms.push(performance.now() - started);
          cell.statuses.push(record.verification?.status ?? 'none');
        }
        cells.push(cell);
      }
    }
    return cells;
  } finally {
    await airflow.stop();
  }
}

const bench: Bench = {
  name: 'landing',
  description: 'push → verified on real Airflow 3.3.2 and 3.4.0b2, Git bundle and folder target, refresh interval 300 s and 5 s',
  async run() {
    const root = scratch('bench-landing');
    try {
      const cells: Cell[] = [];
      for (const version of ['3.3', '3.4'] as const) for (const refreshS of [300, 5]) cells.push(...(await measure(root, version, refreshS)));
      printTable(`Push → verified (median and max of ${ROUNDS} rounds; each round changes one DAG and adds a new DAG file)`, [
        ['Airflow', 'refresh interval', 'target', 'Hangar asks for refresh + re-parse', 'median', 'max', 'results'],
        ...cells.map((c) => [c.airflow, `${c.refreshS} s`, c.target, c.reparse ? 'yes' : 'no (--no-reparse)', `${(median(c.ms) / 1000).toFixed(1)} s`, `${(Math.max(...c.ms) / 1000).toFixed(1)} s`, c.statuses.join(', ')]),
      ]);
      saveResults('landing', cells);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
