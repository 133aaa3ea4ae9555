import { existsSync, mkdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { runProcessTree } from './processTree';

/**
 * A private AIRFLOW_HOME with a migrated SQLite database for `dag.test()` runs, created once per folder
 * (about 5 s) and shared by later runs; concurrent callers wait for the first. Cancelling ends the migration.
 */
export async function ensureTestAirflowHome(python: string, home: string, signal?: AbortSignal): Promise<string> {
  const database = path.join(home, 'airflow.db');
  if (existsSync(path.join(home, '.migrated'))) return home;
  mkdirSync(home, { recursive: true });
  const release = await lockfile.lock(home, { realpath: false, stale: 120_000, retries: { retries: 240, minTimeout: 250, maxTimeout: 1000 } });
  try {
    if (!existsSync(path.join(home, '.migrated'))) {
      let output = '';
      const collect = (chunk: Buffer): void => void (output = `${output}${chunk.toString('utf8')}`.slice(-4000));
      const exit = await runProcessTree(python, ['-m', 'airflow', 'db', 'migrate'], {
        env: { ...process.env, AIRFLOW_HOME: home, AIRFLOW__CORE__LOAD_EXAMPLES: 'False', AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${database}` },
        timeoutMs: 300_000,
        signal,
        onStdout: collect,
        onStderr: collect,
      });
      if (exit.code !== 0) throw new Error(`"${python} -m airflow db migrate" failed${exit.timedOut ? ' (timed out)' : ` (exit ${exit.code})`}:\n${output.trim().split('\n').slice(-10).join('\n')}`);
      await writeFile(path.join(home, '.migrated'), new Date().toISOString());
    }
  } finally {
    await release();
  }
  return home;
}
