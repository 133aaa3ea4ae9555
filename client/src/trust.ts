import * as vscode from 'vscode';

const prompted = new vscode.EventEmitter<string>();
/** Fires with the action each time the trust prompt is shown (the editor tests listen). */
export const onDidPromptForTrust = prompted.event;

const MANAGE = 'Manage Workspace Trust';

/**
 * The one gate of everything that contacts a remote or runs project code (sync, ls-remote, marketplace, deploy,
 * tests, dependency checks and installs). In a trusted workspace it returns true; in Restricted Mode it shows
 * the trust prompt, does nothing else, and returns false at once (the prompt is not awaited).
 */
export function requireTrust(action: string): boolean {
  if (vscode.workspace.isTrusted) return true;
  prompted.fire(action);
  void vscode.window
    .showWarningMessage(`${action} is off in Restricted Mode: it contacts remotes or runs this workspace's code. Trust the workspace to turn it on.`, MANAGE)
    .then((choice) => choice === MANAGE && vscode.commands.executeCommand('workbench.trust.manage'));
  return false;
}

/** Wraps a command handler so it runs only in a trusted workspace; in Restricted Mode it returns undefined. */
export function trusted<A extends unknown[], R>(action: string, handler: (...args: A) => R): (...args: A) => R | undefined {
  return (...args: A) => (requireTrust(action) ? handler(...args) : undefined);
}
