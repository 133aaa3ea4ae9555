import { copyFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { pythonScript } from '../../pyenv/scripts';
import { runPythonScript } from '../../testing/pythonProcess';
import type { VerifyEnvironment } from './environments';
import { EnvironmentUnavailableError } from './pythonTools';
import { createSandbox, type Sandbox } from './sandbox';

const DATABASE = 'airflow.db';
const READY = '.migrated';

/**
 * The environment's migrated Airflow database for dag.test(), made once (`airflow db migrate` takes seconds) inside a
 * sandbox, because the environment holds the entry's providers and Airflow loads them while it migrates.
 */
async function ensureTemplate(env: VerifyEnvironment, timeoutS: number): Promise<string> {
  const database = path.join(env.templateDir, DATABASE);
  if (existsSync(path.join(env.templateDir, READY))) return database;
  mkdirSync(env.templateDir, { recursive: true });
  const release = await lockfile.lock(env.templateDir, { realpath: false, stale: 60_000, update: 10_000, retries: { retries: 2_000, minTimeout: 500, maxTimeout: 2_000 } });
  const sandbox = createSandbox({ files: [], env, timeoutS });
  try {
    if (existsSync(path.join(env.templateDir, READY))) return database;
    const run = await runPythonScript(sandbox.launcher, pythonScript('hangar_airflow_db.py'), []);
    const made = path.join(sandbox.airflowHome, DATABASE);
    if (run.code !== 0 || !existsSync(made)) {
      throw new EnvironmentUnavailableError(`"airflow db migrate" failed in ${env.python} (exit ${run.code}): ${run.output.trim().split('\n').slice(-5).join('\n')}`);
    }
    copyFileSync(made, database);
    writeFileSync(path.join(env.templateDir, READY), new Date().toISOString());
    return database;
  } finally {
    sandbox.dispose();
    await release();
  }
}

/** Gives a sandbox a migrated Airflow database of its own, so a DAG test starts in seconds and changes nothing shared. */
export async function seedAirflowHome(sandbox: Sandbox, env: VerifyEnvironment, timeoutS: number): Promise<void> {
  copyFileSync(await ensureTemplate(env, timeoutS), path.join(sandbox.airflowHome, DATABASE));
  // ensureTestAirflowHome (server/src/testing) takes this marker as "migrated".
  writeFileSync(path.join(sandbox.airflowHome, READY), new Date().toISOString());
}
