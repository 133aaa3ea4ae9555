import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { describeRuns, formatSeconds, type VersionRun } from '../../../server/src/airflow/runs';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { canaryItem, canaryNodes, dagItem, dagNodes, dagsItem, type CanaryNode, type DagNode, type DagsNode } from './dagNodes';
import type { DeployController } from './deployController';
import { VersionRunsSource } from './versionRuns';
import { versionTooltip } from './versionTooltip';

export interface EnvironmentNode {
  readonly kind: 'environment';
  readonly environment: string;
}

export interface VersionNode {
  readonly kind: 'version';
  readonly environment: string;
  readonly record: HistoryRecord;
  readonly current: boolean;
}

/** Why an environment's versions cannot be listed (Restricted Mode, an unreachable remote). */
export interface ProblemNode {
  readonly kind: 'problem';
  readonly environment: string;
  readonly message: string;
}


/** How often git targets' histories (tags on their remotes) are read again while the view is visible. */
const GIT_REFRESH_MS = 60_000;

/** A DAG run that executed on a version (Airflow's runs, attributed by versionRuns.ts). */
export interface RunNode {
  readonly kind: 'run';
  readonly environment: string;
  readonly version: number;
  readonly run: VersionRun;
  readonly live: boolean;
}

/** Why a version's runs are not shown (no Airflow, no stored credentials, Airflow unreachable). */
export interface RunsNoteNode {
  readonly kind: 'runsNote';
  readonly environment: string;
  readonly version: number;
  readonly text: string;
}

export type DeploymentsNode = EnvironmentNode | VersionNode | ProblemNode | RunNode | RunsNoteNode | DagsNode | DagNode | CanaryNode;

const STATUS_ICON: Record<string, string> = { verified: 'pass', 'import-errors': 'error', timeout: 'watch', failed: 'error', skipped: 'circle-outline' };

/**
 * The Deployments view: each environment with its versions, newest first; rollback and promotion from the
 * context menu. It follows deploys made anywhere (the CLI, the agent, another editor): a folder target's
 * history.json is watched, git targets are read again when the window gets focus and every minute.
 */
