import { existsSync } from 'node:fs';
import path from 'node:path';
import { credentialsFromEnv as airflowCredentialsFromEnv } from '../airflow/client';
import { loadConfigFile } from '../config/load';
import { formatConfigError, type RepositoryConfig } from '../config/types';
import { findEnvironment, toEnvironment } from '../deploy/environments';
import { GateError } from '../deploy/gate';
import { DeployService } from '../deploy/service';
import type { Environment, HistoryRecord } from '../deploy/types';
import { verifyAndRecord } from '../deploy/verification';
import { GitClient } from '../git/gitClient';
import { credentialsFromEnv } from '../repos/envCredentials';
import { syncRepository } from '../repos/sync';
import { defaultStorageDir } from '../repos/workspace';
import type { AgentEvent } from './events';
import { normaliseUrl } from './events';
import type { DeployGuard, Fleet, FleetRunner } from './fleet/fleet';
import type { FleetStatus } from './fleet/fleetStatus';
import { Metrics } from './metrics';
import { RepositoryQueue } from './repoQueue';
import { reviewCommit } from './review';
import { postReview, type HostApi } from './reviewReporter';
import type { ReviewEvent, Work } from './work';

export interface AgentOptions {
  readonly configFile: string;
  /** Environment a push to a tracked branch is deployed to; without it pushes are synced and validated only. */
  readonly environment?: string;
  /** State, sync history and clones of repositories that set no `path`. */
  readonly storageDir: string;
  readonly hostApis?: { readonly github?: HostApi; readonly gitlab?: HostApi };
  readonly retry?: { readonly attempts: number; readonly backoffMs: number };
  /** How long to wait for Airflow to list deployed DAGs, when the environment has an Airflow endpoint. */
  readonly verifyTimeoutMs?: number;
  readonly log: (line: string) => void;
}

export interface RepositoryStatus {
  lastDelivery?: { id: string; event: string; at: string };
  lastSync?: { at: string; result: string; commit?: string; error?: string };
  deployed?: { version: number; commit: string; at: string };
  lastError?: string;
  deploys: number;
}

/** What the agent makes of a delivery: the HTTP answer, the work to queue, the repository it is about. */
export interface Decision {
  readonly status: number;
  readonly message: string;
  readonly work?: Work;
  readonly repository?: string;
}

/** `/status` of one repository; in a fleet, `queue`, `busy` and `deployed` are the fleet's. */
export type RepositorySnapshot = RepositoryStatus & { queue: number; busy: boolean; runningOn?: string[] };

/**
 * The unattended engine behind `hangar serve`: webhook events in, sync → validate → deploy out. Alone it queues
 * work in memory (per-repository collapsing queues); attached to a fleet, the fleet's PostgreSQL queue runs it.
 */
export class Agent implements FleetRunner {
  readonly metrics = new Metrics();
  private readonly repositories: readonly RepositoryConfig[];
  private readonly queues = new Map<string, RepositoryQueue>();
  private readonly statuses = new Map<string, RepositoryStatus>();
  private readonly environment?: Environment;
  private readonly deployService = new DeployService();
  private deploying: Promise<unknown> = Promise.resolve();
  private readonly reviews = new Set<Promise<void>>();
  private fleet: Fleet | undefined;
  /** Clones of repositories that set no `path` live where `hangar deploy` and `hangar rollback` expect them. */
  private readonly cloneRoot: string;

  constructor(private readonly options: AgentOptions) {
    const configFile = path.resolve(options.configFile);
    this.cloneRoot = path.join(defaultStorageDir(configFile), 'clones');
    const config = loadConfigFile(configFile);
    if (config.errors.length) throw new Error(config.errors.map(formatConfigError).join('\n'));
    this.repositories = config.repositories;
    if (options.environment) {
      this.environment = findEnvironment(config.environments.map((e) => toEnvironment(e, config.repositories, options.storageDir, this.cloneRoot)), options.environment);
    }
    for (const repository of this.repositories) {
      this.statuses.set(repository.name, { deploys: 0 });
      this.queues.set(
        repository.name,
        new RepositoryQueue(() => this.syncAndDeploy(repository).then(() => undefined), {
          attempts: options.retry?.attempts ?? 4,
          backoffMs: options.retry?.backoffMs ?? 2_000,
          onError: (error, attempt, willRetry) => this.reportFailure(repository.name, error, attempt, willRetry),
        }),
      );
    }
    this.metrics.define('hangar_agent_deliveries_total', 'Webhook deliveries received, by source and outcome.');
    this.metrics.define('hangar_agent_syncs_total', 'Repository syncs run, by repository and result.');
    this.metrics.define('hangar_agent_sync_failures_total', 'Failed sync or deploy attempts, by repository.');
    this.metrics.define('hangar_agent_deploys_total', 'Deploys made by the agent, by repository.');
    this.metrics.define('hangar_agent_reviews_total', 'Pull/merge request checks, by result.');
  }

