import path from 'node:path';
import { pythonScript } from '../pyenv/scripts';
import { ensureTestAirflowHome } from './airflowHome';
import { runPythonScript, type PythonRunOptions } from './pythonProcess';

export interface DagTestResult {
  readonly dagId: string;
  /** `success` or `failed` (the DAG run's state), or `error` when the run could not start. */
  readonly state: string;
  readonly tasks: ReadonlyArray<{ readonly taskId: string; readonly state: string }>;
  readonly error?: string;
  readonly durationMs: number;
  readonly output: string;
}

export interface DagTestOptions extends PythonRunOptions {
  /** AIRFLOW_HOME reused between runs (its SQLite database is created on first use). */
  readonly airflowHome: string;
  readonly runConf?: Record<string, unknown>;
  readonly testEnv?: Record<string, string>;
}

/** Runs one DAG with Airflow's `dag.test()` in the given interpreter; output streams through `onOutput`. */
export async function runDagTest(python: string, file: string, dagId: string, options: DagTestOptions): Promise<DagTestResult> {
  const started = Date.now();
  const home = await ensureTestAirflowHome(python, options.airflowHome);
  const run = await runPythonScript(python, pythonScript('hangar_dag_test.py'), [path.resolve(file), dagId, options.runConf ? JSON.stringify(options.runConf) : ''], {
    ...options,
    env: {
      ...options.env,
      AIRFLOW_HOME: home,
      AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${path.join(home, 'airflow.db')}`,
      // dag.test() serialises the DAG from its bundle: the DAG's own folder.
      AIRFLOW__CORE__DAGS_FOLDER: path.dirname(path.resolve(file)),
      AIRFLOW__CORE__LOAD_EXAMPLES: 'False',
      HANGAR_TEST_ENV: JSON.stringify(options.testEnv ?? {}),
    },
  });
  const fatal = run.records.find((r) => r.type === 'fatal');
  const result = run.records.find((r) => r.type === 'result');
  return {
    dagId,
    state: fatal ? 'error' : String(result?.state ?? 'error'),
    tasks: run.records.filter((r) => r.type === 'task').map((r) => ({ taskId: String(r.task_id), state: String(r.state) })),
    ...(fatal ? { error: String(fatal.error) } : !result ? { error: `the DAG test ended without a result (exit ${run.code})` } : {}),
    durationMs: Date.now() - started,
    output: run.output,
  };
}
