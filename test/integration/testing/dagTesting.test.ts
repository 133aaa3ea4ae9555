import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { checkDependencies } from '../../../server/src/deps/check';
import { installRequirements } from '../../../server/src/deps/install';
import { describeEnvironment, EnvironmentError, requireAirflow } from '../../../server/src/pyenv/environment';
import { runDagTest } from '../../../server/src/testing/dagTest';
import { runIntegrityTest } from '../../../server/src/testing/integrity';
import { ensureAirflowVenv, REPO_ROOT } from '../../support/airflow';
import { BROKEN_DIR, CLEAN_DIR, readManifest } from '../../support/brokenCorpus';
import { tempDir } from '../../support/gitRepos';
import { isAlive } from '../../support/processes';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'dagtest');

describe('DAG testing with the real Airflow 3 environment', () => {
  let python: string;
  // One AIRFLOW_HOME for the suite: its database is migrated once, as in the editor.
  const airflowHome = path.join(tempDir('dagtest'), 'home');
  before(async () => {
    python = await ensureAirflowVenv();
  });

  test('integrity test: clean DAGs import with their tasks, broken ones report Airflow\'s error on Airflow\'s line', async () => {
    const manifest = readManifest();
    const broken = Object.entries(manifest.files).filter(([, e]) => e.line).slice(0, 6);
    const clean = ['branching.py', 'chain_and_helpers.py'].map((f) => path.join(CLEAN_DIR, f));
    const report = await runIntegrityTest(python, [...clean, ...broken.map(([f]) => path.join(BROKEN_DIR, f))]);
    assert.match(report.airflow, /^3\./);
    assert.equal(report.timeoutS, 30);
    for (const file of clean) {
      const result = report.files.find((f) => f.file === file)!;
      assert.equal(result.error, undefined, `${file}: ${result.error}`);
      assert.ok(result.dags.length > 0 && result.dags[0]!.tasks.length > 0, `${file} lists its DAGs and tasks`);
      assert.ok(result.parseMs > 0);
    }
    for (const [name, entry] of broken) {
      const result = report.files.find((f) => f.file === path.join(BROKEN_DIR, name))!;
      assert.ok(result.error, `${name} should fail to import`);
      assert.equal(result.line, entry.line, `${name}: Airflow's line`);
    }
  });

  test('DAG test: a passing DAG runs every task to success with stubbed Variables', async () => {
    const lines: string[] = [];
    const result = await runDagTest(python, path.join(FIXTURES, 'passing_dag.py'), 'passing_pipeline', {
      airflowHome,
      onOutput: (line) => lines.push(line),
    });
    assert.equal(result.state, 'success', result.error ?? result.output.slice(-2000));
    assert.deepEqual(result.tasks.map((t) => `${t.taskId}:${t.state}`).sort(), ['extract:success', 'load:success']);
    assert.ok(lines.some((l) => l.includes('loaded 3 rows')), 'task output streams while the DAG runs');
  });

  test('DAG test: a failing task is reported as failed and its downstream as upstream_failed', async () => {
    const result = await runDagTest(python, path.join(FIXTURES, 'failing_dag.py'), 'failing_pipeline', { airflowHome });
    assert.equal(result.state, 'failed');
    const states = Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state]));
    assert.deepEqual(states, { extract: 'success', transform: 'failed', publish: 'upstream_failed' });
    assert.match(result.output, /invalid literal for int\(\) with base 10: 'twelve'/);
  });

  test('DAG test: a DAG with retries=12 ten minutes apart fails at the first failure, with the task\'s log', { timeout: 180_000 }, async () => {
    const result = await runDagTest(python, path.join(FIXTURES, 'retrying_dag.py'), 'retrying_pipeline', { airflowHome });
    assert.equal(result.state, 'failed', result.error ?? result.output.slice(-2000));
    assert.deepEqual(Object.fromEntries(result.tasks.map((t) => [t.taskId, t.state])), { extract: 'success', transform: 'failed' });
    assert.equal(result.firstFailure?.taskId, 'transform');
    assert.match(result.error ?? '', /^Task transform failed\./);
    assert.match(result.error ?? '', /transform received \{'amount': 'twelve'\}/, 'the message holds what the task printed');
    assert.match(result.error ?? '', /invalid literal for int\(\) with base 10: 'twelve'/, 'and its exception');
    assert.doesNotMatch(result.firstFailure?.log ?? '', /extract/i, 'the log is the failed task\'s own, not the whole run\'s');
  });

  test('DAG test: cancelling ends the interpreter and every process its task started, even one ignoring SIGTERM', { timeout: 180_000 }, async () => {
    const pidFile = path.join(tempDir('dagtest-cancel'), 'pids');
    const abort = new AbortController();
    const running = runDagTest(python, path.join(FIXTURES, 'hanging_dag.py'), 'hanging_pipeline', { airflowHome, testEnv: { HANGAR_PID_FILE: pidFile }, signal: abort.signal });
    const [pythonPid, childPid, group] = await waitForPids(pidFile, running);
    abort.abort();
    await assert.rejects(running, { name: 'AbortError' });
    assert.deepEqual([pythonPid, childPid].filter(isAlive), [], 'no process of the run is left');
    assert.equal(isAlive(-group), false, `process group ${group} is empty`);
  });

  test('hangar test --dag fails fast too, printing the failed task\'s log; --timeout takes seconds', { timeout: 180_000 }, () => {
    const cli = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');
    assert.ok(existsSync(cli), `${cli} is missing: run "npm run build" first`);
    const run = (...args: string[]) => spawnSync(process.execPath, [cli, 'test', path.join(FIXTURES, 'retrying_dag.py'), '--python', python, ...args], { encoding: 'utf8', env: { ...process.env, HOME: path.dirname(airflowHome) } });
    const failed = run('--dag', 'retrying_pipeline');
    assert.equal(failed.status, 1, failed.stderr.slice(-2000));
    assert.match(failed.stdout, /DAG retrying_pipeline: failed/);
    assert.match(failed.stdout, /Task transform failed\.[\s\S]*transform received[\s\S]*invalid literal for int/);
    const zero = run('--dag', 'retrying_pipeline', '--timeout', '0');
    assert.equal(zero.status, 2);
    assert.match(zero.stderr, /--timeout takes a number of seconds of at least 1/);
  });

  test('a DAG id the file does not define is a clear error', async () => {
    const result = await runDagTest(python, path.join(FIXTURES, 'passing_dag.py'), 'nope', { airflowHome });
    assert.equal(result.state, 'error');
    assert.match(result.error ?? '', /defines no DAG 'nope'.*passing_pipeline/);
  });
});

