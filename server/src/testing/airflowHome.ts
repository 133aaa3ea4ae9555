import { execFile } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import lockfile from 'proper-lockfile';
import { withoutSecrets } from '../secretVariables';

const run = promisify(execFile);

/**
 * A private AIRFLOW_HOME with a migrated SQLite database for `dag.test()` runs, created once per folder
 * (about 5 s) and shared by later runs; concurrent callers wait for the first.
 */
export async function ensureTestAirflowHome(python: string, home: string): Promise<string> {
  const database = path.join(home, 'airflow.db');
  if (existsSync(path.join(home, '.migrated'))) return home;
  mkdirSync(home, { recursive: true });
  const release = await lockfile.lock(home, { realpath: false, stale: 120_000, retries: { retries: 240, minTimeout: 250, maxTimeout: 1000 } });
  try {
    if (!existsSync(path.join(home, '.migrated'))) {
      await run(python, ['-m', 'airflow', 'db', 'migrate'], {
        env: { ...withoutSecrets(process.env), AIRFLOW_HOME: home, AIRFLOW__CORE__LOAD_EXAMPLES: 'False', AIRFLOW__DATABASE__SQL_ALCHEMY_CONN: `sqlite:///${database}` },
        timeout: 300_000,
        maxBuffer: 32 * 1024 * 1024,
      });
      await import('node:fs/promises').then((fs) => fs.writeFile(path.join(home, '.migrated'), new Date().toISOString()));
    }
  } finally {
    await release();
  }
  return home;
}
