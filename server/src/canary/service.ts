import type { AirflowCredentials } from '../airflow/client';
import { airflowClient } from '../airflow/endpoint';
import { analyzePythonFile } from '../dagdiff/snapshot';
import { compositionOf, ensureCommit, withFiles, withoutFiles } from '../deploy/dags/composition';
import { DagPlanner, type ServedDag } from '../deploy/dags/planner';
import { analyzeForDeploy } from '../deploy/analyzer';
import { buildManifest, GateError, gatePasses } from '../deploy/gate';
import { git, listFiles, readBlobs, resolveCommit } from '../deploy/gitSource';
import type { ApplyOptions, DeployPlan, DeployService } from '../deploy/service';
import type { CanaryEvent, CanarySettings, Environment, HistoryRecord } from '../deploy/types';
import { verifyAndRecord } from '../deploy/verification';
import { AirflowDags } from './airflowDags';
import { DEFAULT_CONDITION, evaluateCondition, parseCondition, type ConditionResult } from './condition';
import { dispatch, nextOwner, splitMode, type DispatchStep, type SplitMode } from './dispatch';
import { runStats, type CanaryComparison } from './metrics';
import { canaryDagId, canaryFile } from './rewrite';
import { activeCanaries, activeCanary, type ActiveCanary } from './state';

export interface CanaryStartRequest {
  readonly dagId: string;
  readonly ref: string;
  readonly share?: number;
  readonly runs?: number;
  readonly until?: string;
  readonly shadow?: boolean;
  readonly who?: string;
  readonly python?: string;
}

/** Where a canary stands: the comparison, the condition, and what the next tick does. */
export interface CanaryStatus {
  readonly environment: string;
  readonly dagId: string;
  readonly canaryDagId: string;
  readonly since: string;
  readonly startedIn: number;
  readonly candidate: CanaryEvent['candidate'];
  readonly settings: CanarySettings;
  readonly mode: SplitMode;
  readonly paused: { readonly live: boolean | null; readonly canary: boolean | null };
  readonly comparison: CanaryComparison;
  readonly condition: ConditionResult;
  /** waiting: fewer finished canary runs than asked; promote: the condition holds; hold: it does not. */
  readonly verdict: 'waiting' | 'promote' | 'hold';
  readonly message: string;
  /** What keeping the split going asks of Airflow now (done by `tick`, shown by `status`). */
  readonly steps: readonly DispatchStep[];
}

export interface FinishOptions extends ApplyOptions {
  readonly who?: string;
  readonly verifyTimeoutMs?: number;
  readonly pollMs?: number;
}

const DEFAULTS = { share: 50, runs: 5 } as const;

/**
 * Canary (A/B) rollouts of one DAG: the candidate served beside the live DAG as `<dag_id>__canary` (a per-DAG deploy
 * of a generated file), runs shared between the two (dispatch.ts), compared from Airflow's REST API (metrics.ts), and
 * promoted (a per-DAG deploy of the candidate that removes the canary) when the condition holds, or aborted.
 */
export class CanaryService {
  constructor(
    private readonly deploy: DeployService,
    private readonly credentials: AirflowCredentials,
  ) {}

  /** The environment's Airflow, reachable and accepting the credentials; refused otherwise (before anything changes). */
  async airflow(env: Environment): Promise<AirflowDags> {
    if (!env.airflow) throw new Error(`Environment "${env.name}" has no airflow.url: a canary is compared and switched through Airflow's REST API. Add airflow: { url, version: 3 } to it.`);
    if (env.airflow.version !== 3) throw new Error(`Canary rollouts need Airflow 3's REST API; "${env.name}" says airflow.version: ${env.airflow.version}.`);
    const client = airflowClient(env.airflow, this.credentials);
    await client.checkConnection();
    return new AirflowDags(client);
  }

  async active(env: Environment): Promise<ActiveCanary[]> {
    return activeCanaries(await this.deploy.history(env));
  }

