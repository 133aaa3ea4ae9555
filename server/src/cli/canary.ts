import { InvalidArgumentError, type Command } from 'commander';
import path from 'node:path';
import { credentialsFromEnv } from '../airflow/client';
import { describeStatus } from '../canary/format';
import { CanaryService } from '../canary/service';
import { findEnvironment, loadEnvironments } from '../deploy/environments';
import { describePlan, describeRecord, describeVerification } from '../deploy/format';
import type { DeployPlan } from '../deploy/service';
import type { Environment, HistoryRecord } from '../deploy/types';
import { verifyAndRecord } from '../deploy/verification';
import { printable } from '../printable';
import { gateAware } from './deploy';
import { headlessDeployService } from './headlessDeploy';

interface Common {
  config: string;
  env: string;
  json?: boolean;
  timeout: string;
}

function environment(options: Common): Environment {
  return findEnvironment(loadEnvironments(path.resolve(options.config)), options.env);
}

function service(): CanaryService {
  return new CanaryService(headlessDeployService(), credentialsFromEnv());
}

function wholeNumber(what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n)) throw new InvalidArgumentError(`${what} takes a whole number.`);
    return n;
  };
}

function common(command: Command, withDag: 'required' | 'optional'): Command {
  command
    .requiredOption('--env <name>', 'environment')
    .option('--config <file>', 'configuration file', 'airflow-repos.yaml')
    .option('--json', 'print the result as JSON')
    .option('--timeout <seconds>', 'how long to wait for Airflow to confirm a deploy', '120');
  return withDag === 'required' ? command.requiredOption('--dag <dag_id>', 'the DAG') : command.option('--dag <dag_id>', 'only this DAG');
}

/** A line for the terminal: ids, states and messages in it come from Airflow's answers and the history. */
const say = (text: string): void => console.log(printable(text));
const progressOf =
  (json: boolean | undefined) =>
  (message: string): void =>
    void (!json && console.error(printable(message)));

/** Prints what a canary deploy did; a version Airflow could not confirm exits 1. */
function report(plan: DeployPlan, record: HistoryRecord, json: boolean | undefined, extra: Record<string, unknown> = {}): void {
  if (json) console.log(JSON.stringify({ ...record, manifest: undefined, ...extra }, null, 2));
  else {
    say(describePlan(plan));
    say(`Live: ${describeRecord(record)}`);
    say(`Verification: ${describeVerification(record.verification)}`);
  }
  const status = record.verification?.status;
  if (status && status !== 'verified' && status !== 'skipped') process.exitCode = 1;
}

const HELP = `
The candidate runs beside the live DAG as <dag_id>__canary (its file <file>__canary.py, tagged hangar-canary).
Runs are shared: a time-scheduled DAG by pausing one of the two per interval (never one interval twice), a DAG
without a schedule by "hangar canary trigger"; --shadow runs both every time. "tick" (cron, or hangar serve --env)
keeps the split going and promotes when the condition holds; "status" only reads.
Condition (--until): comparisons joined by "and", e.g.
  canary.success_rate >= live.success_rate and canary.p50 <= live.p50 + 20%      (the default)
  metrics: success_rate, p50, p95 (run duration, seconds), runs, failed_runs, retries, failed_tasks
Airflow credentials: HANGAR_AIRFLOW_USERNAME / HANGAR_AIRFLOW_PASSWORD or HANGAR_AIRFLOW_TOKEN.`;

interface StartOptions extends Common {
  dag: string;
  ref: string;
  share: number;
  runs: number;
  until?: string;
  shadow?: boolean;
  python?: string;
}

/** `hangar canary start`: plan (refused with the reason), apply, verify that Airflow lists the canary, first split step. */
async function start(options: StartOptions): Promise<void> {
  const env = environment(options);
  const canaries = service();
  const plan = await canaries.planStart(env, {
    dagId: options.dag,
    ref: options.ref,
    share: options.share,
    runs: options.runs,
    shadow: options.shadow ?? false,
    ...(options.until ? { until: options.until } : {}),
    ...(options.python ? { python: options.python } : {}),
  });
  const progress = progressOf(options.json);
  const applied = await headlessDeployService().apply(plan, { onProgress: progress });
  const record = await verifyAndRecord(headlessDeployService(), plan, applied, { credentials: credentialsFromEnv(), timeoutMs: Number(options.timeout) * 1000, onProgress: progress });
  const steps = record.verification?.status === 'verified' ? await canaries.afterStart(env, options.dag) : [];
  report(plan, record, options.json, { steps });
  for (const step of steps) if (!options.json) say(`${step.kind} ${step.dagId}: ${step.why}`);
}