export class DeploymentsTreeProvider implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscriptions: vscode.Disposable[];
  private watchers: vscode.Disposable[] = [];
  private watched = '';

  constructor(
    private readonly controller: DeployController,
    private readonly runs: VersionRunsSource,
  ) {
    const gitClock = setInterval(() => this.refreshGitTargets(), GIT_REFRESH_MS);
    this.subscriptions = [
      controller.onDidChange(() => this.refresh()),
      vscode.window.onDidChangeWindowState((state) => state.focused && this.refreshGitTargets()),
      { dispose: () => clearInterval(gitClock) },
    ];
    this.watchHistories();
  }

  /** Redraws the view; the folders watched follow the environments of airflow-repos.yaml. */
  refresh(): void {
    this.watchHistories();
    this.changed.fire(undefined);
  }

  private refreshGitTargets(): void {
    if (vscode.workspace.isTrusted && this.controller.environments().some((e) => e.target.kind === 'git')) this.changed.fire(undefined);
  }

  /** One watcher per folder target on `<dags>/.hangar/history.json`, and on `<dags>/.hangar` appearing (the first deploy). */
  private watchHistories(): void {
    const folders = [...new Set(this.controller.environments().flatMap((e) => (e.target.kind === 'folder' ? [e.target.path] : [])))].sort();
    const key = folders.map((f) => `${f}:${existsSync(path.join(f, '.hangar'))}`).join('\n');
    if (key === this.watched) return;
    this.watched = key;
    for (const w of this.watchers) w.dispose();
    this.watchers = folders.flatMap((folder) => {
      const state = path.join(folder, '.hangar');
      const pattern = existsSync(state) ? new vscode.RelativePattern(vscode.Uri.file(state), 'history.json') : new vscode.RelativePattern(vscode.Uri.file(folder), '.hangar');
      const watcher = vscode.workspace.createFileSystemWatcher(pattern);
      const changed = (): void => this.controller.refresh();
      return [watcher, watcher.onDidCreate(changed), watcher.onDidChange(changed), watcher.onDidDelete(changed)];
    });
  }

  async getChildren(node?: DeploymentsNode): Promise<DeploymentsNode[]> {
    if (!node) return this.controller.environments().map((e) => ({ kind: 'environment', environment: e.name }));
    if (node.kind === 'version') return [{ kind: 'dags', environment: node.environment, record: node.record, current: node.current }, ...(await this.runChildren(node))];
    if (node.kind !== 'environment' && node.kind !== 'dags') return [];
    const env = this.controller.environments().find((e) => e.name === node.environment);
    if (!env) return [];
    try {
      if (node.kind === 'dags') return await dagNodes(env, node);
      const history = await this.controller.history(env);
      return [...canaryNodes(node.environment, history), ...[...history].reverse().map((record, index): VersionNode => ({ kind: 'version', environment: node.environment, record, current: index === 0 }))];
    } catch (error) {
      return [{ kind: 'problem', environment: node.environment, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) }];
    }
  }

  /** The runs that executed on a version, failed first; or one line saying why they are not known. */
  private async runChildren(node: VersionNode): Promise<DeploymentsNode[]> {
    const env = this.controller.environments().find((e) => e.name === node.environment);
    if (!env?.airflow) return [];
    const runs = await this.runs.runs(env);
    if (typeof runs === 'string') return [{ kind: 'runsNote', environment: node.environment, version: node.record.version, text: runs }];
    const mine = runs.find((v) => v.version === node.record.version)?.runs ?? [];
    if (mine.length === 0) return [{ kind: 'runsNote', environment: node.environment, version: node.record.version, text: 'no DAG runs on this version' }];
    const ordered = [...mine.filter((r) => r.state === 'failed'), ...mine.filter((r) => r.state !== 'failed')];
    return ordered.map((run) => ({ kind: 'run', environment: node.environment, version: node.record.version, run, live: node.current }));
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    if (node.kind === 'run') return runItem(node);
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message);
      item.id = `problem:${node.environment}`;
      item.iconPath = new vscode.ThemeIcon('warning');
      item.tooltip = node.message;
      return item;
    }
    if (node.kind === 'runsNote') {
      const item = new vscode.TreeItem(node.text);
      item.id = `runs:${node.environment}:${node.version}`;
      item.iconPath = new vscode.ThemeIcon('info');
      return item;
    }
    if (node.kind === 'environment') {
      const env = this.controller.environments().find((e) => e.name === node.environment);
      const item = new vscode.TreeItem(node.environment, vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `environment:${node.environment}`;
      item.description = env ? (env.target.kind === 'folder' ? env.target.path : `${env.target.branch} @ ${env.target.url}`) : '';
      item.iconPath = new vscode.ThemeIcon('server-environment');
      item.contextValue = 'hangar.environment';
      return item;
    }
    if (node.kind === 'dags') return dagsItem(node);
    if (node.kind === 'dag') return dagItem(node);
    if (node.kind === 'canary') return canaryItem(node);
    const r = node.record;
    // Collapsed: the DAGs it served, and the runs that executed on it (with an Airflow).
    const item = new vscode.TreeItem(`v${r.version} ${r.action}${r.restores !== undefined ? ` of v${r.restores}` : ''}${node.current ? ' (live)' : ''}`, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = `version:${node.environment}:${r.version}`;
    item.description = `${r.repositories.map((x) => `${x.name}@${x.commit.slice(0, 8)}`).join(', ')} · ${r.who}`;
    item.tooltip = new vscode.MarkdownString(versionTooltip(r));
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[r.verification?.status ?? 'skipped'] ?? 'circle-outline');
    item.contextValue = node.current ? 'hangar.deployVersion.live' : 'hangar.deployVersion';
    item.command = { command: 'hangar.showDeployHistory', title: 'Show Deploy History', arguments: [node.environment] };
    return item;
  }

  dispose(): void {
    for (const d of [...this.subscriptions, ...this.watchers]) d.dispose();
    this.changed.dispose();
  }
}

const RUN_ICON: Record<string, string> = { success: 'pass', failed: 'error', running: 'sync', queued: 'watch' };

function runItem(node: RunNode): vscode.TreeItem {
  const r = node.run;
  const item = new vscode.TreeItem(`${r.dagId} ${r.state}`);
  item.id = `run:${node.environment}:${node.version}:${r.dagId}:${r.runId}`;
  item.description = `${r.seconds === null ? '' : `${formatSeconds(r.seconds)} · `}${r.start ? new Date(r.start).toLocaleString() : 'not started'}`;
  item.tooltip = `${r.runId}\n${describeRuns([r])}\nattributed by ${r.by === 'bundle-version' ? 'the bundle version (commit) it ran' : 'the version live when it started'}`;
  item.iconPath = new vscode.ThemeIcon(RUN_ICON[r.state] ?? 'circle-outline');
  item.contextValue = node.live && r.state === 'failed' ? 'hangar.deployRun.failedLive' : 'hangar.deployRun';
  return item;
}

/** Registers the Deployments view; the returned disposable removes it. */
export function createDeploymentsView(controller: DeployController): { provider: DeploymentsTreeProvider; disposable: vscode.Disposable } {
  const runs = new VersionRunsSource(controller);
  const provider = new DeploymentsTreeProvider(controller, runs);
  return { provider, disposable: vscode.Disposable.from(runs, provider, vscode.window.registerTreeDataProvider('hangar.deployments', provider)) };
}
