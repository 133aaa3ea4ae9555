import * as vscode from 'vscode';
import { describeDiff } from '../../../server/src/deploy/diff';
import { changeLines } from '../../../server/src/deploy/semanticChanges';
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

export type DeploymentsNode = EnvironmentNode | VersionNode;

const STATUS_ICON: Record<string, string> = { verified: 'pass', 'import-errors': 'error', timeout: 'watch', failed: 'error', skipped: 'circle-outline' };

/** The Deployments view: each environment with its versions, newest first; rollback and promotion from the context menu. */
export class DeploymentsTreeProvider implements vscode.TreeDataProvider<DeploymentsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<DeploymentsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: DeployController) {
    this.subscription = controller.onDidChange(() => this.changed.fire(undefined));
  }

  async getChildren(node?: DeploymentsNode): Promise<DeploymentsNode[]> {
    if (!node) return this.controller.environments().map((e) => ({ kind: 'environment', environment: e.name }));
    if (node.kind !== 'environment') return [];
    const env = this.controller.environments().find((e) => e.name === node.environment);
    const history = env ? await this.controller.history(env).catch(() => []) : [];
    return [...history].reverse().map((record, index) => ({ kind: 'version', environment: node.environment, record, current: index === 0 }));
  }

  getTreeItem(node: DeploymentsNode): vscode.TreeItem {
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
    const changes = changeLines(r.changes ?? []);
    if (changes.length) item.tooltip.appendMarkdown('\n\n').appendCodeblock(changes.join('\n'), 'text');
    item.iconPath = new vscode.ThemeIcon(STATUS_ICON[r.verification?.status ?? 'skipped'] ?? 'circle-outline');
    item.contextValue = node.current ? 'hangar.deployVersion.live' : 'hangar.deployVersion';
    return item;
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** Registers the Deployments view; the returned disposable removes it. */
export function createDeploymentsView(controller: DeployController): vscode.Disposable {
  const provider = new DeploymentsTreeProvider(controller);
  return vscode.Disposable.from(provider, vscode.window.registerTreeDataProvider('hangar.deployments', provider));
}
