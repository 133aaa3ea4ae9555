import * as vscode from 'vscode';

export interface PickItem<T> extends vscode.QuickPickItem {
  readonly value: T;
}

/** A heading between the items of a quick pick. */
export const separator = (label: string): PickItem<undefined> => ({ label, kind: vscode.QuickPickItemKind.Separator, value: undefined });

/**
 * The quick picks and input boxes of Hangar's multi-step commands (Add Repository, Deploy, Rollback, Promote).
 * Every widget shown is announced on `onDidShow`, so the editor tests answer the real widgets as a user does
 * (select an item or type a value, then accept).
 */
export class Prompts {
  private readonly shown = new vscode.EventEmitter<vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox>();
  readonly onDidShow = this.shown.event;

  pick<T>(title: string, items: readonly PickItem<T>[], placeholder?: string): Promise<T | undefined> {
    return new Promise((resolve) => {
      const quickPick = vscode.window.createQuickPick<PickItem<T>>();
      quickPick.title = title;
      quickPick.items = items;
      quickPick.placeholder = placeholder;
      quickPick.matchOnDescription = true;
      quickPick.matchOnDetail = true;
      // A step of a multi-step command: a notification closing (a sync that ran before it) must not cancel it.
      quickPick.ignoreFocusOut = true;
      let result: T | undefined;
      quickPick.onDidAccept(() => {
        result = quickPick.activeItems[0]?.value ?? quickPick.selectedItems[0]?.value;
        quickPick.hide();
      });
      quickPick.onDidHide(() => {
        quickPick.dispose();
        resolve(result);
      });
      quickPick.show();
      this.shown.fire(quickPick as unknown as vscode.QuickPick<vscode.QuickPickItem>);
    });
  }

  input(title: string, prompt: string, options: { password?: boolean; value?: string; placeholder?: string; validate?: (value: string) => string | undefined } = {}): Promise<string | undefined> {
    return new Promise((resolve) => {
      const box = vscode.window.createInputBox();
      box.title = title;
      box.prompt = prompt;
      box.password = options.password ?? false;
      box.value = options.value ?? '';
      box.placeholder = options.placeholder;
      box.ignoreFocusOut = true;
      let result: string | undefined;
      box.onDidChangeValue((value) => (box.validationMessage = options.validate?.(value)));
      box.onDidAccept(() => {
        const problem = options.validate?.(box.value);
        if (problem) {
          box.validationMessage = problem;
          return;
        }
        result = box.value;
        box.hide();
      });
      box.onDidHide(() => {
        box.dispose();
        resolve(result);
      });
      box.show();
      this.shown.fire(box);
    });
  }

  dispose(): void {
    this.shown.dispose();
  }
}
