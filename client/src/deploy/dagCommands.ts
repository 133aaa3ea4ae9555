import * as vscode from 'vscode';
import { CanaryService } from '../../../server/src/canary/service';
import { activeCanaries } from '../../../server/src/canary/state';
import { DagPlanner } from '../../../server/src/deploy/dags/planner';
import { SharedDagsError } from '../../../server/src/deploy/dags/scope';
import { versionDags } from '../../../server/src/deploy/dags/versionDags';
import { AlreadyLiveError, type DeployPlan } from '../../../server/src/deploy/service';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { hangarSetting } from '../settings';
import { trusted } from '../trust';
import { HistoryDocuments } from '../views/historyDocuments';
import { renderCanary, renderCanaryUnavailable } from './canaryDocument';
import { recordItem, type DeployController, type DeployOutcome } from './deployController';
import { pickVersion } from './versionPicker';

/** A DAG node of the Deployments view: the DAG as a version served it. */
export interface DagNodeTarget {
  readonly environment: string;
  readonly dagId: string;
  readonly record?: HistoryRecord;
  /** The version is the live one. */
  readonly current?: boolean;
}

/** A running canary in the Deployments view. */
export interface CanaryNodeTarget {
  readonly environment: string;
  readonly dagId: string;
}

/**
 * Per-DAG deploys, rollbacks and canaries in the editor: from a code lens on the DAG (document URI and dag_id), a DAG
 * or canary node of the Deployments view, or the palette (which asks). They run the same DagPlanner and CanaryService
 * as the CLI, through the deploy controller's summary, progress and verification.
 */
export class DagCommands {
  constructor(
    private readonly deploy: DeployController,
    private readonly documents: HistoryDocuments,
  ) {}

  private get ui() {
    return this.deploy.ui;
  }

  /** Deploy this DAG…: a version of its repository; every other DAG stays as served. */
  async deployDag(target?: string | DagNodeTarget, dagIdArg?: string): Promise<DeployOutcome> {
    const chosen = await this.resolve('Deploy this DAG', target, dagIdArg);
    if (!chosen) return { cancelled: true };
    const { env, dagId } = chosen;
    const planner = new DagPlanner(this.deploy.service);
    const served = await planner.served(env, dagId).catch((error: unknown) => (void this.deploy.fail(error), undefined));
    if (!served) return { cancelled: true };
    const ref = await pickVersion(`Hangar: Deploy ${dagId} to ${env.name} — version of ${served.repository.name}`, served.repository, this.ui, (r) => this.deploy.syncFirst(r));
    if (!ref) return { cancelled: true };
    const python = hangarSetting('python').trim() || undefined;
    return this.planAndRun(dagId, (withShared) => planner.planDeploy(env, { dagId, ref, withShared, ...(python ? { python } : {}) }));
  }

  /** Roll back this DAG…: the DAG as an earlier version served it (a DAG node under a version: that version). */
  async rollbackDag(target?: string | DagNodeTarget, dagIdArg?: string): Promise<DeployOutcome> {
    const chosen = await this.resolve('Roll back this DAG', target, dagIdArg);
    if (!chosen) return { cancelled: true };
    const { env, dagId } = chosen;
    let to = typeof target === 'object' && target.record && !target.current ? target.record.version : undefined;
    if (to === undefined) {
      const history = await this.deploy.history(env).catch((error: unknown) => (void this.deploy.fail(error), undefined));
      const live = history?.at(-1);
      if (!history || !live) return { cancelled: true };
      const earlier = [...history].reverse().filter((r) => r.version !== live.version);
      if (earlier.length === 0) {
        void vscode.window.showInformationMessage(`"${env.name}" has only one version; there is nothing to roll ${dagId} back to.`);
        return { cancelled: true };
      }
      to = await this.ui.pick(`Hangar: Roll back ${dagId} on ${env.name} (now v${live.version}) — the version whose ${dagId} to serve`, earlier.map((r) => ({ ...recordItem(r), value: r.version })));
      if (to === undefined) return { cancelled: true };
    }
    const version = to;
    const python = hangarSetting('python').trim() || undefined;
    return this.planAndRun(dagId, (withShared) => new DagPlanner(this.deploy.service).planRollback(env, { dagId, to: version, withShared, ...(python ? { python } : {}) }));
  }

  /** The comparison panel of a running canary: a read-only document, rendered again on each refresh. */
  async showCanary(target?: CanaryNodeTarget): Promise<void> {
    const chosen = await this.pickCanary('Hangar: Canary Comparison', target);
    if (!chosen) return;
    const credentials = await this.deploy.credentialsFor(chosen.env);
    if (!credentials) return;
    const canaries = new CanaryService(this.deploy.service, credentials);
    const { env, dagId } = chosen;
    await this.documents.show(HistoryDocuments.uri('canary', `${env.name}/${dagId}`), async () => {
      const [status] = await canaries.status(env, dagId).catch((error: unknown) => [error instanceof Error ? error.message : String(error)]);
      return typeof status === 'string' || !status ? renderCanaryUnavailable(dagId, env.name, status) : renderCanary(status);
    });
  }

