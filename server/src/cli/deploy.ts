import type { Command } from 'commander';
import path from 'node:path';
import { credentialsFromEnv } from '../airflow/client';
import { findEnvironment, loadEnvironments } from '../deploy/environments';
import { describeBrokenLive, describePlan, describeRecord, describeVerification } from '../deploy/format';
import { GateError } from '../deploy/gate';
import { AlreadyLiveError, blockedPlan, type DeployPlan } from '../deploy/service';
import type { Environment, HistoryRecord } from '../deploy/types';
import { checkAirflow, verifyAndRecord } from '../deploy/verification';
import { headlessDeployService } from './headlessDeploy';

interface CommonOptions {
  config: string;
  json?: boolean;
  verify?: boolean;
  reparse?: boolean;
  timeout: string;
}

const CREDENTIALS_HELP = `
Airflow credentials come from the environment, never from arguments:
  HANGAR_AIRFLOW_USERNAME / HANGAR_AIRFLOW_PASSWORD   (Airflow 3: exchanged at /auth/token; Airflow 2: basic auth)
  HANGAR_AIRFLOW_TOKEN                                (Airflow 3: a ready JWT instead)
A git target with auth pushes with HANGAR_TOKEN_<ENV> or HANGAR_GIT_TOKEN (token), HANGAR_GIT_USERNAME/PASSWORD (basic),
HANGAR_SSH_PASSPHRASE (ssh); <ENV> is the environment name in upper case.`;

function common(command: Command): Command {
  return command
    .option('--config <file>', 'configuration file', 'airflow-repos.yaml')
    .option('--json', 'print the result as JSON')
    .option('--no-verify', 'do not wait for Airflow to list the deployed DAGs')
    .option('--no-reparse', 'do not ask Airflow to re-parse changed files (wait for its own refresh)')
    .option('--timeout <seconds>', 'how long to wait for Airflow', '120')
    .addHelpText('after', CREDENTIALS_HELP);
}

async function environment(options: CommonOptions, name: string): Promise<Environment> {
  return findEnvironment(loadEnvironments(path.resolve(options.config)), name);
}


/** `--ref v1.2` for a one-repository environment, `--ref name=v1.2` (repeatable) otherwise. */
function parseRefs(env: Environment, values: string[]): Record<string, string> {
  const refs: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq > 0) refs[value.slice(0, eq)] = value.slice(eq + 1);
    else if (env.repositories.length === 1) refs[env.repositories[0]!.name] = value;
    else throw new Error(`Environment "${env.name}" deploys ${env.repositories.length} repositories; name the one to pin: --ref REPOSITORY=${value}`);
  }
  return refs;
}

async function run(plan: DeployPlan, options: CommonOptions): Promise<void> {
  const credentials = credentialsFromEnv();
  if (options.verify !== false) await checkAirflow(plan, credentials);
  if (!options.json) console.log(describePlan(plan));
  let record: HistoryRecord = await headlessDeployService().apply(plan, { onProgress: (m) => !options.json && console.error(m) });
  if (!options.json) console.log(`Live: version ${record.version} of ${plan.environment.name}`);
  if (options.verify !== false) {
    record = await verifyAndRecord(headlessDeployService(), plan, record, {
      credentials,
      reparse: options.reparse !== false,
      timeoutMs: Number(options.timeout) * 1000,
      onProgress: (m) => !options.json && console.error(m),
    });
  }
  if (options.json) console.log(JSON.stringify({ ...record, manifest: undefined }, null, 2));
  else console.log(`Verification: ${describeVerification(record.verification)}`);
  if (record.verification?.status === 'import-errors') console.error(describeBrokenLive(plan.environment.name, record, `hangar rollback --env ${plan.environment.name}`));
  const status = record.verification?.status;
  if (status && status !== 'verified' && status !== 'skipped') process.exitCode = 1;
}

