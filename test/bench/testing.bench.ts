/**
 * Integrity test of 100 DAG files against a plain DagBag import of the same folder (same run, same
 * interpreter), and the dependency check of 1,000 DAG files once the package list is cached.
 */
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { createPythonParser } from '../../server/src/analysis/parser';
import { checkDependencies } from '../../server/src/deps/check';
import { describeEnvironment } from '../../server/src/pyenv/environment';
import { runIntegrityTest } from '../../server/src/testing/integrity';
import { ensureAirflowVenv } from '../support/airflow';
import { CACHE } from '../support/venv';
import { measureProcess, median, printTable, type Bench } from './bench';
import { benchCorpusFiles } from './corpus';

const INTEGRITY_FILES = 100;
const DEPS_FILES = 1000;

const bench: Bench = {
  name: 'testing',
  description: `integrity test of ${INTEGRITY_FILES} DAG files vs a plain DagBag import; dependency check of ${DEPS_FILES} files`,
  async run() {
    const python = await ensureAirflowVenv();
    const folder = path.join(CACHE, 'bench-integrity');
    rmSync(folder, { recursive: true, force: true });
    mkdirSync(folder, { recursive: true });
    const files = benchCorpusFiles(DEPS_FILES);
    const sample = files.slice(0, INTEGRITY_FILES).map((file) => {
      const target = path.join(folder, path.basename(file));
      copyFileSync(file, target);
      return target;
    });
    const env = { ...process.env, AIRFLOW_HOME: path.join(CACHE, 'bench-airflow-home'), AIRFLOW__CORE__LOAD_EXAMPLES: 'False' };

    const dagbag = await measureProcess(python, ['-c', `from airflow.dag_processing.dagbag import DagBag; DagBag(dag_folder=${JSON.stringify(folder)}, safe_mode=False)`], { env });
    let started = performance.now();
    const report = await runIntegrityTest(python, sample, { env });
    const integrityMs = performance.now() - started;
    const parse = report.files.map((f) => f.parseMs);
    const slowest = [...report.files].sort((a, b) => b.parseMs - a.parseMs).slice(0, 5);

    const environment = await describeEnvironment(python);
    started = performance.now();
    await checkDependencies({ root: path.dirname(files[0]!), files, env: environment });
    const firstDepsMs = performance.now() - started;
    started = performance.now();
    const findings = await checkDependencies({ root: path.dirname(files[0]!), files, env: environment });
    const depsMs = performance.now() - started;

    const parser = await createPythonParser();
    started = performance.now();
    for (const file of files) parser.parse(readFileSync(file, 'utf8'))?.delete();
    const parseMs = performance.now() - started;

    printTable(`Integrity test vs Airflow's DagBag (${INTEGRITY_FILES} files, same interpreter, Airflow ${report.airflow})`, [
      ['measure', 'value'],
      ['plain DagBag import of the folder (process wall time)', `${(dagbag.wallMs / 1000).toFixed(2)} s`],
      ['hangar integrity test (process wall time, per-file timing and stubs)', `${(integrityMs / 1000).toFixed(2)} s`],
      ['Hangar over DagBag', `${((integrityMs / dagbag.wallMs - 1) * 100).toFixed(0)} %`],
      ['per-file parse time: median / max', `${median(parse).toFixed(1)} ms / ${Math.max(...parse).toFixed(1)} ms`],
      ['files with an import error', String(report.files.filter((f) => f.error).length)],
    ]);
    printTable('Slowest files to parse', [['file', 'parse ms'], ...slowest.map((f) => [path.basename(f.file), f.parseMs.toFixed(1)])]);
    printTable(`Dependency check (${DEPS_FILES} DAG files, package list cached)`, [
      ['measure', 'value', 'target'],
      ['first check (parser start-up included)', `${firstDepsMs.toFixed(0)} ms`, '-'],
      ['check with everything warm', `${depsMs.toFixed(0)} ms`, '≤ 2000 ms'],
      ['floor: reading and parsing the same files', `${parseMs.toFixed(0)} ms`, '-'],
      ['findings', String(findings.length), '-'],
    ]);
  },
};

export default bench;
