/**
 * "Has it landed?" against real Airflows the harness starts, once per version for the whole file: 3.3.2 (the newest
 * final) and 3.4.0b2 (bundle endpoints). Both run with Airflow's default refresh interval of 300 s, so a new file or
 * a pushed commit is found within the verification timeouts only because Hangar asks for a bundle refresh.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runsPerVersion, failedOnLive } from '../../../server/src/airflow/runs';
import { AirflowClient } from '../../../server/src/airflow/client';
import { describeVerification } from '../../../server/src/deploy/format';
import { DeployService, type DeployPlan } from '../../../server/src/deploy/service';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { verifyAndRecord } from '../../../server/src/deploy/verification';
import { airflowPythonOrSkip, gitDagBundle, prerequisite, startAirflow, waitFor, type RunningAirflow } from '../../support/airflow';
import { runHangar } from '../../support/cli';
import { DagRepo, dagSource, folderEnvironment, scratch } from './fixtures';

const service = new DeployService();
/**
 * Airflow's default refresh interval, so only Hangar's refresh request finds a new file in time; the serialisation
 * interval (30 s by default, see README) is short so that a DAG changed soon after Airflow started lands quickly.
 */
const AIRFLOW_ENV = { AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: '300', AIRFLOW__CORE__MIN_SERIALIZED_DAG_UPDATE_INTERVAL: '5' };
const FAILING = 'from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n\nwith DAG(dag_id="runme", schedule=None):\n    BashOperator(task_id="fail", bash_command="exit 3", retries=0)\n';