/**
 * A refused deploy is reported, on stdout as JSON with --json: a gate that blocks exits 1 with the plan and its
 * findings; a deploy of what is already live records nothing and exits 0.
 */
function gateAware(json: boolean | undefined, action: () => Promise<void>): Promise<void> {
  return action().catch((error: unknown) => {
    if (error instanceof GateError) {
      if (json) console.log(JSON.stringify({ outcome: 'blocked', plan: error.plan, validation: error.validation }, null, 2));
      console.error(error.message);
      process.exitCode = 1;
    } else if (error instanceof AlreadyLiveError) {
      if (json) console.log(JSON.stringify({ outcome: 'already-live', plan: blockedPlan(error.plan) }, null, 2));
      else console.log(error.message);
    } else throw error;
  });
}

export function registerDeploy(program: Command): void {
  common(program.command('deploy').description('Validate and deploy a version to an environment, then verify it with Airflow'))
    .requiredOption('--env <name>', 'environment')
    .option('--ref <ref>', 'branch, tag or commit (REPOSITORY=REF when the environment has several)', (v: string, all: string[]) => [...all, v], [] as string[])
    .option('--force', 'deploy although validation finds errors (needs --reason), or although the version is already live')
    .option('--reason <text>', 'why the deploy is forced; recorded in the history')
    .option('--python <path>', "interpreter of the environment's Airflow when airflow-repos.yaml names none: the gate checks imports against it")
    .action(async (options: CommonOptions & { env: string; ref: string[]; force?: boolean; reason?: string; python?: string }) =>
      gateAware(options.json, async () => {
        const env = await environment(options, options.env);
        const plan = await headlessDeployService().planDeploy(env, {
          refs: parseRefs(env, options.ref),
          force: options.force ?? false,
          ...(options.reason ? { reason: options.reason } : {}),
          ...(options.python ? { python: options.python } : {}),
        });
        await run(plan, options);
      }),
    );

  common(program.command('rollback').description('Serve a previous version of an environment again'))
    .requiredOption('--env <name>', 'environment')
    .option('--to <version>', 'version number from hangar history (default: the previous version)')
    .action(async (options: CommonOptions & { env: string; to?: string }) => {
      const env = await environment(options, options.env);
      await run(await headlessDeployService().planRollback(env, options.to === undefined ? undefined : Number(options.to)), options);
    });

  common(program.command('promote').description('Deploy exactly the newest verified version of one environment to another'))
    .requiredOption('--from <name>', 'environment whose verified version is promoted')
    .requiredOption('--to <name>', 'environment to deploy it to')
    .option('--version <n>', 'a specific version of --from instead of the newest verified one')
    .option('--force', 'promote although the target already serves that version')
    .option('--python <path>', "interpreter of the target's Airflow when airflow-repos.yaml names none")
    .action(async (options: CommonOptions & { from: string; to: string; version?: string; force?: boolean; python?: string }) =>
      gateAware(options.json, async () => {
        const [from, to] = await Promise.all([environment(options, options.from), environment(options, options.to)]);
        const request = { force: options.force ?? false, ...(options.version === undefined ? {} : { version: Number(options.version) }), ...(options.python ? { python: options.python } : {}) };
        await run(await headlessDeployService().planPromote(from, to, request), options);
      }),
    );

  program
    .command('history')
    .description('Versions deployed to an environment')
    .requiredOption('--env <name>', 'environment')
    .option('--config <file>', 'configuration file', 'airflow-repos.yaml')
    .option('--json', 'print the history as JSON')
    .action(async (options: { env: string; config: string; json?: boolean }) => {
      const env = findEnvironment(loadEnvironments(path.resolve(options.config)), options.env);
      const history = (await headlessDeployService().history(env)).map((r) => ({ ...r, manifest: undefined }));
      if (options.json) console.log(JSON.stringify(history, null, 2));
      else if (history.length === 0) console.log(`Nothing deployed to "${env.name}" yet.`);
      else for (const r of [...history].reverse()) console.log(describeRecord(r));
    });
}