  /** Plans serving the candidate of `dagId` beside it as `<dag_id>__canary`; refused with the reason when it cannot be. */
  async planStart(env: Environment, request: CanaryStartRequest): Promise<DeployPlan> {
    const settings = canarySettings(request);
    const dags = await this.airflow(env);
    const planner = new DagPlanner(this.deploy);
    const at = await planner.served(env, request.dagId);
    const running = activeCanaries(at.history).find((c) => c.start.dagId === request.dagId);
    if (running) {
      throw new Error(`A canary of "${request.dagId}" is already running on "${env.name}" (started with v${running.startedIn}, candidate ${running.start.candidate.ref}). Promote or abort it first: hangar canary promote|abort --env ${env.name} --dag ${request.dagId}.`);
    }
    const commit = await resolveCommit(at.repository.path, request.ref);
    const candidateName = `${request.ref} of ${at.repository.name}`;
    const scope = await planner.scope(at, request.dagId, { commit, name: candidateName }, { withShared: true });
    if (scope.files.length === 0) throw new Error(`"${request.dagId}" in ${candidateName} is what "${env.name}" serves already: there is nothing to compare.`);
    if (scope.shared.length > 0 || scope.candidate.length !== 1) {
      throw new Error(`A canary copies one file that defines "${request.dagId}" alone; ${scope.candidate.join(', ')} also define(s) ${scope.shared.join(', ') || 'it more than once'}. Move "${request.dagId}" to a file of its own.`);
    }
    if (scope.helpers.length > 0) {
      throw new Error(`${candidateName} also changes ${scope.helpers.join(', ')}, which "${request.dagId}" imports: the canary would run with the helper module(s) served now. Deploy them first (hangar deploy --env ${env.name} --dag ${request.dagId} --ref ${request.ref} --with-shared), then start a canary.`);
    }
    const live = await dags.dag(request.dagId);
    if (!live) throw new Error(`Airflow at ${env.airflow!.url} does not list "${request.dagId}" yet: the canary is compared with the live DAG's runs, so wait until Airflow parsed it.`);
    const mode = splitMode(live, settings.shadow);
    if (!mode) {
      throw new Error(`"${request.dagId}" is scheduled by ${live.timetable_summary}: Airflow does not give two DAGs the same intervals for it (an asset or event schedule, or a timedelta that each DAG counts from its own first run), so its runs cannot be split without running some twice. Start the canary with --shadow (both run every time), or schedule the DAG with a cron expression.`);
    }
    if (mode === 'interval') {
      if (live.is_paused) throw new Error(`"${request.dagId}" is paused in Airflow: splitting its intervals would run it. Unpause it first, or start the canary with --shadow.`);
      if ((await dags.catchup(request.dagId)) !== false) throw new Error(`"${request.dagId}" has catchup on: a DAG paused for the other's intervals would run them all when unpaused. Split its runs with catchup=False, or use --shadow.`);
      await this.requireSameSchedule(at, request.dagId, scope.live[0]!, scope.candidate[0]!, commit);
    }
    const source = scope.candidate[0]!;
    await requireGate(at, commit, source);
    const file = canaryFile(source);
    if ((await listFiles(at.repository.path, await ensureCommit(at.repository, at.served), at.repository.subdir)).some((f) => f.path === file)) {
      throw new Error(`${file} is a file of the repository: Hangar will not overwrite it with a canary.`);
    }
    const event: CanaryEvent = {
      event: 'start',
      dagId: request.dagId,
      canaryDagId: canaryDagId(request.dagId),
      file: `${at.repository.namespace}/${file}`,
      repository: at.repository.name,
      candidate: { ref: request.ref, commit },
      settings,
      livePaused: live.is_paused,
    };
    const composition = withFiles(compositionOf(at.served), [{ path: file, from: commit, canary: { dagId: request.dagId, source } }]);
    return planner.planComposition(at, 'deploy', composition, { gated: [file], canary: event, request: { dagId: request.dagId, ...optional(request) }, candidateName });
  }

  /** A split by intervals needs both DAGs on one schedule: the same interval must mean the same thing to both. */
  private async requireSameSchedule(at: ServedDag, dagId: string, liveFile: string, candidateFile: string, commit: string): Promise<void> {
    const schedule = async (revision: string, file: string): Promise<string | undefined> => {
      const spec = `${revision}:${at.repository.subdir ? `${at.repository.subdir.replace(/\/+$/, '')}/` : ''}${file}`;
      const blob = (await git(at.repository.path, ['rev-parse', '--verify', '--quiet', '--end-of-options', spec])).trim();
      const text = (await readBlobs(at.repository.path, [blob])).get(blob) ?? '';
      return (await analyzePythonFile(file, text)).dags.find((d) => d.dagId === dagId)?.settings.schedule;
    };
    const [before, after] = await Promise.all([schedule(at.served.commit, liveFile), schedule(commit, candidateFile)]);
    if (before !== after) {
      throw new Error(`The candidate changes the schedule of "${dagId}" (${before ?? 'none'} → ${after ?? 'none'}): runs split by interval need one schedule. Use --shadow, or deploy the DAG (hangar deploy --dag).`);
    }
  }