  /** The configured repository an event is about, by name or by clone URL. */
  findRepository(event: { repositoryName?: string; repositoryUrl?: string }): RepositoryConfig | undefined {
    if (event.repositoryName) return this.repositories.find((r) => r.name === event.repositoryName);
    if (!event.repositoryUrl) return undefined;
    const wanted = normaliseUrl(event.repositoryUrl);
    return this.repositories.find((r) => normaliseUrl(r.url) === wanted);
  }

  /** What a delivery asks for; nothing happens until the work is queued (`schedule`, or a fleet's intake). */
  decide(event: AgentEvent): Decision {
    if (event.kind === 'ping') return { status: 200, message: 'pong' };
    if (event.kind === 'ignored') return { status: 202, message: `ignored: ${event.why}` };
    const repository = this.findRepository(event);
    if (!repository) return { status: 404, message: 'unknown repository: it is not in the agent configuration' };
    if (event.kind === 'review') {
      return { status: 202, message: `checking ${event.commit.slice(0, 12)} of ${repository.name}`, repository: repository.name, work: { kind: 'review', repository: repository.name, event } };
    }
    if (event.ref && repository.ref.kind === 'branch' && event.ref !== `refs/heads/${repository.ref.name}`) {
      return { status: 202, message: `ignored: ${event.ref} is not the tracked branch ${repository.ref.name}`, repository: repository.name };
    }
    return { status: 202, message: `sync of ${repository.name} queued`, repository: repository.name, work: { kind: 'sync', repository: repository.name } };
  }

  /** Notes an accepted delivery in `/status`. */
  received(decision: Decision, delivery: { id: string; event: string }): void {
    if (decision.repository) this.status(decision.repository).lastDelivery = { id: delivery.id, event: delivery.event, at: new Date().toISOString() };
  }

  /** Runs `work` in this process (alone, without a fleet). */
  schedule(work: Work): void {
    if (work.kind === 'sync') return this.queues.get(work.repository)!.request();
    const review = this.runReview(work.repository, work.event).finally(() => this.reviews.delete(review));
    this.reviews.add(review);
  }

  /** From now on the fleet queues and runs the work, and `/status` and `/metrics` show it. */
  attach(fleet: Fleet): void {
    this.fleet = fleet;
  }

  /** The fleet's view for `/status`, or undefined alone. */
  async fleetStatus(): Promise<FleetStatus | undefined> {
    return this.fleet?.status();
  }

  reportFailure(repository: string, error: unknown, attempt: number, willRetry: boolean): void {
    const message = error instanceof Error ? error.message : String(error);
    const status = this.statuses.get(repository);
    if (status) status.lastError = message;
    this.metrics.increment('hangar_agent_sync_failures_total', { repository });
    this.options.log(`[${repository}] attempt ${attempt} failed: ${message}${willRetry ? '; retrying' : '; giving up until the next delivery'}`);
  }

  /** A line for the agent's log (never a secret). */
  log(line: string): void {
    this.options.log(line);
  }

  status(name: string): RepositoryStatus {
    return this.statuses.get(name)!;
  }

