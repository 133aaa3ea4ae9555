import { createHash } from 'node:crypto';
import path from 'node:path';
import { runDagTest } from '../../testing/dagTest';
import { runIntegrityTest } from '../../testing/integrity';
import type { PythonRunOptions } from '../../testing/pythonProcess';
import { version as hangarVersion } from '../../version';
import { OversizedFileError, readCatalogFile } from '../catalogFile';
import { normaliseName } from '../requirementsSpec';
import { resolveInside } from '../safePath';
import { airflowCompatible } from '../search';
import type { MarketEntry } from '../types';
import { sha256OfFile } from './fileDigests';
import { environmentFor, ProvidersNotInstallableError, type EnvironmentOptions, type VerifyEnvironment } from './environments';
import { EnvironmentUnavailableError } from './pythonTools';
import { createSandbox, isolation, type Sandbox, type SandboxFile } from './sandbox';
import { seedAirflowHome } from './templates';
import type { DagTestOutcome, EntryVerification, VersionResult } from './types';

export interface VerifyOptions extends EnvironmentOptions {
  /** Seconds one import, or one DAG's test, may take before its process tree is killed. */
  timeoutS: number;
  onProgress?: (line: string) => void;
}

const LOG_LIMIT = 16 * 1024;
const ERROR_LIMIT = 1000;
const tail = (text: string): string => (text.length > LOG_LIMIT ? `… ${text.slice(-LOG_LIMIT)}` : text);
const oneLine = (text: string): string => text.trim().split('\n')[0]!.slice(0, ERROR_LIMIT);

interface SandboxRun<T> {
  value?: T;
  thrown?: Error;
  /** What the sandbox refused ("writing /etc/x"). */
  refused: string[];
  timedOut: boolean;
  output: string;
}

/** Runs `work` in a new sandbox for the entry, watching the launcher's records for refusals and the time limit. */
async function inSandbox<T>(files: readonly SandboxFile[], env: VerifyEnvironment, options: VerifyOptions, work: (sandbox: Sandbox, watch: PythonRunOptions) => Promise<T>): Promise<SandboxRun<T>> {
  const run: SandboxRun<T> = { refused: [], timedOut: false, output: '' };
  const sandbox = createSandbox({ files, env, timeoutS: options.timeoutS });
  const watch = {
    // A backstop behind the launcher's own time limit (a DAG test's sandbox may first migrate a database).
    timeoutMs: (2 * options.timeoutS + 60) * 1000,
    onRecord: (record: Record<string, unknown>) => {
      if (record.type === 'sandbox') run.refused.push(`${String(record.action)} ${String(record.target)}`);
      if (record.type === 'fatal' && record.timeout === true) run.timedOut = true;
    },
    onOutput: (line: string) => {
      run.output = (run.output + line + '\n').slice(-4 * LOG_LIMIT);
    },
  };
  try {
    run.value = await work(sandbox, watch);
  } catch (error) {
    run.thrown = error as Error;
  } finally {
    sandbox.dispose();
  }
  // Logs are published: paths read as the catalog's, and this host's folders are not shown.
  const scrub = (text: string): string =>
    [[`${path.join(sandbox.root, 'dag')}/`, ''], [sandbox.root, '<sandbox>'], [env.root, '<airflow-env>'], [env.baseRoot, '<python>']].reduce((t, [from, to]) => t.split(from!).join(to), text);
  return { ...run, refused: run.refused.map(scrub), output: scrub(run.output), value: run.value === undefined ? undefined : (JSON.parse(scrub(JSON.stringify(run.value))) as T), thrown: run.thrown && new Error(scrub(run.thrown.message)) };
}

/** The verdict on a sandbox run that the sandbox or the clock ended, or undefined when it ran its course. */
function stopped(run: SandboxRun<unknown>, what: string, timeoutS: number): Partial<VersionResult> | undefined {
  if (run.timedOut) return { result: 'failed', stage: 'timeout', error: `${what} did not finish within ${timeoutS} s; its whole process tree was killed`, log: tail(run.output) };
  if (run.refused.length) return { result: 'failed', stage: 'sandbox', error: oneLine(`${what} was refused: ${[...new Set(run.refused)].join('; ')}`), log: tail(run.output) };
  if (run.thrown) return { result: 'error', error: oneLine(run.thrown.message), log: tail(run.output) };
  return undefined;
}

async function dagTests(files: readonly SandboxFile[], env: VerifyEnvironment, dags: readonly string[], options: VerifyOptions): Promise<{ outcomes: DagTestOutcome[]; failure?: Partial<VersionResult> }> {
  const outcomes: DagTestOutcome[] = [];
  for (const dagId of dags) {
    const run = await inSandbox(files, env, options, async (sandbox, watch) => {
      await seedAirflowHome(sandbox, env, options.timeoutS);
      return runDagTest(sandbox.launcher, sandbox.dagFile, dagId, { airflowHome: sandbox.airflowHome, ...watch });
    });
    const failure = stopped(run, `dag.test() of ${dagId}`, options.timeoutS);
    if (failure) return { outcomes, failure };
    const result = run.value!;
    outcomes.push({ dagId, state: result.state, tasks: result.tasks.map(({ taskId, state }) => ({ taskId, state })) });
    if (result.state !== 'success') {
      const why = result.error ? oneLine(result.error) : `the run ended ${result.state}`;
      // The failed task's own log when the run framed it, else everything the run printed.
      const log = result.firstFailure?.log || result.output;
      return { outcomes, failure: { result: 'failed', stage: 'dag_test', error: `dag.test() of ${dagId}: ${why}`, log: tail(log) } };
    }
  }
  return { outcomes };
}

