import path from 'node:path';
import * as vscode from 'vscode';
import type { RepositoryConfig } from '../../../server/src/config/types';
import { describeRef } from '../../../server/src/repos/sync';
import type { FileState } from '../../../server/src/repos/types';
import type { RepositoriesController, RepositoryStatus } from '../repos/controller';
import { timeAgo } from '../repos/timeAgo';

const STATUS_ICONS: Record<RepositoryStatus, vscode.ThemeIcon> = {
  'never-synced': new vscode.ThemeIcon('repo'),
  syncing: new vscode.ThemeIcon('sync~spin'),
  synced: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  failed: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  'invalid-credentials': new vscode.ThemeIcon('key', new vscode.ThemeColor('testing.iconFailed')),
  conflict: new vscode.ThemeIcon('warning', new vscode.ThemeColor('problemsWarningIcon.foreground')),
};

const STATUS_TEXT: Record<RepositoryStatus, string> = {
  'never-synced': 'not synced yet',
  syncing: 'syncing…',
  synced: 'synced',
  failed: 'sync failed',
  'invalid-credentials': 'invalid credentials',
  conflict: 'dag_id conflict',
};

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function findingsText(state: FileState): string {
  const parts = [state.errors && plural(state.errors, 'error'), state.warnings && plural(state.warnings, 'warning')].filter(Boolean);
  return parts.length ? parts.join(', ') : 'no findings';
}

export class RepositoryNode extends vscode.TreeItem {
  constructor(
    readonly repository: RepositoryConfig,
    status: RepositoryStatus,
    dagCount: number | undefined,
  ) {
    super(repository.name, vscode.TreeItemCollapsibleState.Collapsed);
    this.id = `repository:${repository.name}`;
    this.iconPath = STATUS_ICONS[status];
    this.description = `${STATUS_TEXT[status]}${dagCount === undefined ? '' : ` · ${plural(dagCount, 'DAG')}`}`;
    this.tooltip = `${repository.url}\n${describeRef(repository.ref)} · priority ${repository.priority} · namespace ${repository.namespace}`;
    const remote = /^(https?:\/\/|[\w.-]+@[\w.-]+:|ssh:\/\/)/.test(repository.url) ? '.remote' : '';
    this.contextValue = `hangar.repository.${status}${repository.auth === 'none' ? '' : '.auth'}${remote}`;
  }
}

export class StatusNode extends vscode.TreeItem {
  constructor(readonly repository: RepositoryConfig, label: string, tooltip: string, error: boolean) {
    super(label, vscode.TreeItemCollapsibleState.None);
    this.id = `status:${repository.name}`;
    this.iconPath = new vscode.ThemeIcon(error ? 'warning' : 'info');
    this.tooltip = tooltip;
    this.contextValue = 'hangar.repositoryStatus';
    this.command = { command: 'hangar.showSyncHistory', title: 'Show Sync History', arguments: [repository.name] };
  }
}

export class DagFileNode extends vscode.TreeItem {
  constructor(
    readonly repository: RepositoryConfig,
    readonly file: string,
    readonly state: FileState,
    absolute: string,
    /** In a dag_id conflict: this file is deployed (`wins`) or left out (`excluded`). */
    conflict: 'wins' | 'excluded' | undefined,
  ) {
    super(path.basename(file), state.dagIds.length ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    this.id = `file:${repository.name}:${file}`;
    this.resourceUri = vscode.Uri.file(absolute);
    this.description = `${plural(state.dagIds.length, 'DAG')} · ${findingsText(state)}${conflict ? ` · ${conflict === 'wins' ? 'wins' : 'excluded'} (conflict)` : ''}`;
    this.tooltip = [file, ...state.messages].join('\n');
    this.iconPath = state.errors ? new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')) : vscode.ThemeIcon.File;
    this.contextValue = 'hangar.dagFile';
    this.command = { command: 'vscode.open', title: 'Open', arguments: [this.resourceUri] };
  }
}

export class DagNode extends vscode.TreeItem {
  constructor(readonly repository: RepositoryConfig, dagId: string, file: DagFileNode, conflict: string | undefined) {
    super(dagId, vscode.TreeItemCollapsibleState.None);
    this.id = `dag:${repository.name}:${file.file}:${dagId}`;
    this.description = conflict ?? findingsText(file.state);
    this.iconPath = new vscode.ThemeIcon(conflict ? 'warning' : 'type-hierarchy');
    this.contextValue = 'hangar.dag';
    this.command = file.command;
  }
}

export type RepositoriesTreeNode = RepositoryNode | StatusNode | DagFileNode | DagNode;

/** Repository → status line → DAG files → DAGs, from the stored sync state (no parsing while drawing). */
export class RepositoriesTreeProvider implements vscode.TreeDataProvider<RepositoriesTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RepositoriesTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly subscription: vscode.Disposable;
  /** The view, once createView() made it (for reveal). */
  view: vscode.TreeView<RepositoriesTreeNode> | undefined;

