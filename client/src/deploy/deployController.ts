import * as vscode from 'vscode';
import { AirflowError, type AirflowCredentials } from '../../../server/src/airflow/client';
import { toEnvironment } from '../../../server/src/deploy/environments';
import { describeDiff } from '../../../server/src/deploy/diff';
import { describePlan, describeVerification } from '../../../server/src/deploy/format';
import { GateError } from '../../../server/src/deploy/gate';
import { DeployService, type DeployPlan } from '../../../server/src/deploy/service';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { changesInBrief } from '../../../server/src/deploy/semanticChanges';
import { checkAirflow, verifyAndRecord } from '../../../server/src/deploy/verification';
import { listVersions } from '../../../server/src/deploy/versions';
import type { RepositoriesController } from '../repos/controller';
import { AirflowCredentialStore } from './airflowCredentials';
import { compareWithPreviousVersion } from './compareVersions';
import { DeployUi, type PickItem } from './ui';

/** The result of a command, also returned to callers (tests, the code lens). */
export interface DeployOutcome {
  readonly record?: HistoryRecord;
  readonly cancelled?: boolean;
  /** What went wrong, as shown to the user. */
  readonly error?: string;
}

/**
 * Deploy, rollback, promotion and history in the editor. Runs the same DeployService as the CLI in the extension
 * host, like the repositories controller, so Airflow credentials never cross the (traceable) LSP channel.
 */
export class DeployController implements vscode.Disposable {
  readonly ui = new DeployUi();
  private readonly service = new DeployService();
  private readonly credentials: AirflowCredentialStore;
  /** Import errors Airflow reported for the last deploy, on the workspace files they map to. */
  readonly diagnostics = vscode.languages.createDiagnosticCollection('hangar-deploy');
  private readonly changed = new vscode.EventEmitter<void>();
  /** A version was recorded, or the environments changed. */
  readonly onDidChange = this.changed.event;
  private readonly configSubscription: vscode.Disposable;

  constructor(
    context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    private readonly repositories: RepositoriesController,
  ) {
    this.credentials = new AirflowCredentialStore(context.secrets);
    this.configSubscription = repositories.onDidChange(() => this.changed.fire());
  }

  history(env: Environment): Promise<HistoryRecord[]> {
    return this.service.history(env);
  }

  deployedDagIds(env: Environment, history: readonly HistoryRecord[]): Promise<string[]> {
    return this.service.deployedDagIds(env, history);
  }

  /** The Airflow credentials stored for an environment, without asking for them. */
  storedAirflowCredentials(environment: string): Promise<AirflowCredentials | undefined> {
    return this.credentials.get(environment);
  }

  environments(): Environment[] {
    const config = this.repositories.config;
    return config.environments.map((e) => toEnvironment(e, config.repositories, this.repositories.storageDir));
  }

