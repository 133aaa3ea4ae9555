import path from 'node:path';
import * as vscode from 'vscode';
import { AirflowError, type AirflowCredentials } from '../../../server/src/airflow/client';
import { airflowClient } from '../../../server/src/airflow/endpoint';
import { describeDiff } from '../../../server/src/deploy/diff';
import { toEnvironment } from '../../../server/src/deploy/environments';
import { describePlan } from '../../../server/src/deploy/format';
import { blockingLines, GateError } from '../../../server/src/deploy/gate';
import { AlreadyLiveError, DeployService, type DeployPlan } from '../../../server/src/deploy/service';
import type { DeployRepository, Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { changesInBrief } from '../../../server/src/deploy/semanticChanges';
import { verifyAndRecord } from '../../../server/src/deploy/verification';
import type { Prompts } from '../prompts';
import type { RepositoriesController } from '../repos/controller';
import { hangarSetting } from '../settings';
import { trusted } from '../trust';
import { HistoryDocuments } from '../views/historyDocuments';
import { AirflowCredentialStore } from './airflowCredentials';
import { compareWithPreviousVersion } from './compareVersions';
import { renderDeployHistory } from './historyDocument';
import { VerificationReport } from './verificationReport';
import { pickVersions } from './versionPicker';

/** The result of a command, also returned to callers (tests, the code lens). */
export interface DeployOutcome {
  readonly record?: HistoryRecord;
  readonly cancelled?: boolean;
  /** What went wrong, as shown to the user. */
  readonly error?: string;
  /** Nothing was done: the target already serves what was asked for. */
  readonly alreadyLive?: boolean;
  /** Milliseconds per step (plan steps, apply, verify), as logged. */
  readonly timings?: Readonly<Record<string, number>>;
}

/**
 * Deploy, rollback, promotion and history in the editor. Runs the same DeployService as the CLI in the extension
 * host, like the repositories controller, so Airflow credentials never cross the (traceable) LSP channel.
 */
export class DeployController implements vscode.Disposable {
  readonly service = new DeployService();
  private readonly credentials: AirflowCredentialStore;
  readonly report: VerificationReport;
  private readonly changed = new vscode.EventEmitter<void>();
  /** A version was recorded, the environments changed, or a refresh was asked for. */
  readonly onDidChange = this.changed.event;
  private readonly configSubscription: vscode.Disposable;

  constructor(
    context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly repositories: RepositoriesController,
    readonly ui: Prompts,
    readonly documents: HistoryDocuments,
  ) {
    this.credentials = new AirflowCredentialStore(context.secrets);
    this.report = new VerificationReport(log);
    this.configSubscription = repositories.onDidChange(() => this.refresh());
  }

  /** Re-reads every history (views, open history documents). */
  refresh(): void {
    this.changed.fire();
    this.documents.refresh();
  }

  /** A git target's history lives on its remote: reading it runs git, which Restricted Mode does not allow. */
  history(env: Environment): Promise<HistoryRecord[]> {
    if (env.target.kind === 'git' && !vscode.workspace.isTrusted) return Promise.reject(new Error(`Reading the history of "${env.name}" runs git against its remote: trust the workspace first.`));
    return this.service.history(env);
  }

  deployedDagIds(env: Environment, history: readonly HistoryRecord[]): Promise<string[]> {
    return this.service.deployedDagIds(env, history);
  }

  /** The Airflow credentials stored for an environment, without asking for them. */
  storedAirflowCredentials(environment: string, url: string): Promise<AirflowCredentials | undefined> {
    return this.credentials.get(environment, url);
  }

  environments(): Environment[] {
    const config = this.repositories.config;
    return config.environments.map((e) => toEnvironment(e, config.repositories, this.repositories.storageDir, undefined, path.dirname(config.file)));
  }

  async pickEnvironment(title: string, exclude?: string, environments = this.environments()): Promise<Environment | undefined> {
    environments = environments.filter((e) => e.name !== exclude);
    if (environments.length === 0) {
      void vscode.window.showWarningMessage('No environments to deploy to: add an environments: list to airflow-repos.yaml.', 'Open airflow-repos.yaml').then((choice) => {
        if (choice) void vscode.window.showTextDocument(vscode.Uri.file(this.repositories.configFile));
      });
      return undefined;
    }
    return this.ui.pick(
      title,
      environments.map((e) => ({
        label: e.name,
        description: e.target.kind === 'folder' ? `folder ${e.target.path}` : `git ${e.target.branch}`,
        detail: `${e.repositories.map((r) => r.name).join(', ')}${e.airflow ? ` · Airflow ${e.airflow.version} at ${e.airflow.url}` : ' · not verified (no airflow.url)'}`,
        value: e,
      })),
      'Environment',
    );
  }

  /** Syncs a repository before its versions are listed; answers what went wrong, if anything. */
  async syncFirst(repository: DeployRepository): Promise<string | undefined> {
    const config = this.repositories.find(repository.name);
    if (!config) return `${repository.name} is not in airflow-repos.yaml`;
    return this.repositories.sync(config, 'manual').then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
  }

  async deploy(): Promise<DeployOutcome> {
    const env = await this.pickEnvironment('Hangar: Deploy — environment');
    if (!env) return { cancelled: true };
    const refs = await pickVersions(env, this.ui, (repository) => this.syncFirst(repository));
    if (!refs) return { cancelled: true };
    const python = hangarSetting('python').trim() || undefined;
    const request = { refs, ...(python ? { python } : {}) };
    let plan: DeployPlan;
    try {
      plan = await this.withProgress(`Validating for ${env.name}…`, () => this.service.planDeploy(env, request));
    } catch (error) {
      if (error instanceof AlreadyLiveError) return this.alreadyLive(error, request);
      if (!(error instanceof GateError)) return this.fail(error);
      const choice = await this.ui.pick(
        `Validation blocks the deploy to ${env.name}: ${error.validation.errors} error(s), ${error.validation.highSecurity} high-severity security finding(s)`,
        [
          { label: '$(close) Cancel', detail: blockingLines(error.validation).join(' · '), value: 'cancel' },
          { label: '$(warning) Deploy anyway…', detail: 'Asks for a reason, recorded in the history', value: 'force' },
        ],
      );
      if (choice !== 'force') return { cancelled: true };
      const reason = await this.ui.input('Forced deploy', 'Why is this deploy forced? (recorded in the history)', { validate: (v) => (v.trim() ? undefined : 'A forced deploy needs a reason') });
      if (!reason) return { cancelled: true };
      try {
        plan = await this.service.planDeploy(env, { ...request, force: true, reason });
      } catch (forcedError) {
        return this.fail(forcedError);
      }
    }
    return this.confirmAndRun(plan);
  }

  /** The target already serves these commits: say so, record nothing, unless the user deploys anyway. */
  private async alreadyLive(error: AlreadyLiveError, request: { refs: Record<string, string>; python?: string }): Promise<DeployOutcome> {
    const env = error.plan.environment;
    this.log.info(error.message);
    const choice = await this.ui.pick(`Already live on ${env.name}: ${error.plan.repositories.map((r) => `${r.name}@${r.commit.slice(0, 12)}`).join(', ')}`, [
      { label: '$(check) Leave it', detail: 'Nothing changes and nothing is recorded', value: false },
      { label: '$(rocket) Deploy anyway', detail: 'Records a new version with the same commits', value: true },
    ]);
    if (!choice) return { alreadyLive: true, cancelled: true };
    try {
      return await this.confirmAndRun(await this.service.planDeploy(env, { ...request, force: true }));
    } catch (forcedError) {
      return this.fail(forcedError);
    }
  }

  /** From the palette (pick environment and version), an environment name, or a version in the Deployments view. */
  async rollback(target?: string | { environment: string; record?: HistoryRecord }): Promise<DeployOutcome> {
    const environment = typeof target === 'string' ? target : target?.environment;
    const env = environment ? this.environments().find((e) => e.name === environment) : await this.pickEnvironment('Hangar: Rollback — environment');
    if (!env) return { cancelled: true };
    const history = await this.history(env).catch((error: unknown) => (void this.fail(error), undefined));
    if (!history) return { cancelled: true };
    const current = history.at(-1);
    const serves = (r: HistoryRecord): string => r.repositories.map((x) => `${x.name}@${x.release ?? x.commit}`).join(',');
    if (typeof target === 'object' && target.record) {
      if (current && serves(target.record) === serves(current)) {
        void vscode.window.showInformationMessage(`v${target.record.version} serves what is live on "${env.name}" now (v${current.version}); rolling back to it would change nothing.`);
        return { cancelled: true, alreadyLive: true };
      }
      return this.planAndRun(() => this.service.planRollback(env, target.record!.version));
    }
    const candidates = [...history].reverse().filter((r) => current && serves(r) !== serves(current));
    if (!current || candidates.length === 0) {
      void vscode.window.showInformationMessage(current ? `Every version of "${env.name}" serves what is live now (v${current.version}); there is nothing different to roll back to.` : `Nothing was deployed to "${env.name}" yet.`);
      return { cancelled: true };
    }
    const version = await this.ui.pick(`Hangar: Rollback ${env.name} (now v${current.version}) — version to serve`, candidates.map((r) => ({ ...recordItem(r), value: r.version })));
    if (version === undefined) return { cancelled: true };
    return this.planAndRun(() => this.service.planRollback(env, version));
  }

  async promote(from?: string, to?: string): Promise<DeployOutcome> {
    const source = from ? this.environments().find((e) => e.name === from) : await this.pickEnvironment('Hangar: Promote — from environment');
    if (!source) return { cancelled: true };
    const target = to ? this.environments().find((e) => e.name === to) : await this.pickEnvironment(`Hangar: Promote ${source.name} — to environment`, source.name);
    if (!target) return { cancelled: true };
    const python = hangarSetting('python').trim() || undefined;
    try {
      return await this.confirmAndRun(await this.service.planPromote(source, target, python ? { python } : {}));
    } catch (error) {
      if (!(error instanceof AlreadyLiveError)) return this.fail(error);
      void vscode.window.showInformationMessage(error.message.replace(/ Deploy anyway with --force\.$/, ''));
      return { cancelled: true, alreadyLive: true };
    }
  }

  /** Shows an environment's history as a read-only document (viewing only: rolling back is `hangar.rollback`). */
  async showHistory(environment?: string): Promise<void> {
    const env = environment ? this.environments().find((e) => e.name === environment) : await this.pickEnvironment('Hangar: Deploy History — environment');
    if (!env) return;
    const name = env.name;
    await this.documents.show(HistoryDocuments.uri('deployments', name), async () => {
      const current = this.environments().find((e) => e.name === name);
      if (!current) return `# Deploy history of ${name}\n\nairflow-repos.yaml no longer declares this environment.\n`;
      return renderDeployHistory(current, await this.history(current).catch(() => []));
    });
  }

  private async planAndRun(plan: () => Promise<DeployPlan>): Promise<DeployOutcome> {
    try {
      return await this.confirmAndRun(await plan());
    } catch (error) {
      return this.fail(error);
    }
  }

  /** Shows the summary, asks, then applies and verifies the plan with progress and Cancel. */
  async confirmAndRun(plan: DeployPlan): Promise<DeployOutcome> {
    const verb = plan.action === 'rollback' ? `Roll back to v${plan.restores}` : plan.action === 'promote' ? 'Promote' : 'Deploy';
    const summary = describePlan(plan);
    this.log.info(summary);
    const go = await this.ui.pick(`${verb} → ${plan.environment.name}: ${describeDiff(plan.dagDiff)}`, [
      { label: `$(rocket) ${verb}`, detail: summary.split('\n').slice(1).map((l) => l.trim()).join(' · '), value: true },
      { label: '$(close) Cancel', value: false },
    ]);
    if (!go) return { cancelled: true };
    const credentials = await this.credentialsFor(plan.environment);
    if (credentials === undefined) return { cancelled: true };
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} → ${plan.environment.name}`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const report = (message: string): void => progress.report({ message });
      const timings: Record<string, number> = { ...plan.timings };
      try {
        let started = performance.now();
        let record = await this.service.apply(plan, { signal: abort.signal, onProgress: report });
        timings.apply = Math.round(performance.now() - started);
        report(`v${record.version} is live; verifying with Airflow…`);
        started = performance.now();
        record = await verifyAndRecord(this.service, plan, record, { credentials, signal: abort.signal, onProgress: report });
        timings.verify = Math.round(performance.now() - started);
        this.log.info(`${verb} → ${plan.environment.name} v${record.version} took ${Object.entries(timings).map(([step, ms]) => `${step} ${ms} ms`).join(', ')}`);
        const others = this.environments().filter((e) => e.name !== plan.environment.name).map((e) => e.name);
        this.report.show(plan, record, others, { promote: (a, b) => void this.promote(a, b), rollback: (e) => void this.rollback(e), showLogs: () => this.log.show() });
        return { record, timings };
      } catch (error) {
        if (abort.signal.aborted) {
          void vscode.window.showWarningMessage(`${verb} → ${plan.environment.name} cancelled. Nothing changed unless it was already live; see the history.`);
          return { cancelled: true };
        }
        return this.fail(error);
      } finally {
        this.refresh();
      }
    });
  }

  /** Credentials of the environment's Airflow, checked before anything changes; {} when it has no Airflow. */
  async credentialsFor(env: Environment): Promise<AirflowCredentials | undefined> {
    const airflow = env.airflow;
    if (!airflow) return {};
    if (airflow.tokenCommand) return this.commandCredentials(env);
    let credentials = (await this.credentials.get(env.name, airflow.url)) ?? (await this.credentials.prompt(this.ui, env.name, airflow.url));
    for (;;) {
      if (!credentials) return undefined;
      try {
        await airflowClient(airflow, credentials).checkConnection();
        return credentials;
      } catch (error) {
        if (!(error instanceof AirflowError) || error.kind !== 'credentials') {
          await this.fail(error);
          return undefined;
        }
        await this.credentials.forget(env.name);
        void vscode.window.showWarningMessage(error.message);
        credentials = await this.credentials.prompt(this.ui, env.name, airflow.url);
      }
    }
  }

  /** auth: command runs a program named in airflow-repos.yaml: only in a trusted workspace. */
  private async commandCredentials(env: Environment): Promise<AirflowCredentials | undefined> {
    try {
      if (!vscode.workspace.isTrusted) {
        throw new Error(`"${env.name}" gets its Airflow token from a command in airflow-repos.yaml, which Hangar runs only in a trusted workspace: trust this folder first.`);
      }
      await airflowClient(env.airflow!, {}).checkConnection();
      return {};
    } catch (error) {
      await this.fail(error);
      return undefined;
    }
  }

  private async withProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, work);
  }

  async fail(error: unknown): Promise<DeployOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(message);
    void vscode.window.showErrorMessage(message.split('\n')[0] ?? message, 'Show Logs').then((choice) => choice && this.log.show());
    return { cancelled: true, error: message };
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.changed.dispose();
    this.report.dispose();
  }
}

export function recordItem(r: HistoryRecord): vscode.QuickPickItem {
  const status = { verified: '$(pass)', 'import-errors': '$(error)', timeout: '$(watch)', failed: '$(error)', skipped: '$(circle-outline)' }[r.verification?.status ?? 'skipped'];
  return {
    label: `${status} v${r.version} · ${r.action}${r.restores !== undefined ? ` of v${r.restores}` : ''}`,
    description: r.repositories.map((x) => `${x.name}@${x.commit.slice(0, 10)}`).join(', '),
    detail: `${new Date(r.at).toLocaleString()} by ${r.who} · ${changesInBrief(r.changes, 2) ?? describeDiff(r.dagDiff)}${r.forced ? ` · forced: ${r.forced.reason}` : ''}${r.promotedFrom ? ` · from ${r.promotedFrom.environment} v${r.promotedFrom.version}` : ''}`,
  };
}

/** The deploy commands, for the one registration object in extension.ts; those that change an environment need trust. */
export function deployCommands(controller: DeployController): Record<string, (...args: never[]) => unknown> {
  return {
    'hangar.deploy': trusted('Deploying', () => controller.deploy()),
    'hangar.rollback': trusted('Rolling back', (target?: string | { environment: string; record?: HistoryRecord }) => controller.rollback(target)),
    // From the Deployments view the argument is an environment node: promote from it.
    'hangar.promote': trusted('Promoting', (from?: string | { environment: string }, to?: string) =>
      controller.promote(typeof from === 'string' ? from : from?.environment, typeof to === 'string' ? to : undefined),
    ),
    // From the Deployments view the argument is a node of the environment to show.
    'hangar.showDeployHistory': (target?: string | { environment: string }) => controller.showHistory(typeof target === 'string' ? target : target?.environment),
    'hangar.refreshDeployments': () => controller.refresh(),
    // From a run in the Deployments view: what its version changed compared with the one before.
    'hangar.compareWithPreviousVersion': trusted('Comparing versions', (target?: { environment: string; version?: number }) => compareWithPreviousVersion(controller, target)),
  };
}
