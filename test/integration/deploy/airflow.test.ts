import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AirflowClient } from '../../../server/src/airflow/client';
import { GateError } from '../../../server/src/deploy/gate';
import { DeployService, type DeployPlan } from '../../../server/src/deploy/service';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { verifyAndRecord } from '../../../server/src/deploy/verification';
import { airflowPythonOrSkip, gitDagBundle, startAirflow, waitFor, type RunningAirflow, prerequisite } from '../../support/airflow';
import { runHangar } from '../../support/cli';
import { DagRepo, dagSource, folderEnvironment, gitIn, scratch } from './fixtures';

const service = new DeployService();
const BROKEN = 'from airflow.sdk import DAG\n\nwith DAG(dag_id="broken", schedule=None)\n    pass\n';

describe('deploy to a real Airflow 3.3', () => {
  let airflow: RunningAirflow | undefined;
  let folderEnv: Environment;
  let gitEnv: Environment;
  let repo: DagRepo;
  let gitRepo: DagRepo;
  let origin: string;
  let dags: string;

  async function deployAndVerify(plan: DeployPlan, reparse = true): Promise<HistoryRecord> {
    const record = await service.apply(plan);
    const verified = await verifyAndRecord(service, plan, record, { credentials: { username: airflow!.username, password: airflow!.password }, reparse, timeoutMs: 90_000, pollMs: 500 });
    console.log(`${plan.environment.name} v${verified.version} ${plan.action}: ${verified.verification?.status} after ${verified.verification?.ms} ms (re-parse requests: ${verified.verification?.reparsed})`);
    return verified;
  }

  async function description(dagId: string): Promise<string | null> {
    return (await airflow!.get<{ description: string | null }>(`/api/v2/dags/${dagId}/details`)).description;
  }

  before(async (t) => {
    if (!(await airflowPythonOrSkip(t))) return;
    const root = scratch('airflow-deploy');
    repo = new DagRepo(root, 'team');
    repo.commit({ 'hello.py': dagSource('hello', 'one'), 'etl.py': dagSource('etl', 'one') });
    dags = path.join(root, 'dags');
    await mkdir(dags);

    // The git target: a bare repository whose `deploy` branch a GitDagBundle tracks.
    origin = path.join(root, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    gitRepo = new DagRepo(root, 'gitteam');
    gitRepo.commit({ 'git_hello.py': dagSource('git_hello', 'first') });
    gitEnv = { name: 'staging', target: { kind: 'git', url: origin, branch: 'deploy' }, repositories: [gitRepo.asDeployRepository()] };
    // The branch must exist before the bundle starts: the first deploy goes out before Airflow runs (not verified).
    await service.apply(await service.planDeploy(gitEnv));

    airflow = await startAirflow({ dagsFolder: dags, bundles: [gitDagBundle('team-git', `file://${origin}`, { trackingRef: 'deploy', subdir: 'dags', refreshInterval: 2 })] });
    folderEnv = folderEnvironment('dev', dags, [repo.asDeployRepository()], 5, airflow.baseUrl);
    gitEnv = { ...gitEnv, airflow: { url: airflow.baseUrl, version: 3, bundle: 'team-git' } };
  });

  after(async () => {
    await airflow?.stop();
  });

  test('deploys a repository to the DAGs folder and sees its DAGs through the REST API', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const record = await deployAndVerify(await service.planDeploy(folderEnv));
    assert.equal(record.verification?.status, 'verified', record.verification?.message);
    assert.deepEqual(record.verification?.visibleDags, ['etl', 'hello']);
    const listed = await airflow.dags();
    const hello = listed.find((d) => d.dag_id === 'hello');
    assert.ok(hello, 'Airflow lists hello');
    assert.match(hello.fileloc, /\/team\/hello\.py$/, 'served through the namespace link');
    assert.equal(await description('hello'), 'one');
    assert.equal((await service.history(folderEnv)).at(-1)?.verification?.status, 'verified', 'the verification is in the history');
  });

  test('a forced deploy of a DAG that fails to import shows the import error on the source file and line', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    repo.commit({ 'hello.py': dagSource('hello', 'two'), 'broken.py': BROKEN });
    await assert.rejects(service.planDeploy(folderEnv), GateError);
    const record = await deployAndVerify(await service.planDeploy(folderEnv, { force: true, reason: 'demo of a broken file' }));
    assert.equal(record.verification?.status, 'import-errors', record.verification?.message);
    const error = record.verification!.importErrors[0]!;
    assert.equal(error.file, path.join(repo.path, 'dags', 'broken.py'));
    assert.equal(error.repository, 'team');
    assert.equal(error.line, 3);
    assert.match(error.message, /SyntaxError/);
    assert.equal((await service.history(folderEnv)).at(-1)?.forced?.reason, 'demo of a broken file');
    await waitFor('the changed hello DAG', async () => (await description('hello')) === 'two', 60_000, 500);
  });

  test('rolling back serves the previous version again', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const plan = await service.planRollback(folderEnv);
    assert.equal(plan.restores, 1);
    const record = await deployAndVerify(plan);
    assert.equal(record.action, 'rollback');
    assert.equal(record.verification?.status, 'verified', record.verification?.message);
    assert.deepEqual(readdirSync(path.join(dags, 'team')).sort(), ['etl.py', 'hello.py']);
    assert.equal(await description('hello'), 'one', 'Airflow serves the rolled-back DAG (re-parse requested)');
  });

  test('hangar promote deploys exactly the newest verified version of dev to prod (the shipped CLI)', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    repo.commit({ 'unverified.py': dagSource('unverified', 'never deployed to dev') });
    const root = path.dirname(dags);
    await mkdir(path.join(root, 'prod-dags'));
    const config = path.join(root, 'airflow-repos.yaml');
    writeFileSync(config, 'repositories:\n  - name: team\n    url: ./team\n    path: team\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n  - name: prod\n    target: { kind: folder, path: prod-dags }\n');
    const verified = [...(await service.history(folderEnv))].reverse().find((r) => r.verification?.status === 'verified')!;
    const run = await runHangar(['promote', '--from', 'dev', '--to', 'prod', '--json', '--config', config], { cwd: root, env: { HANGAR_USER: 'release-manager' } });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    const record = JSON.parse(run.stdout) as HistoryRecord;
    assert.deepEqual([record.action, record.version, record.who, record.promotedFrom], ['promote', 1, 'release-manager', { environment: 'dev', version: verified.version }]);
    assert.equal(record.repositories[0]!.commit, verified.repositories[0]!.commit, 'the verified commit, not the newer branch head');
    assert.deepEqual(readdirSync(path.join(root, 'prod-dags', 'team')).sort(), ['etl.py', 'hello.py']);
    const history = await runHangar(['history', '--env', 'prod', '--json', '--config', config], { cwd: root });
    assert.deepEqual((JSON.parse(history.stdout) as HistoryRecord[]).map((r) => [r.version, r.action]), [[1, 'promote']]);
  });

  test('the git target pushes to the branch a GitDagBundle tracks; Airflow reports the deployed commit as bundle_version', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const sha = gitRepo.commit({ 'git_hello.py': dagSource('git_hello', 'second'), 'git_new.py': dagSource('git_new', 'second') });
    const record = await deployAndVerify(await service.planDeploy(gitEnv));
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), sha);
    assert.equal(record.verification?.status, 'verified', record.verification?.message);
    assert.deepEqual(record.verification?.bundleVersions, { git_hello: sha, git_new: sha });
    const versions = await airflow.dagVersions('git_hello');
    assert.ok(versions.some((v) => v.bundle_version === sha && v.bundle_name === 'team-git'));
    // The history lives on the remote as annotated tags: another clone sees the same versions.
    const history = await service.history(gitEnv);
    assert.deepEqual(history.map((r) => [r.version, r.repositories[0]!.commit]), [
      [1, history[0]!.repositories[0]!.commit],
      [2, sha],
    ]);
    assert.equal(history[1]!.verification?.status, 'verified');
    assert.match(gitIn(origin, 'cat-file', '-t', 'refs/tags/hangar/deploy/staging/2'), /tag/);
    // Rollback is a leased push of the previous commit.
    const rollback = await deployAndVerify(await service.planRollback(gitEnv));
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), history[0]!.repositories[0]!.commit);
    assert.equal(rollback.version, 3);
  });

  test('hangar deploy with wrong credentials or an unreachable Airflow fails clearly and changes nothing on the target', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    repo.commit({ 'etl.py': dagSource('etl', 'three'), 'broken.py': null });
    const link = readlinkSync(path.join(dags, 'team'));
    const history = readFileSync(path.join(dags, '.hangar', 'history.json'), 'utf8');
    const secret = 'not-the-password-s3cr3t';
    const config = (airflowUrl: string): string => {
      const file = path.join(scratch('airflow-cli'), 'airflow-repos.yaml');
      writeFileSync(
        file,
        `repositories:\n  - { name: team, url: ${repo.path}, path: ${repo.path}, branch: main }\n` +
          `environments:\n  - name: dev\n    target: { kind: folder, path: ${dags}, keep_releases: 5 }\n    airflow: { url: "${airflowUrl}", version: 3 }\n`,
      );
      return file;
    };
    const credentials = { HANGAR_AIRFLOW_USERNAME: 'admin', HANGAR_AIRFLOW_PASSWORD: secret };
    const refused = await runHangar(['deploy', '--env', 'dev', '--config', config(airflow.baseUrl)], { env: credentials });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /rejected the credentials of user "admin"/);
    assert.ok(!`${refused.stdout}${refused.stderr}`.includes(secret), 'the password is not printed');
    // Port 2 on loopback: a privileged port outside the range the system hands out, so unlike a port just freed no
    // other test can take it meanwhile (fetch refuses port 1 as a bad port).
    const unreachable = await runHangar(['deploy', '--env', 'dev', '--config', config('http://127.0.0.1:2')], { env: credentials });
    assert.notEqual(unreachable.code, 0);
    assert.match(unreachable.stderr, /unreachable \(ECONNREFUSED\).*airflow\.url/);
    await assert.rejects(new AirflowClient(airflow.baseUrl, 2, { username: 'admin', password: secret }).checkConnection(), /not Airflow 2\. Set airflow\.version: 3/);
    // The same deploy with the right password goes through: the refusals above were about Airflow, not the plan.
    assert.equal(readlinkSync(path.join(dags, 'team')), link, 'the live release did not change');
    assert.equal(readFileSync(path.join(dags, '.hangar', 'history.json'), 'utf8'), history, 'no version was recorded');
    const accepted = await runHangar(['deploy', '--env', 'dev', '--timeout', '90', '--config', config(airflow.baseUrl)], { env: { ...credentials, HANGAR_AIRFLOW_PASSWORD: airflow.password } });
    assert.equal(accepted.code, 0, accepted.stderr);
    assert.notEqual(readlinkSync(path.join(dags, 'team')), link, 'with the right password the deploy changes the live release');
  });
});
