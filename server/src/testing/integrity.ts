import path from 'node:path';
import { pythonScript } from '../pyenv/scripts';
import { runPythonScript, type PythonRunOptions } from './pythonProcess';

export interface IntegrityDag {
  readonly dagId: string;
  readonly tasks: readonly string[];
}

export interface IntegrityFileResult {
  readonly file: string;
  readonly dags: readonly IntegrityDag[];
  /** First line of Airflow's import error ("ValueError: ..."), when the file does not import. */
  readonly error?: string;
  readonly trace?: string;
  /** 1-based line of the file Airflow's traceback points at. */
  readonly line?: number;
  readonly parseMs: number;
  /** True when the parse time is over half of `dagbag_import_timeout`. */
  readonly slow: boolean;
}

export interface IntegrityReport {
  readonly airflow: string;
  readonly timeoutS: number;
  readonly files: readonly IntegrityFileResult[];
}

/** Share of `dagbag_import_timeout` from which a file is flagged as slow to parse. */
export const SLOW_PARSE_SHARE = 0.5;

/**
 * Imports each file with Airflow's own DagBag in the given interpreter (stubbed Variables and Connections,
 * extra environment from `testEnv`), one process for all files.
 */
export async function runIntegrityTest(python: string, files: readonly string[], options: PythonRunOptions & { testEnv?: Record<string, string> } = {}): Promise<IntegrityReport> {
  const run = await runPythonScript(python, pythonScript('hangar_integrity.py'), files.map((f) => path.resolve(f)), {
    ...options,
    env: { ...options.env, HANGAR_TEST_ENV: JSON.stringify(options.testEnv ?? {}) },
  });
  const fatal = run.records.find((r) => r.type === 'fatal');
  if (fatal) throw new Error(String(fatal.error));
  const env = run.records.find((r) => r.type === 'env');
  if (!env) throw new Error(`The integrity test did not start in ${python} (exit ${run.code}):\n${run.output.split('\n').slice(-15).join('\n')}`);
  const timeoutS = Number(env.timeout_s);
  return {
    airflow: String(env.airflow),
    timeoutS,
    files: run.records
      .filter((r) => r.type === 'file')
      .map((r) => ({
        file: String(r.file),
        dags: (r.dags as Array<{ dag_id: string; tasks: string[] }>).map((d) => ({ dagId: d.dag_id, tasks: d.tasks })),
        ...(r.error ? { error: String(r.error), trace: String(r.trace) } : {}),
        ...(typeof r.line === 'number' ? { line: r.line } : {}),
        parseMs: Number(r.parse_ms),
        slow: Number(r.parse_ms) > SLOW_PARSE_SHARE * timeoutS * 1000,
      })),
  };
}
