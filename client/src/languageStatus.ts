import * as vscode from 'vscode';
import type { ServerStatus } from '../../server/src/protocol';
import type { HangarLanguageClient } from './languageClient';

const labels: Record<ServerStatus['state'], string> = {
  starting: '$(loading~spin) Hangar',
  ready: '$(check) Hangar',
  error: '$(error) Hangar',
};

/** The `{}` language status item next to Python files: server state, click opens the log. */
export function createLanguageStatus(client: HangarLanguageClient): vscode.Disposable {
  const item = vscode.languages.createLanguageStatusItem('hangar.server', { language: 'python' });
  item.name = 'Hangar';
  item.command = { title: 'Show Logs', command: 'hangar.showLogs' };
  const render = (status: ServerStatus): void => {
    item.text = labels[status.state];
    item.detail = status.state === 'error' ? status.message : status.version ? `server ${status.version}` : undefined;
    item.severity =
      status.state === 'error' ? vscode.LanguageStatusSeverity.Error : vscode.LanguageStatusSeverity.Information;
    item.busy = status.state === 'starting';
  };
  render(client.status);
  const subscription = client.onStatus(render);
  return vscode.Disposable.from(item, subscription);
}
