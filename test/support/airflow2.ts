/**
 * A real Apache Airflow 2.11 for the tests that prove what Hangar promises on Airflow 2: the REST API `/api/v1`
 * with basic auth (`airflow.api.auth.backend.basic_auth`), the webserver and the scheduler (which parses the DAGs
 * folder: Airflow 2's standalone DAG processor does not run on SQLite), an admin user made with
 * `airflow users create`. Its own venv: .cache/airflow2-venv.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { AirflowUnavailableError, airflowExecutable, ensureAirflowVenv, freePort, harnessLogs, migratedDatabase, startProcess, stopProcess, timed, waitFor, type RunningAirflow } from './airflow';
import { progress, run } from './venv';

/** What the harness's Airflow 3 offers too; `request` and `get` are Basic-authenticated paths under `/api/v1/...`. */
export type RunningAirflow2 = Pick<RunningAirflow, 'baseUrl' | 'username' | 'password' | 'airflowHome' | 'dagsFolder' | 'logs' | 'timings' | 'request' | 'get' | 'stop'>;

export interface StartAirflow2Options {
  dagsFolder?: string;
  /** Extra AIRFLOW__* settings. */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

const USERNAME = 'admin';
const PASSWORD = 'admin';

/** Starts a throw-away Airflow 2.11 (webserver + scheduler, SQLite) on 127.0.0.1. Call `stop()` in an `after` hook. */
export async function startAirflow2(options: StartAirflow2Options = {}): Promise<RunningAirflow2> {
  const timings: Record<string, number> = {};
  const started = performance.now();
  const python = await timed(timings, 'venv', () => ensureAirflowVenv('2.11'));
  const airflowHome = mkdtempSync(path.join(os.tmpdir(), 'hangar-airflow2-'));
  const logFolder = path.join(airflowHome, 'logs', 'harness');
  mkdirSync(logFolder, { recursive: true });
  const dagsFolder = options.dagsFolder ?? path.join(airflowHome, 'dags');
  mkdirSync(dagsFolder, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Airflow 2's SequentialExecutor runs tasks as `airflow tasks run …`, found on the PATH.
    PATH: `${path.dirname(python)}${path.delimiter}${process.env.PATH ?? ''}`,
    AIRFLOW_HOME: airflowHome,
    AIRFLOW__CORE__DAGS_FOLDER: dagsFolder,
    AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(airflowHome, 'airflow.db')}`,
    AIRFLOW__API__AUTH_BACKENDS: 'airflow.api.auth.backend.basic_auth',
    AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL: '2',
    AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL: '2',
    AIRFLOW__WEBSERVER__WORKERS: '1',
    AIRFLOW__WEBSERVER__SECRET_KEY: randomBytes(16).toString('hex'),
    AIRFLOW__LOGGING__BASE_LOG_FOLDER: path.join(airflowHome, 'logs'),
    ...options.env,
  };
  const logs = harnessLogs(logFolder, ['db-migrate', 'webserver', 'scheduler']);
  const children: ChildProcess[] = [];
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(children.map(stopProcess));
    if (!process.env.HANGAR_KEEP_AIRFLOW_HOME) rmSync(airflowHome, { recursive: true, force: true });
  };
  const createUser = (migrateEnv: NodeJS.ProcessEnv): Promise<string> =>
    run(airflowExecutable(python), ['users', 'create', '--username', USERNAME, '--password', PASSWORD, '--firstname', 'Hangar', '--lastname', 'Test', '--role', 'Admin', '--email', 'admin@example.invalid'], { env: migrateEnv });
  const authorization = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
  const request = (method: string, apiPath: string, body?: unknown): Promise<Response> =>
    fetch(`${baseUrl}${apiPath}`, {
      method,
      headers: { authorization, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  try {
    const template = await timed(timings, 'dbMigrate', () => migratedDatabase(python, env, logFolder, '2.11', createUser));
    copyFileSync(template, path.join(airflowHome, 'airflow.db'));
    progress(`starting Airflow 2 webserver on ${baseUrl} and scheduler (AIRFLOW_HOME=${airflowHome})`);
    children.push(startProcess(python, 'webserver', ['webserver', '--hostname', '127.0.0.1', '--port', String(port)], env, logFolder));
    children.push(startProcess(python, 'scheduler', ['scheduler'], env, logFolder));
    await timed(timings, 'webserverHealthy', () =>
      waitFor(
        `${baseUrl}/api/v1/version`,
        async () => {
          const exited = children.find((child) => child.exitCode !== null);
          if (exited) throw new Error(`an Airflow process exited with ${exited.exitCode}`);
          return (await request('GET', '/api/v1/version')).ok;
        },
        options.startTimeoutMs ?? 120_000,
      ),
    );
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const tail = logs.tail();
    await stop();
    throw new AirflowUnavailableError(`Airflow 2 did not start: ${reason}\n${tail}`);
  }
  timings.total = Math.round(performance.now() - started);
  progress(`Airflow 2 ready in ${timings.total} ms (${Object.entries(timings).map(([step, ms]) => `${step} ${ms} ms`).join(', ')})`);
  return {
    baseUrl,
    username: USERNAME,
    password: PASSWORD,
    airflowHome,
    dagsFolder,
    logs,
    timings,
    request,
    get: async <T>(apiPath: string): Promise<T> => {
      const response = await request('GET', apiPath);
      if (!response.ok) throw new Error(`GET ${apiPath} answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as T;
    },
    stop,
  };
}
