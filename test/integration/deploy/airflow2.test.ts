/**
 * Deploy verification on a real Apache Airflow 2.11 (REST API /api/v1, basic auth): what the README promises for
 * Airflow 2. One Airflow for the file (webserver + scheduler, started by test/support/airflow2.ts).
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AirflowClient } from '../../../server/src/airflow/client';
import { runsPerVersion } from '../../../server/src/airflow/runs';
import { describeVerification } from '../../../server/src/deploy/format';
import { DeployService, type DeployPlan } from '../../../server/src/deploy/service';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { verifyAndRecord } from '../../../server/src/deploy/verification';
import { airflowPythonOrSkip, prerequisite, waitFor } from '../../support/airflow';
import { startAirflow2, type RunningAirflow2 } from '../../support/airflow2';
import { DagRepo, folderEnvironment, scratch } from './fixtures';

const service = new DeployService();

/** An Airflow 2 DAG (Airflow 2 names; tasks need a start_date to run). */
function airflow2Dag(dagId: string, description: string, command = 'true'): string {
  return [
    'import pendulum',
    'from airflow import DAG',
    'from airflow.operators.bash import BashOperator',
    '',
    `with DAG(dag_id="${dagId}", description="${description}", schedule=None, start_date=pendulum.datetime(2024, 1, 1), catchup=False):`,
    `    BashOperator(task_id="work", bash_command="${command}", retries=0)`,
    '',
  ].join('\n');
}

const BROKEN = 'import pendulum\nfrom airflow import DAG\n\nwith DAG(dag_id="broken2", schedule=None)\n    pass\n';

describe('deploy verification on a real Airflow 2.11 (/api/v1, basic auth)', () => {
  let airflow: RunningAirflow2 | undefined;
  let env: Environment;
  let repo: DagRepo;

  async function deployAndVerify(plan: DeployPlan): Promise<HistoryRecord> {
    const record = await verifyAndRecord(service, plan, await service.apply(plan), { credentials: { username: airflow!.username, password: airflow!.password }, timeoutMs: 120_000, pollMs: 500 });
    console.log(`Airflow 2 v${record.version}: ${describeVerification(record.verification)} (${record.verification?.ms} ms)`);
    return record;
  }

  async function runToEnd(dagId: string): Promise<string> {
    assert.equal((await airflow!.request('PATCH', `/api/v1/dags/${dagId}`, { is_paused: false })).status, 200);
    const started = await airflow!.request('POST', `/api/v1/dags/${dagId}/dagRuns`, {});
    assert.equal(started.status, 200, await started.clone().text());
    const { dag_run_id: runId } = (await started.json()) as { dag_run_id: string };
    return waitFor(`run ${runId} of ${dagId} to end`, async () => {
      const { state } = await airflow!.get<{ state: string }>(`/api/v1/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
      return ['success', 'failed'].includes(state) ? state : undefined;
    }, 120_000, 1000);
  }

  before(async (t) => {
    if (!(await airflowPythonOrSkip(t, '2.11'))) return;
    const root = scratch('airflow2');
    repo = new DagRepo(root, 'team');
    repo.commit({ 'hello2.py': airflow2Dag('hello2', 'one'), 'runner2.py': airflow2Dag('runner2', 'one') });
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    airflow = await startAirflow2({ dagsFolder: dags });
    env = { ...folderEnvironment('old', dags, [repo.asDeployRepository()], 5), airflow: { url: airflow.baseUrl, version: 2 } };
  });

  after(async () => {
    await airflow?.stop();
  });

  test('a folder deploy is verified through /api/v1 with basic auth, new and changed DAGs alike', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow 2.11 not available')) return;
    const first = await deployAndVerify(await service.planDeploy(env));
    assert.equal(first.verification?.status, 'verified', first.verification?.message);
    assert.deepEqual(first.verification?.visibleDags, ['hello2', 'runner2']);
    assert.equal(first.verification?.airflowVersion, '2.11.2');
    assert.match(first.verification!.message, /^Airflow 2\.11\.2 lists all 2 deployed DAG\(s\)\.$/, 'Airflow 2 has no re-parse or refresh request');

    repo.commit({ 'hello2.py': airflow2Dag('hello2', 'two') });
    const changed = await deployAndVerify(await service.planDeploy(env));
    assert.equal(changed.verification?.status, 'verified', changed.verification?.message);
    assert.deepEqual(Object.keys(changed.verification?.landed ?? {}), ['hello2']);
    assert.equal((await airflow.get<{ description: string }>('/api/v1/dags/hello2')).description, 'two');
  });

  test('an import error of a deployed file is mapped to the workspace file and line', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow 2.11 not available')) return;
    repo.commit({ 'broken2.py': BROKEN });
    const record = await deployAndVerify(await service.planDeploy(env, { force: true, reason: 'Airflow 2 import error mapping' }));
    assert.equal(record.verification?.status, 'import-errors', record.verification?.message);
    const [error] = record.verification!.importErrors;
    assert.equal(error?.file, path.join(repo.path, 'dags', 'broken2.py'));
    assert.equal(error?.repository, 'team');
    assert.equal(error?.line, 4);
    assert.match(error?.message ?? '', /SyntaxError/);
  });

  test('runs are attributed to the version live when they started', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow 2.11 not available')) return;
    assert.equal(await runToEnd('runner2'), 'success');
    repo.commit({ 'broken2.py': null, 'runner2.py': airflow2Dag('runner2', 'fails', 'exit 3') });
    const fixed = await deployAndVerify(await service.planDeploy(env));
    assert.equal(fixed.verification?.status, 'verified', fixed.verification?.message);
    assert.equal(await runToEnd('runner2'), 'failed');

    const history = await service.history(env);
    const client = new AirflowClient(airflow.baseUrl, 2, { username: airflow.username, password: airflow.password });
    const versions = await runsPerVersion(client, history, await service.deployedDagIds(env, history));
    assert.equal(versions[0]!.version, fixed.version);
    assert.deepEqual(versions[0]!.runs.map((r) => [r.dagId, r.state, r.by]), [['runner2', 'failed', 'start-time']]);
    assert.deepEqual(versions[1]!.runs.map((r) => [r.dagId, r.state]), [['runner2', 'success']]);
    assert.ok(versions[0]!.runs[0]!.seconds !== null);
  });
});