  /** After the start was applied and verified: the split's first pause changes. */
  async afterStart(env: Environment, dagId: string): Promise<readonly DispatchStep[]> {
    const dags = await this.airflow(env);
    const canary = activeCanary(env, await this.deploy.history(env), dagId);
    const status = await this.statusOf(env, dags, canary);
    await applySteps(dags, status.steps);
    return status.steps;
  }

  /** Every running canary of the environment (or the one of `dagId`), read-only. */
  async status(env: Environment, dagId?: string): Promise<CanaryStatus[]> {
    const history = await this.deploy.history(env);
    const canaries = dagId ? [activeCanary(env, history, dagId)] : activeCanaries(history);
    if (canaries.length === 0) return [];
    const dags = await this.airflow(env);
    return Promise.all(canaries.map((c) => this.statusOf(env, dags, c)));
  }

  /**
   * What `hangar canary tick` and the agent run periodically: for each running canary, the pause changes that keep
   * the split going, then — when the condition holds after the runs asked for — the promotion.
   */
  async tick(env: Environment, options: FinishOptions = {}): Promise<{ status: CanaryStatus; promoted?: HistoryRecord }[]> {
    const canaries = await this.active(env);
    if (canaries.length === 0) return [];
    const dags = await this.airflow(env);
    const results: { status: CanaryStatus; promoted?: HistoryRecord }[] = [];
    for (const canary of canaries) {
      const status = await this.statusOf(env, dags, canary);
      if (status.verdict === 'promote') {
        const { record } = await this.finish(env, canary.start.dagId, 'promote', `the condition held: ${status.condition.comparisons.map((c) => c.text).join(' and ')}`, options);
        results.push({ status, promoted: record });
        continue;
      }
      await applySteps(dags, status.steps);
      results.push({ status });
    }
    return results;
  }

  /**
   * Ends a canary: `promote` deploys the candidate's DAG file and removes the canary, `abort` removes the canary. The
   * canary DAG is paused first (so its file can never run again unwatched) and the live DAG's pause state is put back
   * as it was when the canary started. Recorded with the comparison at that moment.
   */
  async finish(env: Environment, dagId: string, outcome: 'promote' | 'abort', reason: string, options: FinishOptions = {}): Promise<{ plan: DeployPlan; record: HistoryRecord }> {
    const plan = await this.planFinish(env, dagId, outcome, reason, options.who);
    const event = plan.canary!;
    const dags = await this.airflow(env);
    await dags.setPaused(event.canaryDagId, true).catch(() => undefined);
    const record = await this.deploy.apply(plan, options);
    const verified = await verifyAndRecord(this.deploy, plan, record, {
      credentials: this.credentials,
      timeoutMs: options.verifyTimeoutMs ?? 120_000,
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    });
    await dags.setPaused(dagId, event.livePaused ?? false);
    return { plan, record: verified };
  }

  /** The version that ends a canary (nothing changes yet). */
  async planFinish(env: Environment, dagId: string, outcome: 'promote' | 'abort', reason: string, who?: string): Promise<DeployPlan> {
    const history = await this.deploy.history(env);
    const canary = activeCanary(env, history, dagId);
    const dags = await this.airflow(env);
    const comparison = (await this.statusOf(env, dags, canary)).comparison;
    const planner = new DagPlanner(this.deploy);
    const at = await planner.served(env, dagId);
    const file = canary.start.file.slice(at.repository.namespace.length + 1);
    const event: CanaryEvent = { ...canary.start, event: outcome, reason, comparison };
    const request = { dagId, ...(who ? { who } : {}) };
    if (outcome === 'promote') return planner.planDeploy(env, { ...request, ref: canary.start.candidate.commit }, { canary: event, drop: [file] });
    return planner.planComposition(at, 'deploy', withoutFiles(compositionOf(at.served), [file]), { gated: [], canary: event, request, candidateName: 'the live version' });
  }

  /** Triggers one run now: of the side behind its share (or of both, in shadow mode). */
  async trigger(env: Environment, dagId: string, conf: Record<string, unknown> = {}): Promise<{ dagId: string; runId: string }[]> {
    const canary = activeCanary(env, await this.deploy.history(env), dagId);
    const dags = await this.airflow(env);
    const logicalDate = new Date().toISOString();
    let targets = [canary.start.dagId, canary.start.canaryDagId];
    if (!canary.start.settings.shadow) {
      const [live, candidate] = await Promise.all(targets.map((id) => dags.runs(id, canary.since)));
      const manual = (runs: readonly { run_type: string }[]): number => runs.filter((r) => r.run_type === 'manual').length;
      targets = [nextOwner(canary.start.settings.share, manual(live!), manual(candidate!)) === 'canary' ? canary.start.canaryDagId : canary.start.dagId];
    }
    const runs = [];
    for (const id of targets) runs.push({ dagId: id, runId: (await dags.trigger(id, { logical_date: logicalDate, conf })).dag_run_id });
    return runs;
  }

