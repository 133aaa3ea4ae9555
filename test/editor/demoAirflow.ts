/**
 * The demo's Airflow: one real Airflow 3 per environment, started by the test harness (test/support/airflow.ts)
 * on 127.0.0.1, each reading its own DAGs folder, all with user `admin` and one generated password. Run by
 * test/editor/demo.mjs through tsx:
 *
 *   node --import tsx test/editor/demoAirflow.ts staging=/abs/staging/dags prod=/abs/prod/dags
 *
 * Prints one JSON line on stdout when every Airflow answers ({ python, username, password, environments:
 * { name: { url, logs } } }); progress goes to stderr. Stops its Airflows when stdin closes (the demo ended or
 * died) and on SIGINT/SIGTERM (the harness kills their process groups).
 */
import { randomBytes } from 'node:crypto';
import { ensureAirflowVenv, startAirflow, type RunningAirflow } from '../support/airflow';

function parseEnvironments(args: string[]): [string, string][] {
  const pairs = args.map((arg) => {
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new Error(`expected NAME=DAGS_FOLDER, got "${arg}"`);
    return [arg.slice(0, eq), arg.slice(eq + 1)] as [string, string];
  });
  if (pairs.length === 0) throw new Error('name at least one environment: NAME=DAGS_FOLDER');
  return pairs;
}

async function main(): Promise<void> {
  const environments = parseEnvironments(process.argv.slice(2));
  const python = await ensureAirflowVenv();
  const password = randomBytes(12).toString('base64url');
  const starting = environments.map(([, dagsFolder]) => startAirflow({ dagsFolder, password }));
  const stopAll = () => Promise.allSettled(starting.map(async (airflow) => (await airflow).stop()));
  process.stdin.on('end', () => void stopAll().then(() => process.exit(0)));
  process.stdin.resume();
  let running: RunningAirflow[];
  try {
    running = await Promise.all(starting);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const described = Object.fromEntries(environments.map(([name], i) => [name, { url: running[i]!.baseUrl, logs: running[i]!.logs.folder }]));
  process.stdout.write(`${JSON.stringify({ python, username: running[0]!.username, password, environments: described })}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`[demo airflow] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
