// Answers the prompts of the workbench in Chromium the way a user does — clicking quick pick rows, typing into input
// boxes, pressing dialog and notification buttons — on behalf of the suite inside the extension host, which asks
// through request files (test/editor/suite/userInput.ts). It also records the web pages the workbench opens
// (vscode.env.openExternal opens a browser tab): the narrowest seam where that effect can be seen.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const TIMEOUT = 20_000;

const quickInput = (page) => page.locator('.quick-input-widget');
const rows = (page) => quickInput(page).locator('.quick-input-list .monaco-list-row');

/** The quick input (quick pick or input box) whose title contains `title`, once it is on screen. */
async function openQuickInput(page, title) {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout: TIMEOUT });
  await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: TIMEOUT });
  return widget;
}

/** Until the quick input titled `title` has gone (answered) or shows another title (the next step). */
async function answered(page, title) {
  await page.waitForFunction(
    (wanted) => {
      const widget = globalThis.document.querySelector('.quick-input-widget');
      const shown = widget && widget.style.display !== 'none' && widget.offsetParent !== null;
      return !shown || !widget.querySelector('.quick-input-title')?.textContent?.includes(wanted);
    },
    title,
    { timeout: TIMEOUT },
  );
}

const steps = {
  /** Types `filter` (if any) into the quick pick, then clicks the row whose text contains `row`. */
  async pick(page, { title, row, filter }) {
    const widget = await openQuickInput(page, title);
    if (filter !== undefined) await widget.locator('input.input').fill(filter);
    await rows(page).filter({ hasText: row }).first().click({ timeout: TIMEOUT });
    await answered(page, title);
  },
  /** Clicks each row containing one of `rows` (a click ticks a row of a multi-select pick), then presses OK. */
  async pickMany(page, { title, rows: wanted }) {
    const widget = await openQuickInput(page, title);
    for (const row of wanted) await rows(page).filter({ hasText: row }).first().click({ timeout: TIMEOUT });
    await widget.getByRole('button', { name: 'OK' }).click({ timeout: TIMEOUT });
    await answered(page, title);
  },
  /** Replaces the input box's text with `text` by typing it, then presses Enter. */
  async input(page, { title, text }) {
    const widget = await openQuickInput(page, title);
    const box = widget.locator('input.input');
    await box.fill('');
    await box.pressSequentially(text);
    await box.press('Enter');
    await answered(page, title);
  },
  /** Presses `button` in the modal dialog whose text contains `message`. */
  async dialog(page, { message, button }) {
    const dialog = page.locator('.monaco-dialog-box', { hasText: message });
    await dialog.waitFor({ state: 'visible', timeout: TIMEOUT });
    await dialog.locator('.monaco-button', { hasText: button }).first().click({ timeout: TIMEOUT });
    await dialog.waitFor({ state: 'hidden', timeout: TIMEOUT });
  },
  /** Presses `button` on the notification whose text contains `message`. */
  async notification(page, { message, button }) {
    const toast = page.locator('.notification-toast', { hasText: message }).first();
    await toast.waitFor({ state: 'visible', timeout: TIMEOUT });
    await toast.locator('.monaco-button', { hasText: button }).first().click({ timeout: TIMEOUT });
  },
  /**
   * Chooses `value` in the visible select `selector` inside a webview (webviews are frames of the page), as a user
   * picking from the list does; returns the values it offered.
   */
  async selectInWebview(page, { selector, value }) {
    const deadline = Date.now() + TIMEOUT;
    for (;;) {
      for (const frame of page.frames()) {
        const select = frame.locator(`${selector}:not([hidden])`);
        if ((await select.count().catch(() => 0)) === 0) continue;
        const offered = await select.first().evaluate((node) => [...node.options].map((o) => o.value));
        await select.first().selectOption(value, { timeout: TIMEOUT });
        return offered;
      }
      if (Date.now() > deadline) throw new Error(`no visible ${selector} in a webview`);
      await page.waitForTimeout(100);
    }
  },
  /** What a user sees in the first element matching `selector`: its text, or the chosen option of a select. */
  async text(page, { selector }) {
    const element = page.locator(selector).first();
    await element.waitFor({ state: 'attached', timeout: TIMEOUT });
    return element.evaluate((node) => (node.tagName === 'SELECT' ? node.options[node.selectedIndex]?.text ?? '' : node.innerText));
  },
};

/**
 * Records every address the workbench asks the browser to open (window.open, which vscode.env.openExternal ends
 * in); returns the list, which grows as they come. Call before the workbench loads.
 */
export async function recordOpenedPages(context) {
  const opened = [];
  await context.exposeFunction('hangarRecordOpen', (url) => opened.push(url));
  await context.addInitScript(() => {
    const open = globalThis.open;
    globalThis.open = function (url, ...rest) {
      const target = new URL(String(url), globalThis.location.href);
      void globalThis.hangarRecordOpen(target.href);
      // A second workbench window (a folder opened in a new window) is recorded and opened blank, not loaded: it
      // would start an extension host of its own and take the focus from the workbench under test.
      const workbenchWindow = target.origin === globalThis.location.origin && target.searchParams.has('folder');
      return open.call(this, workbenchWindow ? 'about:blank' : url, ...rest);
    };
  });
  return opened;
}

/** Serves every pending request in `dir`: `<id>.request.json` → `<id>.reply.json` ({ value } or { error }). */
export async function serveUserInput(page, dir, opened, say = () => {}) {
  if (!existsSync(dir)) return;
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.request.json'))) {
    const id = file.slice(0, -'.request.json'.length);
    const request = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    rmSync(path.join(dir, file));
    let reply;
    try {
      reply = { value: request.kind === 'openedPages' ? [...opened] : await steps[request.kind](page, request) };
    } catch (error) {
      reply = { error: `${request.kind} ${JSON.stringify(request)}: ${error instanceof Error ? error.message.split('\n')[0] : error}` };
    }
    if (request.kind !== 'openedPages') say(`${reply.error ? 'could not answer' : 'answered'} ${request.kind} ${JSON.stringify(request)}${reply.error ? `: ${reply.error}` : ''}`);
    writeFileSync(path.join(dir, `${id}.reply.tmp`), JSON.stringify(reply));
    renameSync(path.join(dir, `${id}.reply.tmp`), path.join(dir, `${id}.reply.json`));
  }
}
