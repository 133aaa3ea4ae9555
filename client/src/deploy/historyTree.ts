import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { describeDiff } from '../../../server/src/deploy/diff';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import type { DeployController } from './deployController';

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

export type DeploymentsNode = EnvironmentNode | VersionNode | ProblemNode;

/** How often git targets' histories (tags on their remotes) are read again while the view is visible. */
const GIT_REFRESH_MS = 60_000;

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

  constructor(private readonly controller: DeployController) {
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
    if (node.kind !== 'environment') return [];
    const env = this.controller.environments().find((e) => e.name === node.environment);
    if (!env) return [];
    try {
      const history = await this.controller.history(env);
      return [...history].reverse().map((record, index) => ({ kind: 'version', environment: node.environment, record, current: index === 0 }));
    } catch (error) {
      return [{ kind: 'problem', environment: node.environment, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) }];
    }
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
    if (node.kind === 'problem') {
      const item = new vscode.TreeItem(node.message);
      item.id = `problem:${node.environment}`;
      item.iconPath = new vscode.ThemeIcon('warning');
      item.tooltip = node.message;
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
    const r = node.record;
    const item = new vscode.TreeItem(`v${r.version} ${r.action}${r.restores !== undefined ? ` of v${r.restores}` : ''}${node.current ? ' (live)' : ''}`);
    item.id = `version:${node.environment}:${r.version}`;
    item.description = `${r.repositories.map((x) => `${x.name}@${x.commit.slice(0, 8)}`).join(', ')} · ${r.who}`;
    item.tooltip = new vscode.MarkdownString(
      [`**v${r.version}** ${r.action} by ${r.who}, ${new Date(r.at).toLocaleString()}`, describeDiff(r.dagDiff), r.verification ? `Airflow: ${r.verification.message}` : 'not verified', r.forced ? `Forced: ${r.forced.reason}` : '']
        .filter(Boolean)
        .join('\n\n'),
    );
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

/** Registers the Deployments view; the returned disposable removes it. */
export function createDeploymentsView(controller: DeployController): { provider: DeploymentsTreeProvider; disposable: vscode.Disposable } {
  const provider = new DeploymentsTreeProvider(controller);
  return { provider, disposable: vscode.Disposable.from(provider, vscode.window.registerTreeDataProvider('hangar.deployments', provider)) };
}
