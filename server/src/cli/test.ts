import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { choosePython, describeEnvironment, requireAirflow } from '../pyenv/environment';
import { DEFAULT_DAG_TEST_TIMEOUT_S, runDagTest, type DagTestResult } from '../testing/dagTest';
import { runIntegrityTest, type IntegrityReport } from '../testing/integrity';
import { junitXml, type JUnitCase } from '../testing/junit';
import { mightContainDag, resolveCheckFiles } from './dagFiles';

interface TestOptions {
  python?: string;
  dag?: string;
  conf?: string;
  json?: boolean;
  junit?: string;
  env: string[];
  retries: string;
  timeout: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function wholeNumber(value: string, option: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${option} takes a whole number, not "${value}"`);
  return Number(value);
}

/** Ctrl-C or a SIGTERM of the CLI ends the Python processes too (they run in their own process group). */
function stopOnSignals(): AbortSignal {
  const abort = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.once(signal, () => abort.abort());
  return abort.signal;
}

function testEnv(pairs: readonly string[]): Record<string, string> {
  return Object.fromEntries(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new Error(`--env takes NAME=VALUE, not "${pair}"`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

function integrityCases(report: IntegrityReport): JUnitCase[] {
  return report.files.map((f) => ({
    suite: 'integrity',
    name: path.relative(process.cwd(), f.file),
    timeMs: f.parseMs,
    ...(f.error
      ? { failure: { message: `${f.error}${f.line ? ` (line ${f.line})` : ''}`, details: f.trace ?? '' } }
      : f.slow
        ? { failure: { message: `parse took ${f.parseMs} ms, over half of dagbag_import_timeout (${report.timeoutS} s)` } }
        : {}),
  }));
}

function dagCases(result: DagTestResult): JUnitCase[] {
  return [
    {
      suite: `dag ${result.dagId}`,
      name: 'run',
      timeMs: result.durationMs,
      // The message is the error's first line ("Task transform failed."); the log goes into the details.
      ...(result.state !== 'success' ? { failure: { message: result.error?.split('\n')[0] ?? `DAG run ${result.state}`, details: result.output.slice(-20_000) } } : {}),
    },
    ...result.tasks.map((t) => ({
      suite: `dag ${result.dagId}`,
      name: t.taskId,
      timeMs: 0,
      ...(t.state !== 'success' && t.state !== 'skipped' ? { failure: { message: `task ${t.state}` } } : {}),
    })),
  ];
}

/** `hangar test`: Airflow's own DagBag import of every DAG file (integrity), or `dag.test()` of one DAG. */
export function registerTest(program: Command): void {
  program
    .command('test')
    .description('import DAG files with Airflow (integrity test), or run one DAG with dag.test() (--dag)')
    .argument('[path]', 'DAG file or folder', '.')
    .option('--python <path>', 'interpreter of the Airflow environment (default: HANGAR_PYTHON, then python3)')
    .option('--dag <id>', 'run this DAG with dag.test() instead of the integrity test')
    .option('--conf <json>', 'run configuration for --dag (a JSON object)')
    .option('--env <NAME=VALUE>', 'environment variable for the DAGs (repeatable)', collect, [])
    .option('--retries <n>', 'retries of every task with --dag, replacing the DAG\'s own retries (retried at once)', '0')
    .option('--timeout <seconds>', 'with --dag: stop the run (and every process it started) after this long', String(DEFAULT_DAG_TEST_TIMEOUT_S))
    .option('--json', 'print results as JSON')
    .option('--junit <file>', 'also write a JUnit XML report')
    .addHelpText('after', '\nVariables answer their default (or "hangar-stub-<key>") and connections resolve to a placeholder, as in CI.')
    .action(async (target: string, options: TestOptions) => {
      const env = await describeEnvironment(choosePython(options.python));
      requireAirflow(env);
      const files = resolveCheckFiles([target], process.cwd()).filter(mightContainDag);
      const extraEnv = testEnv(options.env);
      const retries = wholeNumber(options.retries, '--retries');
      const timeoutMs = wholeNumber(options.timeout, '--timeout') * 1000;
      if (timeoutMs === 0) throw new Error('--timeout takes a number of seconds of at least 1');
      const signal = stopOnSignals();
      let cases: JUnitCase[];
      if (options.dag) {
        const file = files.length === 1 ? files[0]! : (await runIntegrityTest(env.python, files, { testEnv: extraEnv, signal })).files.find((f) => f.dags.some((d) => d.dagId === options.dag))?.file;
        if (!file) throw new Error(`No DAG "${options.dag}" under ${target}.`);
        const result = await runDagTest(env.python, file, options.dag, {
          airflowHome: path.join(os.homedir(), '.cache', 'hangar', 'airflow-test-home'),
          ...(options.conf ? { runConf: JSON.parse(options.conf) as Record<string, unknown> } : {}),
          testEnv: extraEnv,
          retries,
          timeoutMs,
          signal,
          ...(options.json ? {} : { onOutput: (line: string) => console.error(line) }),
        });
        cases = dagCases(result);
        if (options.json) console.log(JSON.stringify(result, null, 2));
        else {
          for (const t of result.tasks) console.log(`${t.state === 'success' ? 'ok  ' : 'FAIL'} ${result.dagId}.${t.taskId} ${t.state}`);
          console.log(`DAG ${result.dagId}: ${result.state} in ${(result.durationMs / 1000).toFixed(1)} s`);
          if (result.error) console.log(result.error);
        }
      } else {
        const report = await runIntegrityTest(env.python, files, { testEnv: extraEnv, signal });
        cases = integrityCases(report);
        if (options.json) console.log(JSON.stringify(report, null, 2));
        else {
          for (const f of report.files) {
            const where = path.relative(process.cwd(), f.file);
            if (f.error) console.log(`FAIL ${where}${f.line ? `:${f.line}` : ''}: ${f.error}`);
            else console.log(`${f.slow ? 'SLOW' : 'ok  '} ${where} (${f.dags.map((d) => d.dagId).join(', ') || 'no DAG'}) ${f.parseMs} ms`);
          }
          console.log(`${report.files.length} file(s) imported with Airflow ${report.airflow}: ${cases.filter((c) => c.failure).length} failed`);
        }
      }
      if (options.junit) writeFileSync(options.junit, junitXml(cases));
      if (cases.some((c) => c.failure)) process.exitCode = 1;
    });
}