export function registerCanary(program: Command): void {
  const canary = program.command('canary').description('Canary (A/B) rollout of one DAG: serve a candidate beside it, compare, promote or abort').addHelpText('after', HELP);

  common(canary.command('start').description('Serve a candidate version of a DAG beside the live one as <dag_id>__canary'), 'required')
    .requiredOption('--ref <ref>', 'branch, tag or commit holding the candidate')
    .option('--share <percent>', 'percent of the runs the canary takes (1-99)', wholeNumber('--share'), 50)
    .option('--runs <n>', 'finished canary runs before the condition is evaluated', wholeNumber('--runs'), 5)
    .option('--until <condition>', 'promote when this holds (see below)')
    .option('--shadow', 'run both every interval instead of splitting the runs')
    .option('--python <path>', "interpreter of the environment's Airflow when airflow-repos.yaml names none")
    .action(async (options: StartOptions) => gateAware(options.json, () => start(options)));

  common(canary.command('status').description('Compare each running canary with its live DAG (reads only)'), 'optional').action(async (options: Common & { dag?: string }) => {
    const statuses = await service().status(environment(options), options.dag);
    if (options.json) console.log(JSON.stringify(statuses, null, 2));
    else if (statuses.length === 0) console.log(`No canary is running on "${options.env}".`);
    else say(statuses.map(describeStatus).join('\n\n'));
  });

  common(canary.command('tick').description('Keep the split going and promote the canaries whose condition holds (schedule it, e.g. every minute)'), 'optional').action(async (options: Common) => {
    const progress = progressOf(options.json);
    const results = await service().tick(environment(options), { onProgress: progress, verifyTimeoutMs: Number(options.timeout) * 1000 });
    if (options.json) console.log(JSON.stringify(results.map((r) => ({ ...r, promoted: r.promoted ? { ...r.promoted, manifest: undefined } : undefined })), null, 2));
    else if (results.length === 0) console.log(`No canary is running on "${options.env}".`);
    else for (const r of results) say(r.promoted ? `${r.status.dagId}: promoted — ${describeRecord(r.promoted)}` : `${r.status.dagId}: ${r.status.verdict} — ${r.status.message}${r.status.steps.map((s) => `\n  ${s.kind} ${s.dagId}: ${s.why}`).join('')}`);
  });

  for (const outcome of ['promote', 'abort'] as const) {
    common(canary.command(outcome).description(outcome === 'promote' ? 'Deploy the candidate as the DAG and remove the canary' : 'Remove the canary; the live DAG stays as it is'), 'required')
      .option('--reason <text>', 'recorded in the history')
      .action(async (options: Common & { dag: string; reason?: string }) => {
        const progress = progressOf(options.json);
        const reason = options.reason?.trim() || `${outcome === 'promote' ? 'promoted' : 'aborted'} by hand`;
        const { plan, record } = await service().finish(environment(options), options.dag, outcome, reason, { onProgress: progress, verifyTimeoutMs: Number(options.timeout) * 1000 });
        report(plan, record, options.json);
      });
  }

  common(canary.command('trigger').description('Trigger one run: of the side behind its share, or of both in shadow mode'), 'required')
    .option('--conf <json>', 'the run configuration (a JSON object)')
    .action(async (options: Common & { dag: string; conf?: string }) => {
      const usage = '--conf takes a JSON object, e.g. --conf \'{"day": "2026-12-01"}\'.';
      let conf: unknown = {};
      if (options.conf !== undefined) {
        try {
          conf = JSON.parse(options.conf);
        } catch {
          throw new Error(usage);
        }
      }
      if (typeof conf !== 'object' || conf === null || Array.isArray(conf)) throw new Error(usage);
      const runs = await service().trigger(environment(options), options.dag, conf as Record<string, unknown>);
      if (options.json) console.log(JSON.stringify(runs, null, 2));
      else for (const run of runs) say(`triggered ${run.dagId}: ${run.runId}`);
    });
}