  private async pickEnvironment(title: string, exclude?: string): Promise<Environment | undefined> {
    const environments = this.environments().filter((e) => e.name !== exclude);
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

  async deploy(): Promise<DeployOutcome> {
    const env = await this.pickEnvironment('Hangar: Deploy — environment');
    if (!env) return { cancelled: true };
    const refs: Record<string, string> = {};
    for (const repository of env.repositories) {
      const versions = await listVersions(repository.path).catch((error: Error) => {
        void vscode.window.showErrorMessage(`Cannot read the versions of ${repository.name}: ${error.message}. Sync the repository first.`);
        return undefined;
      });
      if (!versions) return { cancelled: true };
      const icon = { branch: '$(git-branch)', tag: '$(tag)', commit: '$(git-commit)' };
      const items: PickItem<string>[] = versions.map((v) => ({
        label: `${icon[v.kind]} ${v.kind === 'commit' ? v.commit.slice(0, 12) : v.ref}`,
        description: v.kind === 'commit' ? v.subject : `${v.commit.slice(0, 12)} ${v.subject}`,
        value: v.ref,
      }));
      const preferred = items.findIndex((i) => i.value === repository.defaultRef);
      if (preferred > 0) items.unshift(...items.splice(preferred, 1));
      const ref = await this.ui.pick(`Hangar: Deploy to ${env.name} — version of ${repository.name}`, items, 'Branch head, tag or commit');
      if (!ref) return { cancelled: true };
      refs[repository.name] = ref;
    }
    let plan: DeployPlan;
    try {
      plan = await this.withProgress(`Validating for ${env.name}…`, () => this.service.planDeploy(env, { refs }));
    } catch (error) {
      if (!(error instanceof GateError)) return this.fail(error);
      const choice = await this.ui.pick(
        `Validation blocks the deploy to ${env.name}: ${error.validation.errors} error(s), ${error.validation.highSecurity} high-severity security finding(s)`,
        [
          { label: '$(close) Cancel', detail: error.validation.blocking.slice(0, 3).join(' · '), value: 'cancel' },
          { label: '$(warning) Deploy anyway…', detail: 'Asks for a reason, recorded in the history', value: 'force' },
        ],
      );
      if (choice !== 'force') return { cancelled: true };
      const reason = await this.ui.input('Forced deploy', 'Why is this deploy forced? (recorded in the history)', { validate: (v) => (v.trim() ? undefined : 'A forced deploy needs a reason') });
      if (!reason) return { cancelled: true };
      plan = await this.service.planDeploy(env, { refs, force: true, reason });
    }
    return this.confirmAndRun(plan);
  }

  /** From the palette (pick environment and version), an environment name, or a version in the Deployments view. */
  async rollback(target?: string | { environment: string; record?: HistoryRecord }): Promise<DeployOutcome> {
    const environment = typeof target === 'string' ? target : target?.environment;
    const env = environment ? this.environments().find((e) => e.name === environment) : await this.pickEnvironment('Hangar: Rollback — environment');
    if (!env) return { cancelled: true };
    if (typeof target === 'object' && target.record) {
      try {
        return await this.confirmAndRun(await this.service.planRollback(env, target.record.version));
      } catch (error) {
        return this.fail(error);
      }
    }
    const history = await this.service.history(env).catch((error: unknown) => (void this.fail(error), undefined));
    if (!history) return { cancelled: true };
    const current = history.at(-1);
    const candidates = [...history].reverse().filter((r) => r !== current);
    if (!current || candidates.length === 0) {
      void vscode.window.showInformationMessage(`"${env.name}" has no earlier version to roll back to.`);
      return { cancelled: true };
    }
    const version = await this.ui.pick(`Hangar: Rollback ${env.name} (now v${current.version}) — version to serve`, candidates.map((r) => ({ ...recordItem(r), value: r.version })));
    if (version === undefined) return { cancelled: true };
    try {
      return await this.confirmAndRun(await this.service.planRollback(env, version));
    } catch (error) {
      return this.fail(error);
    }
  }

  async promote(from?: string, to?: string): Promise<DeployOutcome> {
    const source = from ? this.environments().find((e) => e.name === from) : await this.pickEnvironment('Hangar: Promote — from environment');
    if (!source) return { cancelled: true };
    const target = to ? this.environments().find((e) => e.name === to) : await this.pickEnvironment(`Hangar: Promote ${source.name} — to environment`, source.name);
    if (!target) return { cancelled: true };
    try {
      return await this.confirmAndRun(await this.service.planPromote(source, target));
    } catch (error) {
      return this.fail(error);
    }
  }

  async showHistory(): Promise<void> {
    const env = await this.pickEnvironment('Hangar: Deploy History — environment');
    if (!env) return;
    const history = await this.service.history(env).catch((error: unknown) => (void this.fail(error), undefined));
    if (!history) return;
    if (history.length === 0) {
      void vscode.window.showInformationMessage(`Nothing was deployed to "${env.name}" yet.`);
      return;
    }
    const picked = await this.ui.pick(`Deploy history of ${env.name}`, [...history].reverse().map((r) => ({ ...recordItem(r), value: r })), 'Pick a version to roll back to it');
    if (picked && picked !== history.at(-1)) await this.rollback({ environment: env.name, record: picked });
  }


  private async confirmAndRun(plan: DeployPlan): Promise<DeployOutcome> {
    const verb = plan.action === 'rollback' ? `Roll back to v${plan.restores}` : plan.action === 'promote' ? 'Promote' : 'Deploy';
    const summary = describePlan(plan);
    this.log.info(summary);
    const go = await this.ui.pick(`${verb} → ${plan.environment.name}: ${describeDiff(plan.dagDiff)}`, [
      { label: `$(rocket) ${verb}`, detail: summary.split('\n').slice(1).map((l) => l.trim()).join(' · '), value: true },
      { label: '$(close) Cancel', value: false },
    ]);
    if (!go) return { cancelled: true };
    const credentials = await this.airflowCredentials(plan);
    if (credentials === undefined) return { cancelled: true };
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} → ${plan.environment.name}`, cancellable: true }, async (progress, token) => {
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      const report = (message: string): void => progress.report({ message });
      try {
        let record = await this.service.apply(plan, { signal: abort.signal, onProgress: report });
        report(`v${record.version} is live; verifying with Airflow…`);
        record = await verifyAndRecord(this.service, plan, record, { credentials, signal: abort.signal, onProgress: report });
        this.showResult(plan, record);
        return { record };
      } catch (error) {
        if (abort.signal.aborted) {
          void vscode.window.showWarningMessage(`${verb} → ${plan.environment.name} cancelled. Nothing changed unless it was already live; see the history.`);
          return { cancelled: true };
        }
        return this.fail(error);
      } finally {
        this.changed.fire();
      }
    });
  }

  /** Credentials of the environment's Airflow, checked before anything changes; {} when it has no Airflow. */
  private async airflowCredentials(plan: DeployPlan): Promise<AirflowCredentials | undefined> {
    const airflow = plan.environment.airflow;
    if (!airflow) return {};
    if (airflow.tokenCommand) return this.commandCredentials(plan);
    let credentials = (await this.credentials.get(plan.environment.name)) ?? (await this.credentials.prompt(this.ui, plan.environment.name, airflow.url));
    for (;;) {
      if (!credentials) return undefined;
      try {
        await checkAirflow(plan, credentials);
        return credentials;
      } catch (error) {
        if (!(error instanceof AirflowError) || error.kind !== 'credentials') {
          await this.fail(error);
          return undefined;
        }
        await this.credentials.forget(plan.environment.name);
        void vscode.window.showWarningMessage(error.message);
        credentials = await this.credentials.prompt(this.ui, plan.environment.name, airflow.url);
      }
    }
  }

  /** auth: command runs a program named in airflow-repos.yaml: only in a trusted workspace. */
  private async commandCredentials(plan: DeployPlan): Promise<AirflowCredentials | undefined> {
    try {
      if (!vscode.workspace.isTrusted) {
        throw new Error(`"${plan.environment.name}" gets its Airflow token from a command in airflow-repos.yaml, which Hangar runs only in a trusted workspace: trust this folder first.`);
      }
      await checkAirflow(plan, {});
      return {};
    } catch (error) {
      await this.fail(error);
      return undefined;
    }
  }

  private showResult(plan: DeployPlan, record: HistoryRecord): void {
    const verification = record.verification;
    this.log.info(`${plan.environment.name} v${record.version}: ${describeVerification(verification)}`);
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const error of verification?.importErrors ?? []) {
      if (!error.file) continue;
      const line = Math.max(0, (error.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), `Airflow (${plan.environment.name}): ${error.message}`, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'hangar deploy';
      byFile.set(error.file, [...(byFile.get(error.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.file(file), diagnostics);
    const changes = changesInBrief(record.changes);
    const text = `${plan.environment.name} v${record.version} is live${changes ? ` (${changes})` : ''}. ${verification?.message ?? ''}`;
    const others = this.environments().filter((e) => e.name !== plan.environment.name);
    if (verification?.status === 'verified' || verification?.status === 'skipped') {
      const actions = verification.status === 'verified' ? others.map((e) => `Promote to ${e.name}`) : [];
      void vscode.window.showInformationMessage(text, ...actions).then((choice) => {
        const target = others.find((e) => choice === `Promote to ${e.name}`);
        if (target) void this.promote(plan.environment.name, target.name);
      });
    } else {
      void vscode.window.showWarningMessage(text, 'Roll Back', 'Show Logs').then((choice) => {
        if (choice === 'Roll Back') void this.rollback(plan.environment.name);
        if (choice === 'Show Logs') this.log.show();
      });
    }
  }

  private async withProgress<T>(title: string, work: () => Promise<T>): Promise<T> {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title }, work);
  }

  private async fail(error: unknown): Promise<DeployOutcome> {
    const message = error instanceof Error ? error.message : String(error);
    this.log.error(message);
    void vscode.window.showErrorMessage(message.split('\n')[0] ?? message, 'Show Logs').then((choice) => choice && this.log.show());
    return { cancelled: true, error: message };
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.changed.dispose();
    this.ui.dispose();
    this.diagnostics.dispose();
  }
}

function recordItem(r: HistoryRecord): vscode.QuickPickItem {
  const status = { verified: '$(pass)', 'import-errors': '$(error)', timeout: '$(watch)', failed: '$(error)', skipped: '$(circle-outline)' }[r.verification?.status ?? 'skipped'];
  return {
    label: `${status} v${r.version} · ${r.action}${r.restores !== undefined ? ` of v${r.restores}` : ''}`,
    description: r.repositories.map((x) => `${x.name}@${x.commit.slice(0, 10)}`).join(', '),
    detail: `${new Date(r.at).toLocaleString()} by ${r.who} · ${changesInBrief(r.changes, 2) ?? describeDiff(r.dagDiff)}${r.forced ? ` · forced: ${r.forced.reason}` : ''}${r.promotedFrom ? ` · from ${r.promotedFrom.environment} v${r.promotedFrom.version}` : ''}`,
  };
}

/** The deploy commands, for the one registration object in extension.ts. */
export function deployCommands(controller: DeployController): Record<string, (...args: never[]) => unknown> {
  return {
    'hangar.deploy': () => controller.deploy(),
    'hangar.rollback': (target?: string | { environment: string; record?: HistoryRecord }) => controller.rollback(target),
    // From the Deployments view the argument is an environment node: promote from it.
    'hangar.promote': (from?: string | { environment: string }, to?: string) =>
      controller.promote(typeof from === 'string' ? from : from?.environment, typeof to === 'string' ? to : undefined),
    'hangar.showDeployHistory': () => controller.showHistory(),
    // From a run in the Deployments view: what its version changed compared with the one before.
    'hangar.compareWithPreviousVersion': (target?: { environment: string; version?: number }) => compareWithPreviousVersion(controller, target),
  };
}

