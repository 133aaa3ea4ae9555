import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { airflowPythonOrSkip, dagbagImport, gitDagBundle, startAirflow, waitFor, type RunningAirflow, prerequisite } from '../support/airflow';

const fixtures = path.join(__dirname, '..', 'fixtures');

/**
 * PIDs of live processes in these process groups (read from /proc/PID/stat: Airflow renames its processes
 * with setproctitle, so their command line and environment cannot identify them).
 */
function processesIn(groups: number[]): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state !== 'Z' && groups.includes(Number(pgrp))) pids.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return pids;
}

describe('Airflow harness: DagBag import check', () => {
  let python: string | undefined;
  before(async (t) => {
    python = await airflowPythonOrSkip(t);
  });

  test('reports the DAG ids of a clean file and the error line of a broken one', async (t) => {
    if (!prerequisite(t, python, 'Airflow not available')) return;
    const clean = path.join(fixtures, 'clean', 'taskflow_etl.py');
    const broken = path.join(fixtures, 'broken', 'syntax_missing_colon.py');
    const [cleanResult, brokenResult] = await dagbagImport(python, [clean, broken]);
    assert.deepEqual(cleanResult?.dag_ids, ['taskflow_etl']);
    assert.equal(cleanResult?.error, null);
    assert.equal(brokenResult?.dag_ids.length, 0);
    assert.match(brokenResult?.error ?? '', /SyntaxError/);
    assert.equal(typeof brokenResult?.line, 'number');
    assert.ok((brokenResult?.parse_ms ?? -1) >= 0);
  });
});

/** A bare repository whose `main` has dags/<file> from the clean fixtures; returns its file URL and the commit. */
function gitOriginWith(file: string): { url: string; sha: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-git-bundle-'));
  const work = path.join(dir, 'work');
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  mkdirSync(path.join(work, 'dags'), { recursive: true });
  copyFileSync(path.join(fixtures, 'clean', file), path.join(work, 'dags', file));
  git(work, 'init', '-q', '-b', 'main');
  git(work, 'add', '.');
  git(work, '-c', 'user.name=Hangar Test', '-c', 'user.email=test@hangar.invalid', 'commit', '-q', '-m', 'Add DAG');
  git(dir, 'clone', '-q', '--bare', work, 'origin.git');
  return { url: `file://${path.join(dir, 'origin.git')}`, sha: git(work, 'rev-parse', 'HEAD'), dir };
}

describe('Airflow harness: a running Airflow 3', () => {
  let airflow: RunningAirflow | undefined;
  let origin: { url: string; sha: string; dir: string } | undefined;
  before(async (t) => {
    if (!(await airflowPythonOrSkip(t))) return;
    origin = gitOriginWith('branching.py');
    airflow = await startAirflow({ bundles: [gitDagBundle('team', origin.url, { trackingRef: 'main', subdir: 'dags' })] });
  });
  after(async () => {
    if (origin) rmSync(origin.dir, { recursive: true, force: true });
    if (!airflow) return;
    const groups = airflow.processGroups;
    assert.ok(processesIn(groups).length >= 2, 'the api-server and the dag-processor run in the recorded groups');
    await airflow.stop();
    assert.deepEqual(processesIn(groups), [], 'stop() must leave no Airflow process behind');
  });

  test('serves the DAGs of its DAGs folder through /api/v2 with a token from /auth/token', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const running = airflow;
    copyFileSync(path.join(fixtures, 'clean', 'taskflow_etl.py'), path.join(running.dagsFolder, 'taskflow_etl.py'));
    const dag = await waitFor('taskflow_etl listed by the REST API', async () => (await running.dags()).find((d) => d.dag_id === 'taskflow_etl'), 90_000, 500);
    assert.equal(dag.bundle_name, 'dags-folder');
    const versions = await running.dagVersions('taskflow_etl');
    assert.equal(versions[0]?.version_number, 1);
    assert.equal(versions[0]?.bundle_name, 'dags-folder');
  });

  test('serves the DAGs of a Git DAG bundle with the commit as bundle_version', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available') || !prerequisite(t, origin, 'Airflow not available')) return;
    const running = airflow;
    const dag = await waitFor('load_path_branching listed from the Git bundle', async () => (await running.dags()).find((d) => d.dag_id === 'load_path_branching'), 90_000, 500);
    assert.equal(dag.bundle_name, 'team');
    const versions = await running.dagVersions('load_path_branching');
    assert.equal(versions[0]?.bundle_name, 'team');
    assert.equal(versions[0]?.bundle_version, origin.sha);
  });

  test('reports an import error for a file Airflow cannot import', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const running = airflow;
    writeFileSync(path.join(running.dagsFolder, 'broken.py'), 'from airflow.sdk import DAG\nwith DAG("x" schedule=None):\n    pass\n');
    const error = await waitFor('the import error of broken.py', async () => (await running.importErrors()).find((e) => e.filename.endsWith('broken.py')), 90_000, 500);
    assert.match(error.stack_trace, /SyntaxError/);
  });

  test('the api-server answers 401 without a token', async (t) => {
    if (!prerequisite(t, airflow, 'Airflow not available')) return;
    const response = await fetch(`${airflow.baseUrl}/api/v2/dags`);
    assert.equal(response.status, 401);
  });
});

describe('Airflow harness: no process outlives a killed test process', () => {
  test('SIGKILL of the process that started Airflow takes Airflow down', async (t) => {
    if (!(await airflowPythonOrSkip(t))) return;
    const script = `
      const { startAirflow } = require(${JSON.stringify(path.join(__dirname, '..', 'support', 'airflow.ts'))});
      startAirflow().then((a) => { process.stdout.write(JSON.stringify({ home: a.airflowHome, groups: a.processGroups }) + '\\n'); setInterval(() => {}, 1000); });
    `;
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const started = await waitFor('the child to start Airflow', () => (out.includes('\n') ? (JSON.parse(out) as { home: string; groups: number[] }) : undefined), 180_000, 250);
    assert.ok(processesIn(started.groups).length >= 2, 'Airflow should be running');
    child.kill('SIGKILL');
    await waitFor('every Airflow process of the killed test to exit', () => processesIn(started.groups).length === 0, 30_000, 250);
    rmSync(started.home, { recursive: true, force: true });
  });
});
