/**
 * Answers the workbench's prompts as a user does, through the browser: the harness (test/editor/userInput.mjs)
 * clicks the quick pick row, types into the input box, presses the dialog or notification button. Nothing of
 * the extension is stubbed: the prompts are the ones `window.showQuickPick`, `showInputBox` and
 * `showWarningMessage` put on screen.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { waitFor } from './harness';

export type UserStep =
  /** Click the row containing `row` in the quick pick whose title contains `title` (after typing `filter`). */
  | { readonly kind: 'pick'; readonly title: string; readonly row: string; readonly filter?: string }
  /** Tick the rows containing each of `rows`, then OK. */
  | { readonly kind: 'pickMany'; readonly title: string; readonly rows: readonly string[] }
  /** Type `text` into the input box whose title contains `title` (replacing its value), then Enter. */
  | { readonly kind: 'input'; readonly title: string; readonly text: string }
  /** Press `button` in the modal dialog that says `message`. */
  | { readonly kind: 'dialog'; readonly message: string; readonly button: string }
  /** Press `button` on the notification that says `message`. */
  | { readonly kind: 'notification'; readonly message: string; readonly button: string }
  /** Read what the workbench shows in the element `selector`. */
  | { readonly kind: 'text'; readonly selector: string }
  /** Choose `value` in the visible select `selector` of a webview; the reply lists the values it offered. */
  | { readonly kind: 'selectInWebview'; readonly selector: string; readonly value: string };

let requests = 0;

function requestsDir(): string {
  const dir = process.env.HANGAR_EDITOR_INPUT;
  if (!dir) throw new Error('HANGAR_EDITOR_INPUT is not set: answering prompts needs the code-server harness (test/editor/run.mjs)');
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function ask<T>(request: UserStep | { readonly kind: 'openedPages' }, running?: Thenable<unknown>): Promise<T> {
  const dir = requestsDir();
  const id = `${process.pid}-${++requests}`;
  let settled: unknown;
  void running?.then(
    (outcome) => (settled = { outcome }),
    (error: unknown) => (settled = { error: String(error) }),
  );
  writeFileSync(path.join(dir, `${id}.request.tmp`), JSON.stringify(request));
  // Renamed into place: the harness never reads half a request.
  renameSync(path.join(dir, `${id}.request.tmp`), path.join(dir, `${id}.request.json`));
  const replyFile = path.join(dir, `${id}.reply.json`);
  const reply = await waitFor(`the harness to answer ${JSON.stringify(request)}`, () => {
    if (existsSync(replyFile)) return JSON.parse(readFileSync(replyFile, 'utf8')) as { value?: T; error?: string };
    // A command that ends before its prompt was answered will never show it.
    if (settled !== undefined && request.kind !== 'openedPages') return { error: `the command ended before the prompt was answered: ${JSON.stringify(settled)}` };
    return undefined;
  }, 60_000);
  rmSync(replyFile, { force: true });
  if (reply.error) throw new Error(reply.error);
  return reply.value as T;
}

/** Performs the steps in order while `running` (the command that shows the prompts) goes on. */
export async function answer(running: Thenable<unknown> | undefined, ...steps: UserStep[]): Promise<void> {
  for (const step of steps) await ask(step, running);
}

/** Chooses `value` in a webview's visible select `selector`; returns the values it offered. */
export function selectInWebview(selector: string, value: string): Promise<string[]> {
  return ask<string[]>({ kind: 'selectInWebview', selector, value });
}

/** What the workbench shows in `selector`. */
export function shownText(selector: string): Promise<string> {
  return ask<string>({ kind: 'text', selector });
}

/** Every address the workbench opened in a browser tab so far. */
export function openedPages(): Promise<string[]> {
  return ask<string[]>({ kind: 'openedPages' });
}
