// Drives a VS Code workbench in Chromium the way a user does: the Command Palette, quick picks, the keyboard.
// Used by the demo's integration test and scripts/demo-screenshots.mjs (the editor suite drives VS Code from
// inside the extension host instead).
import path from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Opens the workbench headless in a fresh Chromium profile under `scratchDir`. */
export async function openWorkbench(url, scratchDir, env, viewport = { width: 1440, height: 900 }) {
  const context = await chromium.launchPersistentContext(path.join(scratchDir, 'chromium-profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    env,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(url);
  return { context, page };
}

const quickInput = (page) => page.locator('.quick-input-widget');
const quickRows = (page) => page.locator('.quick-input-widget .quick-input-list .monaco-list-row');

/** Waits until a quick input whose title matches `title` is open (any quick input when title is omitted). */
export async function waitForQuickInput(page, title, timeout = 30_000) {
  const widget = quickInput(page);
  await widget.waitFor({ state: 'visible', timeout });
  if (title) await widget.locator('.quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout });
}

/** Types `filter` into the open quick input, waits for a row containing `row` and accepts it with Enter. */
export async function pick(page, { title, filter, row = filter, timeout = 30_000 }) {
  await waitForQuickInput(page, title, timeout);
  const input = quickInput(page).locator('input.input');
  await input.fill(filter ?? '');
  await quickRows(page).filter({ hasText: row }).first().waitFor({ state: 'visible', timeout });
  // The list follows the filter asynchronously: accept only once the first row is the one asked for.
  await page.waitForFunction(
    (wanted) => globalThis.document.querySelector('.quick-input-widget .quick-input-list .monaco-list-row.focused')?.textContent?.includes(wanted),
    row,
    { timeout },
  );
  await page.keyboard.press('Enter');
}

/** Runs a command from the Command Palette by its title, e.g. "Hangar: Deploy…"; retries until it is registered. */
export async function runCommand(page, commandTitle, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    await page.keyboard.press('Escape');
    await page.keyboard.press('F1');
    try {
      await pick(page, { filter: `>${commandTitle}`, row: commandTitle, timeout: Math.min(5_000, Math.max(1, deadline - Date.now())) });
      return;
    } catch (error) {
      if (Date.now() > deadline) throw new Error(`the command "${commandTitle}" did not appear in the Command Palette within ${timeout / 1000} s: ${error.message}`);
    }
  }
}

/** Waits for the workbench to be up and the Hangar view container to be in the activity bar. */
export async function waitForHangar(page, timeout = 60_000) {
  await page.locator('.monaco-workbench').waitFor({ state: 'visible', timeout });
  await page.locator('.activitybar .action-item a[aria-label^="Hangar"]').first().waitFor({ state: 'visible', timeout });
}
