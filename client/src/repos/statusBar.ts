import * as vscode from 'vscode';
import type { RepositoriesController } from './controller';

/** `$(repo) 3 repos · 1 failed` — click to open the Repositories view. */
export function createRepositoriesStatusBar(controller: RepositoriesController): vscode.Disposable {
  const item = vscode.window.createStatusBarItem('hangar.repositories', vscode.StatusBarAlignment.Left, 10);
  item.name = 'Hangar Repositories';
  item.command = 'hangar.repositories.focus';
  const update = () => {
    const repositories = controller.repositories;
    if (repositories.length === 0) {
      item.hide();
      return;
    }
    const statuses = repositories.map((r) => controller.status(r));
    const count = (s: string) => statuses.filter((x) => x === s).length;
    const syncing = count('syncing');
    const failed = count('failed') + count('invalid-credentials');
    const conflicts = controller.conflicts.conflicts.length;
    const parts = [`${repositories.length} repo${repositories.length === 1 ? '' : 's'}`];
    if (syncing) parts.push(`${syncing} syncing`);
    if (failed) parts.push(`${failed} failed`);
    if (conflicts) parts.push(`${conflicts} conflict${conflicts === 1 ? '' : 's'}`);
    item.text = `${syncing ? '$(sync~spin)' : failed ? '$(error)' : '$(repo)'} ${parts.join(' · ')}`;
    item.tooltip = 'Hangar repositories: click to show them';
    item.backgroundColor = failed ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    item.show();
  };
  update();
  return vscode.Disposable.from(item, controller.onDidChange(update));
}