  /** `/status`: per repository, the last delivery, sync, deployed version and queue length. */
  async snapshot(): Promise<Record<string, RepositorySnapshot>> {
    const fleet = await this.fleet?.status();
    return Object.fromEntries(
      this.repositories.map((r): [string, RepositorySnapshot] => {
        const status = this.status(r.name);
        if (!fleet) {
          const queue = this.queues.get(r.name)!;
          return [r.name, { ...status, queue: queue.length, busy: queue.busy }];
        }
        const load = fleet.repositories[r.name];
        const deployed = load?.deployed ? { version: load.deployed.version, commit: load.deployed.commit, at: load.deployed.at } : status.deployed;
        return [r.name, { ...status, ...(deployed ? { deployed } : {}), queue: load?.waiting ?? 0, busy: (load?.running ?? 0) > 0, runningOn: load?.runningOn ?? [] }];
      }),
    );
  }

  async renderMetrics(): Promise<string> {
    if (this.fleet) {
      const fleet = await this.fleet.status();
      const queues = this.repositories.map((r): [Record<string, string>, number] => [{ repository: r.name }, (fleet.repositories[r.name]?.waiting ?? 0) + (fleet.repositories[r.name]?.running ?? 0)]);
      return this.metrics.render([{ name: 'hangar_agent_queue_length', help: 'Runs in progress or waiting, by repository (fleet-wide).', values: queues }, ...(await this.fleet.gauges())]);
    }
    const queues = this.repositories.map((r): [Record<string, string>, number] => [{ repository: r.name }, this.queues.get(r.name)!.length + (this.queues.get(r.name)!.busy ? 1 : 0)]);
    return this.metrics.render([{ name: 'hangar_agent_queue_length', help: 'Runs in progress or waiting, by repository.', values: queues }]);
  }

  /** Every version the agent's environment has served (empty without `--env`). */
  async deployHistory(): Promise<HistoryRecord[]> {
    return this.environment ? this.deployService.history(this.environment) : [];
  }

  /** Resolves when every queue and review is idle (in a fleet: the fleet's queues) (tests, benchmarks). */
  async idle(): Promise<void> {
    await this.fleet?.idle();
    await Promise.all([...this.queues.values()].map((q) => q.idle()));
    await Promise.all([...this.reviews]);
  }

  /** Graceful shutdown: takes no more work and lets the running syncs finish. */
  async stop(): Promise<void> {
    await this.fleet?.stop();
    await Promise.all([...this.queues.values()].map((q) => q.stop()));
    await Promise.all([...this.reviews]);
  }

  /** A fleet job: sync `name` and deploy it under the fleet's guard; the version served when it serves the head. */
  async runSync(name: string, guard: DeployGuard): Promise<HistoryRecord | undefined> {
    const repository = this.repositories.find((r) => r.name === name);
    if (!repository) throw new Error(`repository "${name}" is not in this agent's configuration: every agent of a fleet needs the same airflow-repos.yaml`);
    return this.syncAndDeploy(repository, guard);
  }

  async runReview(name: string, event: ReviewEvent): Promise<void> {
    const repository = this.repositories.find((r) => r.name === name);
    if (!repository) throw new Error(`repository "${name}" is not in this agent's configuration: every agent of a fleet needs the same airflow-repos.yaml`);
    return this.review(repository, event);
  }

  private async sync(repository: RepositoryConfig) {
    return syncRepository({
      repository,
      storageDir: this.options.storageDir,
      cloneRoot: this.cloneRoot,
      credentials: credentialsFromEnv(repository),
      trigger: 'webhook',
      log: this.options.log,
    });
  }

  private async syncAndDeploy(repository: RepositoryConfig, guard?: DeployGuard): Promise<HistoryRecord | undefined> {
    const status = this.status(repository.name);
    try {
      const result = await this.sync(repository);
      status.lastSync = { at: result.time, result: result.result, ...(result.to ? { commit: result.to } : {}) };
      this.metrics.increment('hangar_agent_syncs_total', { repository: repository.name, result: result.result });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      status.lastSync = { at: new Date().toISOString(), result: 'failed', error: message };
      this.metrics.increment('hangar_agent_syncs_total', { repository: repository.name, result: 'failed' });
      throw error;
    }
    const env = this.environment;
    if (!env || !env.repositories.some((r) => r.name === repository.name)) return undefined;
    // Deploys to one environment run one at a time, whichever repository triggered them (in a fleet: on any agent).
    const deploy = this.deploying.then(() => (guard ? guard.exclusive(env.name, () => this.deploy(env, repository, guard)) : this.deploy(env, repository)));
    this.deploying = deploy.catch(() => undefined);
    return deploy;
  }