/** Airflow and the entry's declared providers as the environment has them. */
function packagesOf(env: VerifyEnvironment, entry: MarketEntry): Record<string, string> {
  const names = ['apache-airflow', ...entry.providers.map((p) => normaliseName(p.name))];
  return Object.fromEntries(names.flatMap((name) => (env.distributions.has(name) ? [[name, env.distributions.get(name)!]] : [])));
}

async function verifyVersion(entry: MarketEntry, files: readonly SandboxFile[], airflow: string, options: VerifyOptions): Promise<VersionResult> {
  const started = Date.now();
  const verifiedAt = new Date().toISOString();
  const done = (fields: Partial<VersionResult>): VersionResult => ({ airflow, result: 'error', ...fields, durationMs: Date.now() - started, verifiedAt });
  if (!airflowCompatible(entry.airflowVersion, airflow)) return done({ result: 'skipped', error: `the entry supports Airflow ${entry.airflowVersion}` });
  let env: VerifyEnvironment;
  try {
    env = await environmentFor(airflow, entry.providers, options);
  } catch (error) {
    if (error instanceof ProvidersNotInstallableError) return done({ result: 'failed', stage: 'providers', error: oneLine(error.message), log: tail(error.log) });
    if (error instanceof EnvironmentUnavailableError) return done({ result: 'error', error: oneLine(error.message) });
    throw error;
  }
  const context = { packages: packagesOf(env, entry), python: env.pythonVersion };
  const imported = await inSandbox(files, env, options, (sandbox, watch) => runIntegrityTest(sandbox.launcher, [sandbox.dagFile], watch));
  const importStop = stopped(imported, 'the import', options.timeoutS);
  if (importStop) return done({ ...context, ...importStop });
  const file = imported.value!.files[0];
  if (!file) return done({ ...context, result: 'error', error: 'the integrity test reported no result for the file', log: tail(imported.output) });
  const parsed = { ...context, parseMs: file.parseMs, dags: file.dags.map((d) => d.dagId) };
  if (file.error) return done({ ...parsed, result: 'failed', stage: 'import', error: oneLine(file.error), log: tail(file.trace ?? ''), ...(file.line ? { line: file.line } : {}) });
  if (file.dags.length === 0) return done({ ...parsed, result: 'failed', stage: 'import', error: 'the file imports but defines no DAG' });
  if (!entry.verify?.dagTest) return done({ ...parsed, result: 'passed' });
  const tested = await dagTests(files, env, parsed.dags, options);
  return done({ ...parsed, dagTests: tested.outcomes, ...(tested.failure ?? { result: 'passed' }) });
}

/**
 * Verifies the entry's DAG file as it is in the catalog now on each Airflow version: its providers installed from
 * the package index, the integrity test (Airflow's DagBag import with Hangar's stubs) and, where the entry asks
 * for it (`verify: { dag_test: true }`), dag.test() of each DAG, every run in a sandbox. The record is keyed by the
 * sha256 of the bytes that were verified. A file over the size limit fails without running anything.
 */
export async function verifyEntry(entry: MarketEntry, catalogRoot: string, versions: readonly string[], options: VerifyOptions): Promise<EntryVerification> {
  const record = (sha256: string, results: VersionResult[]): EntryVerification => ({
    entry: entry.localId,
    version: entry.version,
    sha256,
    verifiedAt: new Date().toISOString(),
    hangar: hangarVersion,
    isolation: isolation(),
    results,
  });
  let files: SandboxFile[];
  try {
    files = [entry.sourcePath, ...entry.extraFiles].map((relative) => ({ relative, bytes: readCatalogFile(catalogRoot, relative) }));
  } catch (error) {
    if (!(error instanceof OversizedFileError)) throw error;
    const sha256 = sha256OfFile(resolveInside(catalogRoot, entry.sourcePath));
    const verifiedAt = new Date().toISOString();
    return record(sha256, versions.map((airflow) => ({ airflow, result: 'failed', stage: 'size', error: oneLine(error.message), durationMs: 0, verifiedAt })));
  }
  const sha256 = createHash('sha256').update(files[0]!.bytes).digest('hex');
  const results: VersionResult[] = [];
  for (const airflow of versions) {
    options.onProgress?.(`${entry.id}: verifying on Airflow ${airflow}`);
    results.push(await verifyVersion(entry, files, airflow, options));
  }
  return record(sha256, results);
}
