import * as vscode from 'vscode';
import { activeCanaries } from '../../../server/src/canary/state';
import { versionDags } from '../../../server/src/deploy/dags/versionDags';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';

/** The DAGs a version served, grouped under the version in the Deployments view. */
export interface DagsNode {
  readonly kind: 'dags';
  readonly environment: string;
  readonly record: HistoryRecord;
  readonly current: boolean;
}

/** A DAG a version served (per-DAG deploy and rollback act on it). */
export interface DagNode {
  readonly kind: 'dag';
  readonly environment: string;
  readonly record: HistoryRecord;
  readonly current: boolean;
  readonly dagId: string;
  readonly repository: string;
}

/** A canary running on an environment (its comparison, promote, abort). */
export interface CanaryNode {
  readonly kind: 'canary';
  readonly environment: string;
  readonly dagId: string;
  readonly candidate: string;
}

/** The canaries running on an environment, listed before its versions. */
export function canaryNodes(environment: string, history: readonly HistoryRecord[]): CanaryNode[] {
  return activeCanaries(history).map((c) => ({ kind: 'canary', environment, dagId: c.start.dagId, candidate: c.start.candidate.ref }));
}

/** The DAGs of a version; in Restricted Mode only from manifests on disk (no git). */
export async function dagNodes(env: Environment, group: DagsNode): Promise<DagNode[]> {
  const dags = await versionDags(env, group.record, { readCommits: vscode.workspace.isTrusted });
  return dags.map((d) => ({ kind: 'dag', environment: group.environment, record: group.record, current: group.current, dagId: d.dagId, repository: d.repository }));
}

export function dagsItem(node: DagsNode): vscode.TreeItem {
  const item = new vscode.TreeItem('DAGs', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `dags:${node.environment}:${node.record.version}`;
  item.description = node.record.dags?.length ? `${node.record.dags.map((d) => d.dagId).join(', ')} moved` : '';
  item.iconPath = new vscode.ThemeIcon('list-tree');
  item.tooltip = node.current ? 'The DAGs this version serves: deploy or roll back one of them alone.' : `The DAGs v${node.record.version} served: roll one of them back to it alone.`;
  return item;
}

export function dagItem(node: DagNode): vscode.TreeItem {
  const item = new vscode.TreeItem(node.dagId);
  item.id = `dag:${node.environment}:${node.record.version}:${node.dagId}`;
  const moved = node.record.dags?.find((d) => d.dagId === node.dagId);
  item.description = `${node.repository}${moved ? ` · moved ${moved.from.slice(0, 8)} → ${moved.to.slice(0, 8)}` : ''}`;
  item.iconPath = new vscode.ThemeIcon('symbol-class');
  item.tooltip = node.current ? `${node.dagId} as ${node.environment} serves it now: deploy or roll back this DAG alone.` : `${node.dagId} as v${node.record.version} served it: roll back this DAG alone to it.`;
  item.contextValue = node.current ? 'hangar.deployedDag.live' : 'hangar.deployedDag';
  return item;
}

export function canaryItem(node: CanaryNode): vscode.TreeItem {
  const item = new vscode.TreeItem(`canary: ${node.dagId}`);
  item.id = `canary:${node.environment}:${node.dagId}`;
  item.description = `candidate ${node.candidate}`;
  item.iconPath = new vscode.ThemeIcon('beaker');
  item.contextValue = 'hangar.canary';
  item.command = { command: 'hangar.showCanary', title: 'Show Canary Comparison', arguments: [node] };
  return item;
}