  /** Promote or abort a running canary (the same as `hangar canary promote|abort`). */
  async finishCanary(outcome: 'promote' | 'abort', target?: CanaryNodeTarget): Promise<DeployOutcome> {
    const verb = outcome === 'promote' ? 'Promote' : 'Abort';
    const chosen = await this.pickCanary(`Hangar: ${verb} Canary`, target);
    if (!chosen) return { cancelled: true };
    const { env, dagId } = chosen;
    const go = await this.ui.pick(`${verb} the canary of ${dagId} on ${env.name}?`, [
      { label: `$(check) ${verb}`, detail: outcome === 'promote' ? `Deploys the candidate as ${dagId} and removes the canary` : `Removes the canary; ${dagId} stays as it is`, value: true },
      { label: '$(close) Cancel', value: false },
    ]);
    if (!go) return { cancelled: true };
    const credentials = await this.deploy.credentialsFor(env);
    if (!credentials) return { cancelled: true };
    try {
      const { record } = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `${verb} canary of ${dagId} → ${env.name}` }, (progress) =>
        new CanaryService(this.deploy.service, credentials).finish(env, dagId, outcome, `${outcome === 'promote' ? 'promoted' : 'aborted'} in the editor`, { onProgress: (message) => progress.report({ message }) }),
      );
      void vscode.window.showInformationMessage(`Canary of ${dagId} ${outcome === 'promote' ? 'promoted' : 'aborted'}: v${record.version} is live on ${env.name}.`);
      return { record };
    } catch (error) {
      return this.deploy.fail(error);
    } finally {
      this.deploy.refresh();
    }
  }

  /** Plans (asking before other DAGs come along), then confirms and runs like any deploy. */
  private async planAndRun(dagId: string, plan: (withShared: boolean) => Promise<DeployPlan>): Promise<DeployOutcome> {
    try {
      return await this.deploy.confirmAndRun(await plan(false));
    } catch (error) {
      if (error instanceof SharedDagsError) {
        const others = [...error.scope.shared, ...error.scope.affected];
        const go = await this.ui.pick(`Other DAGs would change with ${dagId}: ${others.join(', ')}`, [
          { label: '$(check) Take them along', detail: error.message.split('\n').slice(1, -1).map((l) => l.trim()).join(' · '), value: true },
          { label: '$(close) Cancel', value: false },
        ]);
        if (!go) return { cancelled: true };
        return plan(true).then((p) => this.deploy.confirmAndRun(p), (retry: unknown) => this.deploy.fail(retry));
      }
      if (error instanceof AlreadyLiveError) {
        void vscode.window.showInformationMessage(error.message.replace(/ Deploy anyway with --force\.$/, ''));
        return { cancelled: true, alreadyLive: true };
      }
      return this.deploy.fail(error);
    }
  }

  /** The environment and DAG a command is about: given by a view node, a code lens (the environments serving it), or asked. */
  private async resolve(title: string, target: string | DagNodeTarget | undefined, dagIdArg: string | undefined): Promise<{ env: Environment; dagId: string } | undefined> {
    const environments = this.deploy.environments();
    if (typeof target === 'object') {
      const env = environments.find((e) => e.name === target.environment);
      return env && { env, dagId: target.dagId };
    }
    if (dagIdArg) {
      const serving: Environment[] = [];
      for (const env of environments) if (await new DagPlanner(this.deploy.service).served(env, dagIdArg).then(() => true, () => false)) serving.push(env);
      if (serving.length === 0) {
        void vscode.window.showInformationMessage(`No environment serves "${dagIdArg}" yet: deploy an environment with it first (Hangar: Deploy…).`);
        return undefined;
      }
      const env = serving.length === 1 ? serving[0] : await this.deploy.pickEnvironment(`Hangar: ${title} (${dagIdArg}) — environment`, undefined, serving);
      return env && { env, dagId: dagIdArg };
    }
    const env = await this.deploy.pickEnvironment(`Hangar: ${title} — environment`);
    const live = env && (await this.deploy.history(env).catch(() => [])).at(-1);
    if (!env || !live) return undefined;
    const dags = await versionDags(env, live);
    const dagId = await this.ui.pick(`Hangar: ${title} — DAG served on ${env.name}`, dags.map((d) => ({ label: d.dagId, description: d.repository, value: d.dagId })));
    return dagId ? { env, dagId } : undefined;
  }

  private async pickCanary(title: string, target?: CanaryNodeTarget): Promise<{ env: Environment; dagId: string } | undefined> {
    const environments = this.deploy.environments().filter((e) => e.airflow);
    if (target) {
      const env = environments.find((e) => e.name === target.environment);
      return env && { env, dagId: target.dagId };
    }
    const running: { env: Environment; dagId: string }[] = [];
    for (const env of environments) for (const c of activeCanaries(await this.deploy.history(env).catch(() => []))) running.push({ env, dagId: c.start.dagId });
    if (running.length === 0) {
      void vscode.window.showInformationMessage('No canary is running (start one with hangar canary start).');
      return undefined;
    }
    return this.ui.pick(title, running.map((r) => ({ label: r.dagId, description: r.env.name, value: r })));
  }
}

/** The per-DAG commands, for the one registration object in extension.ts; all of them need a trusted workspace. */
export function dagCommands(commands: DagCommands): Record<string, (...args: never[]) => unknown> {
  return {
    'hangar.deployDag': trusted('Deploying a DAG', (target?: string | DagNodeTarget, dagId?: string) => commands.deployDag(target, dagId)),
    'hangar.rollbackDag': trusted('Rolling back a DAG', (target?: string | DagNodeTarget, dagId?: string) => commands.rollbackDag(target, dagId)),
    'hangar.showCanary': trusted('Reading a canary from Airflow', (target?: CanaryNodeTarget) => commands.showCanary(target)),
    'hangar.promoteCanary': trusted('Promoting a canary', (target?: CanaryNodeTarget) => commands.finishCanary('promote', target)),
    'hangar.abortCanary': trusted('Aborting a canary', (target?: CanaryNodeTarget) => commands.finishCanary('abort', target)),
  };
}