  private async statusOf(env: Environment, dags: AirflowDags, canary: ActiveCanary): Promise<CanaryStatus> {
    const { dagId, canaryDagId: canaryId, settings } = canary.start;
    const [live, candidate] = await Promise.all([dags.dag(dagId), dags.dag(canaryId)]);
    const read = async (id: string, listed: boolean) =>
      listed ? Promise.all([dags.runs(id, canary.since), dags.taskInstances(id, canary.since), dags.recentRuns(id)]) : ([[], [], []] as const);
    const [[liveRuns, liveTis, liveRecent], [canaryRuns, canaryTis, canaryRecent]] = await Promise.all([read(dagId, live !== undefined), read(canaryId, candidate !== undefined)]);
    const comparison: CanaryComparison = { since: canary.since, at: new Date().toISOString(), live: runStats(dagId, liveRuns, liveTis), canary: runStats(canaryId, canaryRuns, canaryTis) };
    const condition = evaluateCondition(parseCondition(settings.until), comparison.live, comparison.canary);
    const mode = (live && splitMode(live, settings.shadow)) ?? 'triggered';
    const ready = comparison.canary.runs >= settings.runs;
    const verdict = !ready ? 'waiting' : condition.holds ? 'promote' : 'hold';
    const steps = live && candidate && verdict !== 'promote' ? dispatch({ mode, share: settings.share, since: canary.since, live, canary: candidate, liveRuns, canaryRuns, recent: [...liveRecent, ...canaryRecent], livePaused: canary.start.livePaused ?? false }) : [];
    const message = !candidate
      ? `Airflow does not list ${canaryId} yet.`
      : verdict === 'waiting'
        ? `Waiting: the canary finished ${comparison.canary.runs} of the ${settings.runs} run(s) it needs.`
        : verdict === 'promote'
          ? 'The condition holds: the next tick promotes the candidate.'
          : `The condition does not hold${condition.comparisons.some((c) => c.holds === null) ? ' (a side has no finished run yet)' : ''}: promote or abort by hand, or wait for more runs.`;
    return {
      environment: env.name,
      dagId,
      canaryDagId: canaryId,
      since: canary.since,
      startedIn: canary.startedIn,
      candidate: canary.start.candidate,
      settings,
      mode,
      paused: { live: live?.is_paused ?? null, canary: candidate?.is_paused ?? null },
      comparison,
      condition,
      verdict,
      message,
      steps,
    };
  }
}

/** The settings of a canary, checked: a share of 1–99 %, at least one run, a condition that parses. */
export function canarySettings(request: Pick<CanaryStartRequest, 'share' | 'runs' | 'until' | 'shadow'>): CanarySettings {
  const share = request.share ?? DEFAULTS.share;
  const runs = request.runs ?? DEFAULTS.runs;
  if (!Number.isInteger(share) || share < 1 || share > 99) throw new Error(`--share is the percent of runs the canary takes: a whole number from 1 to 99, not ${share}.`);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs is how many finished canary runs to wait for: a whole number of at least 1, not ${runs}.`);
  const until = request.until?.trim() || DEFAULT_CONDITION;
  parseCondition(until);
  return { share, runs, until, shadow: request.shadow ?? false };
}

/** The candidate's DAG file passes the deploy gate (checked before a canary of it is generated). */
async function requireGate(at: ServedDag, commit: string, file: string): Promise<void> {
  const files = (await listFiles(at.repository.path, commit, at.repository.subdir)).filter((f) => f.path === file);
  const { validation } = await buildManifest([{ repoPath: at.repository.path, namespace: at.repository.namespace, files }], analyzeForDeploy);
  if (!gatePasses(validation)) throw new GateError(validation);
}

function optional(request: { who?: string; python?: string }): { who?: string; python?: string } {
  return { ...(request.who ? { who: request.who } : {}), ...(request.python ? { python: request.python } : {}) };
}

async function applySteps(dags: AirflowDags, steps: readonly DispatchStep[]): Promise<void> {
  for (const step of steps) {
    if (step.kind === 'reparse') await dags.reparse(step.dagId).catch(() => undefined);
    else await dags.setPaused(step.dagId, step.kind === 'pause');
  }
}