for (const version of ['3.3', '3.4'] as const) {
  describe(`has it landed? Airflow ${version}`, () => {
    let airflow: RunningAirflow | undefined;
    let folderEnv: Environment;
    let gitEnv: Environment;
    let repo: DagRepo;
    let gitRepo: DagRepo;
    let root: string;
    let dags: string;

    const credentials = () => ({ username: airflow!.username, password: airflow!.password });
    async function deployAndVerify(plan: DeployPlan): Promise<HistoryRecord> {
      const record = await verifyAndRecord(service, plan, await service.apply(plan), { credentials: credentials(), timeoutMs: 120_000, pollMs: 500 });
      console.log(`${version} ${plan.environment.name} v${record.version}: ${describeVerification(record.verification)} (${record.verification?.ms} ms)`);
      return record;
    }
    async function runToEnd(dagId: string): Promise<{ state: string }> {
      assert.equal((await airflow!.request('PATCH', `/api/v2/dags/${dagId}`, { is_paused: false })).status, 200);
      const started = await airflow!.request('POST', `/api/v2/dags/${dagId}/dagRuns`, { logical_date: null });
      assert.equal(started.status, 200, await started.clone().text());
      const { dag_run_id: runId } = (await started.json()) as { dag_run_id: string };
      return waitFor(`run ${runId} of ${dagId} to end`, async () => {
        const run = await airflow!.get<{ state: string }>(`/api/v2/dags/${dagId}/dagRuns/${encodeURIComponent(runId)}`);
        return ['success', 'failed'].includes(run.state) ? run : undefined;
      }, 120_000, 1000);
    }

    before(async (t) => {
      if (!(await airflowPythonOrSkip(t, version))) return;
      root = scratch(`landing-${version}`);
      repo = new DagRepo(root, 'team');
      repo.commit({ 'hello.py': dagSource('hello', 'one'), 'runme.py': dagSource('runme', 'one') });
      dags = path.join(root, 'dags');
      mkdirSync(dags);
      folderEnv = folderEnvironment('dev', dags, [repo.asDeployRepository()], 5);
      await service.apply(await service.planDeploy(folderEnv));

      const origin = path.join(root, 'origin.git');
      execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
      gitRepo = new DagRepo(root, 'gitteam');
      gitRepo.commit({ 'git_hello.py': dagSource('git_hello', 'first') });
      gitEnv = { name: 'staging', target: { kind: 'git', url: origin, branch: 'deploy' }, repositories: [gitRepo.asDeployRepository()] };
      await service.apply(await service.planDeploy(gitEnv));

      airflow = await startAirflow({
        version,
        dagsFolder: dags,
        scheduler: true,
        bundles: [gitDagBundle('team-git', `file://${origin}`, { trackingRef: 'deploy', subdir: 'dags', refreshInterval: 300 })],
        env: AIRFLOW_ENV,
      });
      folderEnv = folderEnvironment('dev', dags, [repo.asDeployRepository()], 5, airflow.baseUrl);
      gitEnv = { ...gitEnv, airflow: { url: airflow.baseUrl, version: 3, bundle: 'team-git', refreshIntervalMs: 300_000 } };
      await waitFor('the first DAGs', async () => {
        const ids = (await airflow!.dags()).map((d) => d.dag_id);
        return ['hello', 'runme', 'git_hello'].every((id) => ids.includes(id));
      }, 120_000, 500);
    });

    after(async () => {
      await airflow?.stop();
    });

    test('a brand-new DAG file in a folder deploy is verified: Hangar asks for the bundle refresh Airflow would do in 300 s', async (t) => {
      if (!prerequisite(t, airflow, `Airflow ${version} not available`)) return;
      repo.commit({ 'brand_new.py': dagSource('brand_new', 'new') });
      const plan = await service.planDeploy(folderEnv);
      assert.deepEqual(plan.dagDiff.added, ['brand_new']);
      const record = await deployAndVerify(plan);
      assert.equal(record.verification?.status, 'verified', record.verification?.message);
      assert.ok(record.verification?.visibleDags.includes('brand_new'));
      assert.ok(record.verification?.landed?.brand_new, 'the new DAG is reported as landed');
      assert.match(describeVerification(record.verification), /brand_new: running the deployed file since \d\d:\d\d:\d\d/);
      assert.match(record.verification!.message, /bundle refresh requested/);
      assert.match(record.verification!.airflowVersion ?? '', new RegExp(`^${version.replace('.', '\\.')}\\.`));
    });

    test('a Git-bundle deploy is verified with the bundle version equal to the pushed commit', async (t) => {
      if (!prerequisite(t, airflow, `Airflow ${version} not available`)) return;
      const sha = gitRepo.commit({ 'git_hello.py': dagSource('git_hello', 'second'), 'git_new.py': dagSource('git_new', 'second') });
      const progress: string[] = [];
      const plan = await service.planDeploy(gitEnv);
      const record = await verifyAndRecord(service, plan, await service.apply(plan), { credentials: credentials(), timeoutMs: 120_000, pollMs: 500, onProgress: (m) => progress.push(m) });
      assert.equal(record.verification?.status, 'verified', record.verification?.message);
      assert.deepEqual(record.verification?.bundleVersions, { git_hello: sha, git_new: sha });
      assert.equal(record.verification?.landed?.git_hello?.commit, sha);
      assert.match(describeVerification(record.verification), new RegExp(`git_hello: running commit ${sha.slice(0, 12)} since \\d\\d:\\d\\d:\\d\\d`));
      const versions = await new AirflowClient(airflow.baseUrl, 3, credentials()).dagVersions('git_hello', sha);
      assert.ok(versions.length > 0 && versions.every((v) => v.bundle_version === sha), 'the DAG-version endpoint filtered by bundle_version has it');
      if (version === '3.4') {
        assert.match(record.verification?.bundle ?? '', new RegExp(`^team-git at ${sha.slice(0, 12)}, refreshed \\d\\d:\\d\\d:\\d\\d$`));
        assert.ok(progress.every((p) => !/next refresh within/.test(p)), 'Airflow 3.4 says when the bundle refreshed: the countdown is exact');
      } else {
        assert.equal(record.verification?.bundle, undefined, 'Airflow 3.3 has no bundle endpoint');
      }
    });

    test('runs are listed per version after triggered runs; a failed run on the live version is found', async (t) => {
      if (!prerequisite(t, airflow, `Airflow ${version} not available`)) return;
      assert.equal((await runToEnd('runme')).state, 'success');
      repo.commit({ 'runme.py': FAILING });
      const failing = await deployAndVerify(await service.planDeploy(folderEnv));
      assert.equal(failing.verification?.status, 'verified', failing.verification?.message);
      assert.equal((await runToEnd('runme')).state, 'failed');

      const history = await service.history(folderEnv);
      const client = new AirflowClient(airflow.baseUrl, 3, credentials());
      const perVersion = await runsPerVersion(client, history, await service.deployedDagIds(folderEnv, history));
      const live = perVersion[0]!;
      const before = perVersion[1]!;
      assert.equal(live.version, failing.version);
      assert.deepEqual(live.runs.map((r) => [r.dagId, r.state]), [['runme', 'failed']]);
      assert.deepEqual(before.runs.map((r) => [r.dagId, r.state]), [['runme', 'success']]);
      assert.ok(live.runs.every((r) => r.seconds !== null && r.seconds >= 0), 'durations are known for finished runs');
      assert.equal(failedOnLive(perVersion)?.dagId, 'runme');

      const git = await service.history(gitEnv);
      assert.ok(git.length >= 2);
      assert.equal((await runToEnd('git_hello')).state, 'success');
      const gitRuns = await runsPerVersion(client, git, await service.deployedDagIds(gitEnv, git));
      assert.deepEqual(gitRuns[0]!.runs.map((r) => [r.dagId, r.by]), [['git_hello', 'bundle-version']], 'the run recorded the commit it executed');
    });

    test('hangar history --runs and a deploy authenticated by a token command (a script printing a real JWT from /auth/token)', async (t) => {
      if (!prerequisite(t, airflow, `Airflow ${version} not available`)) return;
      const dir = scratch('token-command');
      const passwordFile = path.join(dir, 'password');
      writeFileSync(passwordFile, airflow.password, { mode: 0o600 });
      const script = path.join(dir, 'airflow-token.mjs');
      writeFileSync(
        script,
        `import { readFileSync } from 'node:fs';\n` +
          `const response = await fetch(process.argv[2] + '/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: readFileSync(process.argv[3], 'utf8') }) });\n` +
          `if (!response.ok) { console.error('token request answered ' + response.status); process.exit(1); }\n` +
          `process.stdout.write((await response.json()).access_token + '\\n');\n`,
      );
      chmodSync(script, 0o700);
      const config = path.join(dir, 'airflow-repos.yaml');
      const write = (command: string[]) =>
        writeFileSync(
          config,
          `repositories:\n  - { name: team, url: ${repo.path}, path: ${repo.path}, branch: main }\n` +
            `environments:\n  - name: dev\n    target: { kind: folder, path: ${dags}, keep_releases: 5 }\n` +
            `    airflow: { url: "${airflow!.baseUrl}", version: 3, auth: command, command: ${JSON.stringify(command)} }\n`,
        );
      write([process.execPath, script, airflow.baseUrl, passwordFile]);
      repo.commit({ 'hello.py': dagSource('hello', 'by token command') });
      const noSecrets = { HANGAR_AIRFLOW_USERNAME: '', HANGAR_AIRFLOW_PASSWORD: '', HANGAR_AIRFLOW_TOKEN: '' };
      const deployed = await runHangar(['deploy', '--env', 'dev', '--json', '--timeout', '90', '--config', config], { env: noSecrets });
      assert.equal(deployed.code, 0, deployed.stderr);
      const record = JSON.parse(deployed.stdout) as HistoryRecord & { semanticDiff: Array<{ diff: { dags: { changed: Array<{ dagId: string }> } } }> };
      assert.equal(record.verification?.status, 'verified', record.verification?.message);
      assert.deepEqual(record.changes?.[0]?.lines, ['~ hello: description "one" → "by token command"']);
      assert.deepEqual(record.semanticDiff[0]!.diff.dags.changed.map((d) => d.dagId), ['hello']);

      const history = await runHangar(['history', '--env', 'dev', '--runs', '--config', config], { env: noSecrets });
      assert.equal(history.code, 0, history.stderr);
      assert.match(history.stdout, /runs: 1 run\(s\): 1 failed; median \d+\.\d s\n\s+runme\s+failed/);
      assert.match(history.stdout, /runs: 1 run\(s\): 1 success/);
      const json = JSON.parse((await runHangar(['history', '--env', 'dev', '--runs', '--json', '--config', config], { env: noSecrets })).stdout) as Array<{ version: number; runs: Array<{ state: string }> }>;
      assert.ok(json.some((r) => r.runs.some((x) => x.state === 'failed')));

      // A failing command is a clear error that shows neither what it printed on its standard output nor a token.
      const leaky = path.join(dir, 'leaky.mjs');
      writeFileSync(leaky, `process.stdout.write('stdout-secret-4711');\nconsole.error('the identity provider refused');\nprocess.exit(4);\n`);
      write([process.execPath, leaky]);
      const refused = await runHangar(['history', '--env', 'dev', '--runs', '--config', config], { env: noSecrets });
      assert.notEqual(refused.code, 0);
      assert.match(refused.stderr, /The Airflow token command ".*node.*" exited with code 4: the identity provider refused\. Run it yourself/);
      assert.ok(!`${refused.stdout}${refused.stderr}`.includes('stdout-secret-4711'), 'the command output is not echoed');
    });
  });
}