  /** Deploys the heads of the environment's clones; resolves with the version served when it serves `trigger`'s head. */
  private async deploy(env: Environment, trigger: RepositoryConfig, guard?: DeployGuard): Promise<HistoryRecord | undefined> {
    // The environment deploys every repository it lists: one that no delivery has synced yet is cloned first.
    for (const r of env.repositories) {
      const config = this.repositories.find((c) => c.name === r.name);
      if (config && !existsSync(path.join(r.path, '.git'))) await this.sync(config);
    }
    const serving = (await this.deployService.history(env)).at(-1);
    const git = new GitClient({ access: { auth: 'none' } });
    const commits = await Promise.all(env.repositories.map((r) => git.head(r.path)));
    if (serving && env.repositories.every((r, i) => serving.repositories.find((x) => x.name === r.name)?.commit === commits[i])) {
      this.options.log(`[${trigger.name}] ${env.name} already serves these commits; nothing to deploy`);
      return serving;
    }
    const head = commits[env.repositories.findIndex((r) => r.name === trigger.name)]!;
    if (await guard?.deployedBefore(env.name, trigger.name, head)) {
      this.options.log(`[${trigger.name}] the fleet deployed ${head.slice(0, 12)} to ${env.name} before; not deploying it again`);
      return undefined;
    }
    let plan;
    try {
      plan = await this.deployService.planDeploy(env, { refs: Object.fromEntries(env.repositories.map((r, i) => [r.name, commits[i]!])), who: 'hangar-agent' });
    } catch (error) {
      if (!(error instanceof GateError)) throw error;
      this.status(trigger.name).lastError = `deploy to ${env.name} blocked by the validation gate: ${error.message}`;
      this.options.log(`[${trigger.name}] ${this.status(trigger.name).lastError}`);
      return undefined;
    }
    let record = await this.deployService.apply(plan, { onProgress: (m) => this.options.log(`[${trigger.name}] ${m}`) });
    const status = this.status(trigger.name);
    status.deploys++;
    status.lastError = undefined;
    this.metrics.increment('hangar_agent_deploys_total', { repository: trigger.name });
    this.options.log(`[${trigger.name}] deployed version ${record.version} to ${env.name}`);
    if (env.airflow) {
      record = await verifyAndRecord(this.deployService, plan, record, {
        credentials: airflowCredentialsFromEnv(),
        reparse: true,
        timeoutMs: this.options.verifyTimeoutMs ?? 120_000,
        onProgress: (m) => this.options.log(`[${trigger.name}] ${m}`),
      });
    }
    const commit = plan.repositories.find((r) => r.name === trigger.name)?.commit ?? '';
    status.deployed = { version: record.version, commit, at: record.at };
    return record;
  }

  private async review(repository: RepositoryConfig, event: ReviewEvent): Promise<void> {
    try {
      const synced = await this.sync(repository);
      const access = { auth: repository.auth, username: repository.username, sshKey: repository.sshKey, credentials: credentialsFromEnv(repository) };
      await new GitClient({ access }).fetchCommit(synced.cloneDir, repository.url, event.commit);
      const result = await reviewCommit(synced.cloneDir, event.commit, repository.dagsPath);
      this.metrics.increment('hangar_agent_reviews_total', { result: result.passed ? 'passed' : 'failed' });
      const summary = result.passed
        ? `Hangar: ${result.files} DAG file(s) checked, nothing blocks a deploy`
        : `Hangar: ${result.errors} error(s), ${result.highSecurity} high-severity security finding(s) in ${result.files} DAG file(s)`;
      this.options.log(`[${repository.name}] review of ${event.commit.slice(0, 12)}: ${summary}`);
      const api = this.options.hostApis?.[event.host];
      if (!api) return;
      const details = [`### ${summary}`, '', ...result.lines.slice(0, 50).map((l) => `- \`${l}\``)].join('\n');
      await postReview({ host: event.host, project: event.project, number: event.number, commit: event.commit, passed: result.passed, summary, details }, api);
    } catch (error) {
      this.metrics.increment('hangar_agent_reviews_total', { result: 'error' });
      this.options.log(`[${repository.name}] review of ${event.commit.slice(0, 12)} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
