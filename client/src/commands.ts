import * as vscode from 'vscode';

/** Every command the extension contributes, registered in this one place. */
export type CommandHandlers = Record<string, (...args: never[]) => unknown>;

export function registerCommands(handlers: CommandHandlers): vscode.Disposable[] {
  return Object.entries(handlers).map(([id, handler]) =>
    vscode.commands.registerCommand(id, handler as (...args: unknown[]) => unknown),
  );
}
