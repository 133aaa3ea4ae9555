import path from 'node:path';
import { pythonScript } from '../pyenv/scripts';
import { ensureTestAirflowHome } from './airflowHome';
import { runPythonScript, type PythonRunOptions } from './pythonProcess';

/** Default limit of one DAG test run (the editor's `hangar.testing.timeoutSeconds`, the CLI's `--timeout`). */
export const DEFAULT_DAG_TEST_TIMEOUT_S = 300;
/** Lines of a failed task's log kept in the failure message. */
const FAILURE_LOG_LINES = 80;

export interface DagTestTask {
  readonly taskId: string;
  readonly state: string;
  /** What the task printed while it ran (its log), when the run framed it. */
  readonly log: string;
}

export interface DagTestResult {
  readonly dagId: string;
  /** `success` or `failed` (the DAG run's state), `timeout`, or `error` when the run could not start. */
  readonly state: string;
  readonly tasks: readonly DagTestTask[];
  /** Why the run did not succeed: the first failed task with the end of its log, a timeout, or a start-up error. */
  readonly error?: string;
  /** The first task that failed, as it ran. */
  readonly firstFailure?: DagTestTask;
  readonly durationMs: number;
  readonly output: string;
}

export interface DagTestOptions extends PythonRunOptions {
  /** AIRFLOW_HOME reused between runs (its SQLite database is created on first use). */
  readonly airflowHome: string;
  readonly runConf?: Record<string, unknown>;
  readonly testEnv?: Record<string, string>;
  /** Retries of every task, replacing the DAG's own `retries` (retried at once, not after `retry_delay`). Default 0. */
  readonly retries?: number;
}

/** Output lines between a task's start and end records, by task id (a retried task keeps its last try). */
function taskLogs(records: readonly Record<string, unknown>[], lines: readonly { line: string; after: number }[]): Map<string, string> {
  const logs = new Map<string, string>();
  records.forEach((record, index) => {
    if (record.type !== 'task_start') return;
    const end = records.findIndex((r, i) => i > index && r.type === 'task_end');
    const taskLines = lines.filter((l) => l.after > index && (end < 0 || l.after <= end)).map((l) => l.line);
    logs.set(String(record.task_id), taskLines.join('\n'));
  });
  return logs;
}

/** What a failed task tells the user: its state and the end of its log. */
export function failureMessage(task: DagTestTask): string {
  const tail = task.log.split('\n').slice(-FAILURE_LOG_LINES).join('\n');
  return `Task ${task.taskId} ${task.state === 'failed' ? 'failed' : `ended ${task.state}`}.${tail ? `\n\n${tail}` : ''}`;
}

/**
 * Runs one DAG with Airflow's `dag.test()` in the given interpreter; output streams through `onOutput`. The run
 * fails fast: no retries unless asked, and after `timeoutMs` (default 300 s) every process of the run is ended.
 */
export async function runDagTest(python: string, file: string, dagId: string, options: DagTestOptions): Promise<DagTestResult> {
  const started = Date.now();
  const home = await ensureTestAirflowHome(python, options.airflowHome, options.signal);
  const records: Record<string, unknown>[] = [];
  const lines: { line: string; after: number }[] = [];
  const timeoutMs = options.timeoutMs ?? DEFAULT_DAG_TEST_TIMEOUT_S * 1000;
  const run = await runPythonScript(python, pythonScript('hangar_dag_test.py'), [path.resolve(file), dagId, options.runConf ? JSON.stringify(options.runConf) : ''], {
    ...options,
    timeoutMs,
    onRecord: (record) => {
      records.push(record);
      options.onRecord?.(record);
    },
    onOutput: (line) => {
      lines.push({ line, after: records.length });
      options.onOutput?.(line);
    },
    env: {
      ...options.env,
      AIRFLOW_HOME: home,
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, 'airflow.db')}`,
      // dag.test() serialises the DAG from its bundle: the DAG's own folder.
      AIRFLOW__CORE__DAGS_FOLDER: path.dirname(path.resolve(file)),
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      HANGAR_TEST_ENV: JSON.stringify(options.testEnv ?? {}),
      HANGAR_TEST_RETRIES: String(options.retries ?? 0),
    },
  });
  const logs = taskLogs(records, lines);
  const fatal = records.find((r) => r.type === 'fatal');
  const result = records.find((r) => r.type === 'result');
  const tasks = records.filter((r) => r.type === 'task').map((r) => ({ taskId: String(r.task_id), state: String(r.state), log: logs.get(String(r.task_id)) ?? '' }));
  // The first task that started and did not succeed, in the order the run started them.
  const startedIds = records.filter((r) => r.type === 'task_start').map((r) => String(r.task_id));
  const firstFailure = startedIds.map((id) => tasks.find((t) => t.taskId === id)).find((t) => t && t.state !== 'success' && t.state !== 'skipped');
  const state = run.timedOut ? 'timeout' : fatal ? 'error' : String(result?.state ?? 'error');
  const error = run.timedOut
    ? `The DAG test did not finish within ${Math.round(timeoutMs / 1000)} s; Hangar stopped it and every process it started.${[...logs.keys()].length ? ` Last task started: ${[...logs.keys()].at(-1)}.` : ''}`
    : fatal
      ? String(fatal.error)
      : firstFailure
        ? failureMessage(firstFailure)
        : !result
          ? `the DAG test ended without a result (exit ${run.code})`
          : undefined;
  return {
    dagId,
    state,
    tasks,
    ...(error && state !== 'success' ? { error } : {}),
    ...(firstFailure ? { firstFailure } : {}),
    durationMs: Date.now() - started,
    output: run.output,
  };
}
