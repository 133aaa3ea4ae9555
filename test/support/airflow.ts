/**
 * The project's real-Airflow harness: a virtual environment with Apache Airflow 3.3, a throw-away
 * Airflow (api-server + dag-processor, SQLite) for integration tests, and Airflow's own DagBag import
 * check. Everything is real; nothing here mocks Airflow.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CACHE, ensureVenv, PrerequisiteError, progress, requirementsDigest, run, type VenvSpec } from './venv';

export { REPO_ROOT } from './venv';

const PYTHON_SUPPORT = path.join(__dirname, 'python');
const AIRFLOW_VENV: VenvSpec = { name: 'airflow-venv', requirements: path.join(PYTHON_SUPPORT, 'requirements-airflow.txt'), label: 'Apache Airflow' };
const DB_TEMPLATE_DIR = path.join(CACHE, 'airflow-db-template');

const inCI = /^(1|true)$/i.test(process.env.CI ?? '');

/** Airflow cannot be had or started: the message names what is missing and how to provide it. */
export class AirflowUnavailableError extends PrerequisiteError {
  override name = 'AirflowUnavailableError';
}

async function timed<T>(timings: Record<string, number>, step: string, work: () => Promise<T> | T): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    timings[step] = Math.round(performance.now() - started);
  }
}

async function airflowVersion(python: string): Promise<string> {
  return (await run(python, ['-c', 'import airflow; print(airflow.__version__)'])).trim();
}

let venvReady: Promise<string> | undefined;

/**
 * The python of a virtual environment with Apache Airflow 3.3 (see requirements-airflow.txt).
 * HANGAR_AIRFLOW_PYTHON points at an existing one instead. Creates `.cache/airflow-venv` once;
 * concurrent callers (test files, engineers) wait on one install through a lock.
 */
export function ensureAirflowVenv(): Promise<string> {
  venvReady ??= (async () => {
    const override = process.env.HANGAR_AIRFLOW_PYTHON;
    if (override) {
      const version = await airflowVersion(override);
      if (!version.startsWith('3.')) throw new AirflowUnavailableError(`HANGAR_AIRFLOW_PYTHON=${override} has Apache Airflow ${version}; Hangar's harness needs Airflow 3.`);
      return override;
    }
    return ensureVenv(AIRFLOW_VENV);
  })().catch((error: unknown) => {
    venvReady = undefined;
    const reason = error instanceof Error ? error.message : String(error);
    const hint = process.env.HANGAR_AIRFLOW_PYTHON
      ? `HANGAR_AIRFLOW_PYTHON=${process.env.HANGAR_AIRFLOW_PYTHON} must be the python of a virtual environment with Apache Airflow 3 (or unset it to let the harness install one).`
      : 'It needs Python 3.10-3.13 with venv and access to the Python package index (pip, uv); or set HANGAR_AIRFLOW_PYTHON to an existing Airflow 3 venv.';
    throw new AirflowUnavailableError(`The Apache Airflow test environment is not available: ${reason}\n${hint}`);
  });
  return venvReady;
}

/** The `airflow` command of the venv that `python` belongs to. */
export function airflowExecutable(python: string): string {
  return path.join(path.dirname(python), 'airflow');
}

/**
 * For tests and hooks: the Airflow python, or undefined outside CI when it cannot be had (a test context
 * is skipped with the reason; tests of a suite whose hook got undefined skip themselves). Under CI=true
 * a missing Airflow fails with the reason.
 */
export async function airflowPythonOrSkip(context?: object): Promise<string | undefined> {
  try {
    return await ensureAirflowVenv();
  } catch (error) {
    if (inCI) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    progress(`skipping: ${reason}`);
    if (context && 'skip' in context && typeof context.skip === 'function') context.skip(reason);
    return undefined;
  }
}

/**
 * Guards a test on a prerequisite its suite's hook prepared: skips with the reason outside CI, fails under
 * CI=true (CI must prove what the README promises). Returns true when the test may go on.
 */
export function prerequisite<T>(context: { skip(message?: string): void }, ready: T, reason: string): ready is NonNullable<T> {
  if (ready) return true;
  if (inCI) throw new Error(`${reason} (CI=true: a missing prerequisite fails the run)`);
  context.skip(reason);
  return false;
}

// ---------------------------------------------------------------------------------------------
// DagBag: Airflow's own import check

