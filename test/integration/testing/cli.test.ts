import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { airflowPythonOrSkip, prerequisite } from '../../support/airflow';
import { BROKEN_DIR, CLEAN_DIR, readManifest } from '../../support/brokenCorpus';
import { runHangar } from '../../support/cli';
import { tempDir } from '../../support/gitRepos';
import { readJUnit } from '../../support/junit';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'dagtest');
const dagFile = (dagId: string, imports: string) => `${imports}\nfrom airflow.sdk import DAG\n\nwith DAG(dag_id="${dagId}", schedule=None):\n    pass\n`;

describe('hangar test and hangar deps check (the shipped CLI, a real Airflow 3 environment)', () => {
  let python: string | undefined;
  before(async () => {
    python = await airflowPythonOrSkip();
  });

  test('hangar test: the integrity test imports every file with Airflow, fails on Airflow\'s line, and writes a JUnit report', async (t) => {
    if (!prerequisite(t, python, 'the Airflow environment could not be installed')) return;
    const dir = tempDir('cli-integrity');
    const broken = Object.entries(readManifest().files).filter(([, entry]) => entry.line).slice(0, 2);
    for (const [name] of broken) copyFileSync(path.join(BROKEN_DIR, name), path.join(dir, name));
    for (const name of ['branching.py', 'chain_and_helpers.py']) copyFileSync(path.join(CLEAN_DIR, name), path.join(dir, name));
    const run = await runHangar(['test', '.', '--python', python, '--junit', 'report.xml'], { cwd: dir, timeoutMs: 300_000 });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    for (const [name, entry] of broken) assert.match(run.stdout, new RegExp(`^FAIL ${name.replace('.', '\\.')}:${entry.line}: `, 'm'));
    assert.match(run.stdout, /^ok {3}branching\.py \(/m);
    assert.match(run.stdout, /^4 file\(s\) imported with Airflow 3\.\d+\.\d+: 2 failed$/m);

    const report = readJUnit(path.join(dir, 'report.xml'));
    assert.deepEqual(report.suites.map((s) => s.name), ['integrity']);
    const cases = new Map(report.suites[0]!.cases.map((c) => [c.name, c]));
    assert.deepEqual([...cases.keys()].sort(), [...broken.map(([name]) => name), 'branching.py', 'chain_and_helpers.py'].sort());
    for (const [name, entry] of broken) assert.match(cases.get(name)?.failure?.message ?? '', new RegExp(`\\(line ${entry.line}\\)$`), name);
    assert.equal(cases.get('branching.py')?.failure, undefined);
  });

  test('hangar test --dag: runs the DAG with dag.test(), exits 1 on a failed task, and reports each task in JUnit', async (t) => {
    if (!prerequisite(t, python, 'the Airflow environment could not be installed')) return;
    const dir = tempDir('cli-dagtest');
    copyFileSync(path.join(FIXTURES, 'failing_dag.py'), path.join(dir, 'failing_dag.py'));
    // The DAG test keeps its Airflow home under ~/.cache/hangar: a scratch HOME keeps it out of the user's.
    const run = await runHangar(['test', 'failing_dag.py', '--dag', 'failing_pipeline', '--python', python, '--junit', 'dag.xml'], { cwd: dir, env: { HOME: dir }, timeoutMs: 600_000 });
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^ok {3}failing_pipeline\.extract success$/m);
    assert.match(run.stdout, /^FAIL failing_pipeline\.transform failed$/m);
    assert.match(run.stdout, /^DAG failing_pipeline: failed/m);
    assert.match(run.stderr, /invalid literal for int\(\) with base 10: 'twelve'/, 'the task\'s traceback streams to stderr');
    const report = readJUnit(path.join(dir, 'dag.xml'));
    assert.deepEqual(report.suites.map((s) => s.name), ['dag failing_pipeline']);
    const [runCase, ...tasks] = report.suites[0]!.cases.map((c) => [c.name, c.failure?.message]);
    assert.deepEqual(runCase, ['run', 'Task transform failed.'], 'the first failed task names the run\'s failure');
    assert.deepEqual(tasks.sort(), [
      ['extract', undefined],
      ['publish', 'task upstream_failed'],
      ['transform', 'task failed'],
    ]);
  });

  test('hangar deps check: exit 0 when nothing is missing or only warnings, 1 for a missing package, 2 without an interpreter', async (t) => {
    if (!prerequisite(t, python, 'the Airflow environment could not be installed')) return;
    const repo = tempDir('cli-deps');
    mkdirSync(path.join(repo, 'dags'));
    writeFileSync(path.join(repo, 'dags', 'ok.py'), dagFile('ok', 'import json'));
    const clean = await runHangar(['deps', 'check', '.', '--python', python], { cwd: repo });
    assert.equal(clean.code, 0, clean.stdout + clean.stderr);
    assert.match(clean.stdout, /1 DAG file\(s\) checked against .* \(Airflow 3\.\d+\.\d+\): 0 finding\(s\)/);

    writeFileSync(path.join(repo, 'requirements.txt'), 'hangar-never-installed-pkg>=1\n');
    const warning = await runHangar(['deps', 'check', '.', '--python', python, '--json'], { cwd: repo });
    assert.equal(warning.code, 0, warning.stdout + warning.stderr);
    assert.deepEqual((JSON.parse(warning.stdout) as { findings: Array<{ ruleId: string; severity: string }> }).findings.map((f) => [f.ruleId, f.severity]), [['HGR502', 'warning']]);

    writeFileSync(path.join(repo, 'dags', 'missing.py'), dagFile('missing', 'import hangar_never_installed_module'));
    const missing = await runHangar(['deps', 'check', '.', '--python', python], { cwd: repo });
    assert.equal(missing.code, 1, missing.stdout + missing.stderr);
    assert.match(missing.stdout, /^dags\/missing\.py:1:1: HGR501 \[missing-package\] "hangar_never_installed_module"/m);

    const noPython = await runHangar(['deps', 'check', '.', '--python', path.join(repo, 'no-such-python')], { cwd: repo });
    assert.equal(noPython.code, 2);
    assert.match(noPython.stderr, /No Python interpreter at .*no-such-python.*--python/);
  });
});
