/**
 * Helpers for suite tests that talk to the harness outside the extension host (test/editor/run.mjs):
 * screenshots of the workbench and metrics reported with the results.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import { removeRepositoryEntry, saveConfigDocument } from '../../../server/src/config/edit';
import { loadConfigFile } from '../../../server/src/config/load';

/** Numbers the suite measured (e.g. activation time); run.mjs prints them with the results. */
export const metrics: Record<string, number> = {};

export function reportMetric(name: string, value: number): void {
  metrics[name] = value;
}

/** Polls `probe` until it returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Asks the harness to save a screenshot of the workbench as test-results/<name>.png and waits until it
 * has. Returns the file path, or undefined when the suite runs without the code-server harness.
 */
export async function screenshot(name: string): Promise<string | undefined> {
  const requests = process.env.HANGAR_EDITOR_SCREENSHOTS;
  if (!requests) return undefined;
  const safe = name.replace(/[^a-zA-Z0-9_.-]+/g, '-').slice(0, 120);
  mkdirSync(requests, { recursive: true });
  const done = path.join(requests, `${safe}.done`);
  writeFileSync(path.join(requests, `${safe}.request`), safe);
  await waitFor(`the harness to save screenshot "${safe}"`, () => existsSync(done), 60_000);
  return readFileSync(done, 'utf8');
}

/** A quick pick or input box an extension announced (its `onDidShow` events). */
export type Widget = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

/**
 * Waits for the next quick pick among `shown` whose title matches, selects the item whose label matches and
 * accepts it like a user. Fails at once when `running` (the command that should show it) ends first.
 */
export async function choose<T>(shown: Widget[], running: Thenable<T>, title: RegExp, label: RegExp): Promise<void> {
  let settled: { outcome: T } | undefined;
  void running.then((outcome) => (settled = { outcome }));
  const pick = await waitFor(`a quick pick "${title}"`, () => {
    if (settled) throw new Error(`the command ended before "${title}" was shown: ${JSON.stringify(settled.outcome)}`);
    return shown.find((w): w is vscode.QuickPick<vscode.QuickPickItem> => 'items' in w && title.test(w.title ?? ''));
  }).catch((error: Error) => Promise.reject(new Error(`${error.message}; other widgets shown: ${shown.map((w) => w.title).join(' | ') || 'none'}`)));
  shown.splice(shown.indexOf(pick), 1);
  await acceptItem(pick, label);
}

/** Makes the item whose label matches active in a quick pick and accepts it, as a user selecting it does. */
export async function acceptItem(pick: vscode.QuickPick<vscode.QuickPickItem>, label: RegExp): Promise<void> {
  const item = await waitFor(`an item "${label}" in "${pick.title}"`, () => pick.items.find((i) => label.test(i.label)));
  // The extension host sends widget updates asynchronously: accept only once the workbench reports the item active.
  await waitFor('the workbench to focus the first item', () => pick.activeItems.length > 0, 5_000);
  if (pick.activeItems[0]?.label !== item.label) {
    let echoed = false;
    const listener = pick.onDidChangeActive((active) => (echoed = active[0]?.label === item.label));
    pick.activeItems = [item];
    await waitFor(`the workbench to make "${item.label}" active`, () => echoed, 5_000).finally(() => listener.dispose());
  }
  await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
}

/**
 * Closes every editor, dropping unsaved changes (what "Don't Save" does). `workbench.action.closeAllEditors` alone
 * asks about each unsaved document in a modal dialog, as it asks a user.
 */
export async function closeAllEditorsWithoutSaving(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

/**
 * A suite's clean-up: takes the repositories it added out of airflow-repos.yaml, so a later "Sync All" of another
 * suite does not reach servers that are gone (and ask about their credentials).
 */
export async function forgetRepositories(api: HangarApi, names: readonly string[]): Promise<void> {
  const controller = api.repositories.controller;
  const config = loadConfigFile(controller.configFile);
  for (const name of names) if (config.repositories.some((r) => r.name === name)) removeRepositoryEntry(config.document, name);
  await saveConfigDocument(config.file, config.document);
  controller.reload();
}