export interface DagBagResult {
  file: string;
  dag_ids: string[];
  /** Each DAG's task dependencies, "upstream>downstream" by task id, sorted. */
  edges: Record<string, string[]>;
  /** Airflow's import error text (a traceback or "ExceptionName: message"), null when the file imports. */
  error: string | null;
  /** The exception's class name, e.g. "SyntaxError" or "DuplicateTaskIdFound". */
  exception: string | null;
  /** The "Name: message" line of the error. */
  summary: string | null;
  /** The line in `file` that Airflow's traceback points at, null when Airflow gives none. */
  line: number | null;
  parse_ms: number;
}

/**
 * Imports each file (folders are walked for *.py) with `DagBag(dag_folder=file, safe_mode=False)`.
 * `env` adds variables for the import, for example AIRFLOW_CONN_* / AIRFLOW_VAR_* stubs.
 */
export async function dagbagImport(python: string, paths: string | string[], options: { env?: Record<string, string> } = {}): Promise<DagBagResult[]> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'hangar-dagbag-'));
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      const child = spawn(python, [path.join(PYTHON_SUPPORT, 'dagbag_check.py'), ...[paths].flat()], {
        env: { ...process.env, AIRFLOW_HOME: home, AIRFLOW__CORE__LOAD_EXAMPLES: 'False', ...options.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
      child.on('error', reject);
      child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`dagbag_check.py exited with ${code}:\n${err.slice(-4000)}`))));
    });
    return stdout
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as DagBagResult);
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// A running Airflow

export interface DagBundleConfig {
  name: string;
  classpath: string;
  kwargs: Record<string, unknown>;
}

/** A Git DAG bundle (apache-airflow-providers-git) tracking `trackingRef` of `repoUrl`. */
export function gitDagBundle(name: string, repoUrl: string, options: { trackingRef?: string; subdir?: string; refreshInterval?: number } = {}): DagBundleConfig {
  return {
    name,
    classpath: 'airflow.providers.git.bundles.git.GitDagBundle',
    kwargs: { repo_url: repoUrl, tracking_ref: options.trackingRef ?? 'main', subdir: options.subdir ?? 'dags', refresh_interval: options.refreshInterval ?? 2 },
  };
}

export interface StartAirflowOptions {
  /** The `dags-folder` bundle's folder; a new empty folder under AIRFLOW_HOME when omitted. */
  dagsFolder?: string;
  /** Extra DAG bundles (for example gitDagBundle(...)); the dags-folder bundle is kept unless `dagsFolderBundle: false`. */
  bundles?: DagBundleConfig[];
  dagsFolderBundle?: boolean;
  /** Also run `airflow scheduler` (needed only to run tasks). */
  scheduler?: boolean;
  /** Extra AIRFLOW__* settings. */
  env?: Record<string, string>;
  /** How long to wait for the api-server's health endpoint. */
  startTimeoutMs?: number;
  /** The password of the `admin` user; Airflow generates one when omitted. */
  password?: string;
}

export interface AirflowDag {
  dag_id: string;
  dag_display_name: string;
  fileloc: string;
  relative_fileloc: string | null;
  bundle_name: string | null;
  bundle_version: string | null;
  is_paused: boolean;
  is_stale: boolean;
  tags: { name: string }[];
}

export interface AirflowImportError {
  import_error_id: number;
  timestamp: string;
  filename: string;
  bundle_name: string | null;
  stack_trace: string;
}

export interface AirflowDagVersion {
  id: string;
  version_number: number;
  dag_id: string;
  bundle_name: string | null;
  bundle_version: string | null;
  created_at: string;
}

export interface AirflowLogs {
  folder: string;
  /** The text of one process's log (`api-server`, `dag-processor`, `scheduler`, `db-migrate`). */
  read(name: string): string;
  /** The last lines of every log, for an assertion message. */
  tail(lines?: number): string;
}

export interface RunningAirflow {
  baseUrl: string;
  username: string;
  password: string;
  airflowHome: string;
  dagsFolder: string;
  logs: AirflowLogs;
  /** Milliseconds per start-up step. */
  timings: Record<string, number>;
  /** The process groups of the Airflow processes (one per command, each led by its supervisor). */
  processGroups: number[];
  /** A JWT for `Authorization: Bearer` (cached). */
  token(): Promise<string>;
  /** Authenticated GET of an `/api/v2/...` path; throws with the status and body on an error status. */
  get<T>(apiPath: string): Promise<T>;
  request(method: string, apiPath: string, body?: unknown): Promise<Response>;
  dags(): Promise<AirflowDag[]>;
  importErrors(): Promise<AirflowImportError[]>;
  dagVersions(dagId: string): Promise<AirflowDagVersion[]>;
  /** Kills every process this Airflow started and removes AIRFLOW_HOME. Safe to call twice. */
  stop(): Promise<void>;
}