/** The pids the hanging task writes once it runs; fails early if the run ends first. */
async function waitForPids(file: string, running: Promise<unknown>): Promise<number[]> {
  let ended = false;
  void running.then(() => (ended = true), () => (ended = true));
  while (!existsSync(file)) {
    if (ended) throw new Error('the DAG test ended before its task started');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return readFileSync(file, 'utf8').trim().split(' ').map(Number);
}

describe('dependencies against a real environment', () => {
  test('a missing package is reported, and disappears once Install missing requirements installs it into a throw-away venv', async () => {
    const root = tempDir('deps');
    const venv = path.join(root, 'venv');
    execFileSync('python3', ['-m', 'venv', venv]);
    const python = path.join(venv, 'bin', 'python');
    const repo = path.join(root, 'repo');
    mkdirSync(path.join(repo, 'dags'), { recursive: true });
    writeFileSync(path.join(repo, 'requirements.txt'), 'six>=1.10\n');
    const dag = path.join(repo, 'dags', 'uses_six.py');
    writeFileSync(dag, '"""Uses six.\n\nDependencies:\n    six>=1.10\n"""\nimport json\nimport six\nimport helpers\nfrom airflow.sdk import DAG\n');
    writeFileSync(path.join(repo, 'dags', 'helpers.py'), 'X = 1\n');
    let findings = await checkDependencies({ root: repo, files: [dag], env: await describeEnvironment(python) });
    const six = findings.find((f) => f.ruleId === 'HGR501' && f.distribution === 'six');
    assert.ok(six, JSON.stringify(findings));
    assert.equal(six.range.start.line, 6, 'on the import line');
    assert.ok(!findings.some((f) => f.message.includes('"json"') || f.message.includes('"helpers"')), 'standard library and local modules need nothing');
    assert.ok(findings.some((f) => f.ruleId === 'HGR502' && f.file.endsWith('requirements.txt')), 'the declared requirement is not satisfied');

    await installRequirements(python, ['six>=1.10']);
    findings = await checkDependencies({ root: repo, files: [dag], env: await describeEnvironment(python) });
    assert.ok(!findings.some((f) => f.distribution === 'six' || f.ruleId === 'HGR502'), JSON.stringify(findings));
    // Airflow itself is still missing in this venv: that is reported too, and a test run says how to fix it.
    assert.ok(findings.some((f) => f.ruleId === 'HGR501' && f.distribution?.startsWith('apache-airflow')));
    assert.throws(() => requireAirflow({ python, pythonVersion: '3.11', distributions: new Map(), modules: new Map(), stdlib: new Set() }), EnvironmentError);
  });

  test('two DAGs pinning incompatible versions, and an undeclared provider, are reported', async () => {
    const python = await ensureAirflowVenv();
    const repo = tempDir('deps-pins');
    mkdirSync(path.join(repo, 'dags'));
    const a = path.join(repo, 'dags', 'a.py');
    const b = path.join(repo, 'dags', 'b.py');
    writeFileSync(a, '"""A.\n\nDependencies:\n    pendulum==3.0.0\n"""\nfrom airflow.providers.standard.operators.bash import BashOperator\n');
    writeFileSync(b, '"""B.\n\nDependencies:\n    pendulum<3\n"""\nfrom airflow.sdk import DAG\n');
    const findings = await checkDependencies({ root: repo, files: [a, b], env: await describeEnvironment(python) });
    assert.deepEqual(findings.filter((f) => f.ruleId === 'HGR503').map((f) => path.basename(f.file)).sort(), ['a.py', 'b.py']);
    const provider = findings.find((f) => f.ruleId === 'HGR504');
    assert.equal(provider?.distribution, 'apache-airflow-providers-standard');
    assert.equal(readFileSync(a, 'utf8').includes('pendulum'), true);
  });

  test('no interpreter gives an error that says what to do', async () => {
    await assert.rejects(describeEnvironment('/nonexistent/python3'), /No Python interpreter at "\/nonexistent\/python3"\. Select/);
  });
});