  constructor(readonly controller: RepositoriesController) {
    // "last sync 2 minutes ago" has to age even when nothing syncs.
    const clock = setInterval(() => this.refresh(), 60_000);
    this.subscription = vscode.Disposable.from(controller.onDidChange(() => this.refresh()), { dispose: () => clearInterval(clock) });
  }

  createView(): vscode.TreeView<RepositoriesTreeNode> {
    this.view = vscode.window.createTreeView('hangar.repositories', { treeDataProvider: this, showCollapseAll: true });
    return this.view;
  }

  /** Only repositories are revealed, and they are roots. */
  getParent(): undefined {
    return undefined;
  }

  getTreeItem(element: RepositoriesTreeNode): vscode.TreeItem {
    return element;
  }

  getChildren(element?: RepositoriesTreeNode): RepositoriesTreeNode[] {
    const store = this.controller.store;
    if (!element) {
      return this.controller.repositories.map((r) => {
        const state = store.state(r.name);
        return new RepositoryNode(r, this.controller.status(r), state && Object.values(state.files).reduce((n, f) => n + f.dagIds.length, 0));
      });
    }
    if (element instanceof RepositoryNode) {
      const r = element.repository;
      const state = store.state(r.name);
      const last = store.history(r.name)[0];
      const parts = [describeRef(r.ref)];
      // An up-to-date sync leaves the state as it was but is a sync all the same.
      const lastGood = store.history(r.name).find((h) => h.result === 'synced' || h.result === 'up-to-date');
      const lastSync = state && (lastGood && lastGood.time > state.syncedAt ? lastGood.time : state.syncedAt);
      if (state) parts.push(`last sync ${timeAgo(lastSync!)}`, plural(Object.values(state.files).reduce((n, f) => n + f.dagIds.length, 0), 'DAG'));
      else parts.push('never synced');
      const failed = last?.result === 'failed';
      if (failed) parts.push(last.error?.kind === 'invalid-credentials' ? 'invalid credentials' : 'last sync failed');
      const tooltip = [state ? `commit ${state.commit}` : '', lastSync ? `last sync ${lastSync}` : '', last?.error?.message ?? ''].filter(Boolean).join('\n');
      const files = Object.entries(state?.files ?? {})
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([file, fileState]) => new DagFileNode(r, file, fileState, path.join(this.controller.cloneDir(r), file), this.conflictOf(r.name, file)));
      return [new StatusNode(r, parts.join(' · '), tooltip || parts.join(' · '), failed), ...files];
    }
    if (element instanceof DagFileNode) {
      return element.state.dagIds.map((dagId) => {
        const conflict = this.controller.conflicts.conflicts.find((c) => c.dagId === dagId && [c.winner, ...c.losers].some((l) => l.repository === element.repository.name && l.file === element.file));
        const note = conflict && (conflict.winner.repository === element.repository.name ? `conflict: wins over ${conflict.losers.map((l) => l.repository).join(', ')}` : `conflict: ${conflict.winner.repository} wins, excluded`);
        return new DagNode(element.repository, dagId, element, note);
      });
    }
    return [];
  }

  private conflictOf(repository: string, file: string): 'wins' | 'excluded' | undefined {
    if (this.controller.conflicts.excluded.get(repository)?.includes(file)) return 'excluded';
    return this.controller.conflicts.conflicts.some((c) => c.winner.repository === repository && c.winner.file === file) ? 'wins' : undefined;
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