/** Polls `probe` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 60_000, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Process groups still running, killed on exit whatever way the test process ends. */
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      for (const pid of liveGroups) killGroup(pid, 'SIGKILL');
      process.exit(128 + (os.constants.signals[signal] ?? 0));
    });
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Starts `airflow ARGS` as the leader-supervised process group; output goes to logs/<name>.log. */
function startProcess(python: string, name: string, args: string[], env: NodeJS.ProcessEnv, logFolder: string): ChildProcess {
  installExitHooks();
  const log = createWriteStream(path.join(logFolder, `${name}.log`));
  const airflow = airflowExecutable(python);
  const child = spawn(python, [path.join(PYTHON_SUPPORT, 'supervise.py'), airflow, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  if (child.pid) liveGroups.add(child.pid);
  return child;
}

async function stopProcess(child: ChildProcess): Promise<void> {
  const pid = child.pid;
  if (!pid) return;
  killGroup(pid, 'SIGTERM');
  try {
    await waitFor(`airflow process group ${pid} to exit`, () => !groupAlive(pid), 15_000, 100);
  } catch {
    killGroup(pid, 'SIGKILL');
    await waitFor(`airflow process group ${pid} to die`, () => !groupAlive(pid), 5_000, 100);
  }
  liveGroups.delete(pid);
}

/** `airflow db migrate` once per Airflow installation; each Airflow then starts from a copy. */
async function migratedDatabase(python: string, env: NodeJS.ProcessEnv, logFolder: string): Promise<string> {
  const interpreter = createHash('sha256').update(python).digest('hex').slice(0, 8); // HANGAR_AIRFLOW_PYTHON may be another Airflow
  const template = path.join(DB_TEMPLATE_DIR, `airflow-${requirementsDigest(AIRFLOW_VENV)}-${interpreter}.db`);
  if (existsSync(template)) return template;
  mkdirSync(DB_TEMPLATE_DIR, { recursive: true });
  const scratch = mkdtempSync(path.join(DB_TEMPLATE_DIR, 'migrate-'));
  try {
    const db = path.join(scratch, 'airflow.db');
    const migrateEnv = { ...env, AIRFLOW_HOME: scratch, AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${db}` };
    const output = await run(airflowExecutable(python), ['db', 'migrate'], { env: migrateEnv });
    writeFileSync(path.join(logFolder, 'db-migrate.log'), output);
    renameSync(db, template); // atomic: a concurrent migration of the same digest just wins or loses the rename
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  return template;
}

/**
 * Starts a throw-away Airflow 3 (api-server + dag-processor, optional scheduler) on 127.0.0.1 with a
 * temporary AIRFLOW_HOME and SQLite. Call `stop()` in an `after` hook; processes are also killed when
 * the test process exits.
 */
export async function startAirflow(options: StartAirflowOptions = {}): Promise<RunningAirflow> {
  const timings: Record<string, number> = {};
  const started = performance.now();
  const python = await timed(timings, 'venv', ensureAirflowVenv);
  const airflowHome = mkdtempSync(path.join(os.tmpdir(), 'hangar-airflow-'));
  const logFolder = path.join(airflowHome, 'logs', 'harness');
  mkdirSync(logFolder, { recursive: true });
  const dagsFolder = options.dagsFolder ?? path.join(airflowHome, 'dags');
  mkdirSync(dagsFolder, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const username = 'admin';

  const bundles: DagBundleConfig[] = [
    ...(options.dagsFolderBundle === false ? [] : [{ name: 'dags-folder', classpath: 'airflow.dag_processing.bundles.local.LocalDagBundle', kwargs: {} }]),
    ...(options.bundles ?? []),
  ];
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    AIRFLOW_HOME: airflowHome,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS: `${username}:admin`,
    AIRFLOW__CORE__EXECUTION_API_SERVER_URL: `${baseUrl}/execution/`,
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(airflowHome, 'airflow.db')}`,
    AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL: '2',
    AIRFLOW__DAG_PROCESSOR__PARSING_PROCESSES: '1',
    AIRFLOW__DAG_PROCESSOR__BUNDLE_REFRESH_CHECK_INTERVAL: '1',
    AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST: JSON.stringify(bundles),
    AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH: path.join(airflowHome, 'bundles'),
    AIRFLOW__API__WORKERS: '1',
    AIRFLOW__API__BASE_URL: baseUrl,
    AIRFLOW__API__SECRET_KEY: randomBytes(16).toString('hex'),
    AIRFLOW__API_AUTH__JWT_SECRET: randomBytes(32).toString('hex'),
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(airflowHome, 'logs'),
    ...options.env,
  };

  const passwordFile = path.join(airflowHome, 'simple_auth_manager_passwords.json.generated');
  const children: ChildProcess[] = [];
  let stopped = false;
  const logs: AirflowLogs = {
    folder: logFolder,
    read: (name) => {
      const file = path.join(logFolder, `${name}.log`);
      return existsSync(file) ? readFileSync(file, 'utf8') : '';
    },
    tail: (lines = 30) =>
      ['db-migrate', 'api-server', 'dag-processor', 'scheduler']
        .map((name) => ({ name, text: logs.read(name) }))
        .filter(({ text }) => text)
        .map(({ name, text }) => `--- ${name} (last ${lines} lines) ---\n${text.trimEnd().split('\n').slice(-lines).join('\n')}`)
        .join('\n'),
  };
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopProcess));
    if (!process.env.HANGAR_KEEP_AIRFLOW_HOME) rmSync(airflowHome, { recursive: true, force: true });
  };

  try {
    const template = await timed(timings, 'dbMigrate', () => migratedDatabase(python, env, logFolder));
    copyFileSync(template, path.join(airflowHome, 'airflow.db'));
    // The simple auth manager keeps the passwords it finds in this file and generates the missing ones.
    if (options.password) writeFileSync(passwordFile, JSON.stringify({ [username]: options.password }), { mode: 0o600 });
    progress(`starting Airflow api-server on ${baseUrl} and dag-processor (AIRFLOW_HOME=${airflowHome})`);
    children.push(startProcess(python, 'api-server', ['api-server', '--host', '127.0.0.1', '--port', String(port)], env, logFolder));
    children.push(startProcess(python, 'dag-processor', ['dag-processor'], env, logFolder));
    if (options.scheduler) children.push(startProcess(python, 'scheduler', ['scheduler'], env, logFolder));
    await timed(timings, 'apiServerHealthy', () =>
      waitFor(
        `${baseUrl}/api/v2/monitor/health`,
        async () => {
          const exited = children.find((child) => child.exitCode !== null);
          if (exited) throw new Error(`an Airflow process exited with ${exited.exitCode}`);
          const response = await fetch(`${baseUrl}/api/v2/monitor/health`);
          return response.ok;
        },
        options.startTimeoutMs ?? 120_000,
      ),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tail = logs.tail();
    await stop();
    throw new AirflowUnavailableError(`Airflow did not start: ${reason}\n${tail}`);
  }

  const password = await waitFor('the simple auth manager password file', () => {
    if (!existsSync(passwordFile)) return undefined;
    const passwords = JSON.parse(readFileSync(passwordFile, 'utf8')) as Record<string, string>;
    return passwords[username];
  }, 30_000);

  let cachedToken: string | undefined;
  const token = async (): Promise<string> => {
    if (cachedToken) return cachedToken;
    const response = await fetch(`${baseUrl}/auth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
    if (!response.ok) throw new Error(`POST /auth/token answered ${response.status}: ${await response.text()}`);
    cachedToken = ((await response.json()) as { access_token: string }).access_token;
    return cachedToken;
  };
  const request = async (method: string, apiPath: string, body?: unknown): Promise<Response> =>
    fetch(`${baseUrl}${apiPath}`, {
      method,
      headers: { authorization: `Bearer ${await token()}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const get = async <T>(apiPath: string): Promise<T> => {
    const response = await request('GET', apiPath);
    if (!response.ok) throw new Error(`GET ${apiPath} answered ${response.status}: ${await response.text()}`);
    return (await response.json()) as T;
  };

  timings.total = Math.round(performance.now() - started);
  progress(`Airflow ready in ${timings.total} ms (${Object.entries(timings).map(([step, ms]) => `${step} ${ms} ms`).join(', ')})`);
  return {
    baseUrl,
    username,
    password,
    airflowHome,
    dagsFolder,
    logs,
    timings,
    processGroups: children.flatMap((child) => (child.pid ? [child.pid] : [])),
    token,
    get,
    request,
    dags: async () => (await get<{ dags: AirflowDag[] }>('/api/v2/dags?limit=1000')).dags,
    importErrors: async () => (await get<{ import_errors: AirflowImportError[] }>('/api/v2/importErrors?limit=1000')).import_errors,
    dagVersions: async (dagId) => (await get<{ dag_versions: AirflowDagVersion[] }>(`/api/v2/dags/${encodeURIComponent(dagId)}/dagVersions`)).dag_versions,
    stop,
  };
}
