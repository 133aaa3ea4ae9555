// Retakes the README screenshots (media/screenshots/*.png) from the demo: starts `npm run demo`'s script, drives
// its VS Code in Chromium (playwright-core) through the demo's own sample files as a user would (Command
// Palette, quick picks, clicks), and stops the demo with Ctrl-C. Build first: `node esbuild.mjs`.
// Usage: node scripts/demo-screenshots.mjs [OUT_DIR]   (default media/screenshots)
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemo } from '../test/editor/demoSession.mjs';
import { openWorkbench, pick, runCommand, waitForHangar, waitForQuickInput } from '../test/editor/workbenchDriver.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.resolve(process.argv[2] ?? path.join(repoRoot, 'media', 'screenshots'));
const say = (message) => console.log(`[screenshots] ${message}`);

/** Opens a workspace file with Quick Open, by a path fragment. */
async function openFile(page, relativePath) {
  await page.keyboard.press('Escape');
  await page.keyboard.press('Control+P');
  await pick(page, { filter: relativePath, row: path.basename(relativePath) });
  await page.locator(`.tab.active[data-resource-name="${path.basename(relativePath)}"]`).waitFor();
}

/** A row of a tree or list in the side bar, by its text. */
const sideBarRow = (page, text) => page.locator('.part.sidebar .monaco-list-row', { hasText: text }).first();

/** Expands a collapsed tree row (a click toggles it). */
async function expand(page, text) {
  const row = sideBarRow(page, text);
  await row.waitFor();
  if ((await row.getAttribute('aria-expanded')) === 'false') await row.click();
}

/** Drags the side bar's edge so tree labels are not cut off. */
async function widenSideBar(page, by) {
  const box = await page.locator('.part.sidebar').boundingBox();
  const x = box.x + box.width + 1;
  const y = box.y + box.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + by, y, { steps: 5 });
  await page.mouse.up();
}

/** The frame of the webview (VS Code nests each in two iframes) that shows `text`. */
async function webview(page, text, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    for (const frame of page.frames().filter((f) => f !== page.mainFrame())) {
      if ((await frame.getByText(text).count().catch(() => 0)) > 0) return frame;
    }
    if (Date.now() > deadline) throw new Error(`no webview shows "${text}" within ${timeout / 1000} s`);
    await page.waitForTimeout(250);
  }
}

async function shoot(page, name) {
  await page.waitForTimeout(800); // let the workbench finish painting what the last step did
  await page.screenshot({ path: path.join(outDir, `${name}.png`) });
  say(`${name}.png`);
}

async function editorOverview(page) {
  await openFile(page, 'company-workflows/dags/orders_daily_etl.py');
  await page.locator('.contentWidgets .codelens-decoration, .codelens-decoration').first().waitFor({ timeout: 60_000 });
  await runCommand(page, 'Hangar: Show DAG Graph');
  await webview(page, 'refresh_marts');
  await runCommand(page, 'Problems: Focus on Problems View');
  await page.locator('.markers-panel .monaco-list-row').first().waitFor({ timeout: 60_000 });
  await shoot(page, 'editor-overview');
  await runCommand(page, 'View: Toggle Panel Visibility');
  await runCommand(page, 'View: Close All Editors');
}

async function repositories(page) {
  await runCommand(page, 'Hangar: Focus on Repositories View');
  await expand(page, 'company-workflows');
  await expand(page, 'community-dags');
  await sideBarRow(page, 'broken_syntax.py').waitFor();
  await openFile(page, 'community-dags/dags/duplicate_task_ids.py');
  // Go to Next Problem (F8) shows the finding under its line, once the language server has published it.
  await page.locator('.editor-instance .view-lines').first().click();
  for (let tries = 0; !(await page.locator('.marker-widget').first().isVisible()); tries++) {
    if (tries === 60) throw new Error('Go to Next Problem showed no finding in duplicate_task_ids.py');
    await page.keyboard.press('F8');
    await page.waitForTimeout(1000);
  }
  await shoot(page, 'repositories');
  await runCommand(page, 'View: Close All Editors');
}

/** Deploy… → environment → version → confirm, as from the Command Palette; resolves once the deploy is live. */
async function deploy(page, environment, version, live) {
  await runCommand(page, 'Hangar: Deploy…');
  await pick(page, { title: /environment/, filter: environment });
  await pick(page, { title: /version/, filter: version });
  if (!live) return;
  await pick(page, { title: new RegExp(`Deploy → ${environment}`), filter: '', row: 'Deploy' });
  await page.locator('.notification-toast', { hasText: live }).waitFor({ timeout: 120_000 });
}

async function deployAndPromote(page, demo) {
  const remote = path.join(demo.workspace, '.remotes', 'company-workflows.git');
  const commit = (tag) => execFileSync('git', ['--git-dir', remote, 'rev-parse', `${tag}^{commit}`], { encoding: 'utf8' }).trim().slice(0, 12);
  await openFile(page, 'airflow-repos.yaml');
  const environmentsLine = readFileSync(path.join(demo.workspace, 'airflow-repos.yaml'), 'utf8').split('\n').findIndex((line) => line.startsWith('environments:')) + 1;
  await page.keyboard.press('Control+G');
  await page.keyboard.type(String(environmentsLine + 12));
  await page.keyboard.press('Enter');
  await deploy(page, 'staging', commit('v1.0'), 'staging v1 is live');
  await deploy(page, 'staging', commit('v1.1'), 'staging v2 is live');
  await runCommand(page, 'Hangar: Promote…');
  await pick(page, { title: /from environment/, filter: 'staging' });
  await pick(page, { title: /to environment/, filter: 'prod' });
  await pick(page, { title: /Promote/, filter: '', row: 'Promote' });
  await page.locator('.notification-toast', { hasText: 'prod v1 is live' }).waitFor({ timeout: 120_000 });
  await runCommand(page, 'Notifications: Clear All Notifications');
  await runCommand(page, 'Hangar: Focus on Deployments View');
  await expand(page, 'staging');
  await expand(page, 'prod');
  await deploy(page, 'staging', 'main'); // main holds the files broken on purpose: the gate stops it
  await waitForQuickInput(page, /Validation blocks the deploy/, 120_000);
  await shoot(page, 'deploy');
  await page.keyboard.press('Escape');
  await runCommand(page, 'View: Close All Editors');
}

async function marketplace(page) {
  await runCommand(page, 'Hangar: Open Marketplace');
  const market = await webview(page, 'Warehouse table quality gate');
  await runCommand(page, 'View: Close Primary Side Bar');
  await shoot(page, 'marketplace-list');
  await market.getByText('Warehouse table quality gate').first().click();
  await market.getByRole('button', { name: /^Install/ }).first().click();
  await pick(page, { title: /repository|Install/i, filter: 'company-workflows' });
  await waitForQuickInput(page, /Folder/);
  await page.keyboard.press('Enter'); // the repository's DAG folder, as proposed
  await market.getByRole('button', { name: /Uninstall/ }).first().waitFor({ timeout: 60_000 });
  await shoot(page, 'marketplace-entry');
}

async function main() {
  mkdirSync(outDir, { recursive: true });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-screenshots-'));
  say('starting the demo');
  const demo = await startDemo({ dir });
  try {
    const browser = await openWorkbench(demo.editorUrl, path.join(dir, 'browser'), { ...process.env, HOME: path.join(dir, 'browser') });
    try {
      const { page } = browser;
      await waitForHangar(page);
      await widenSideBar(page, 140);
      await editorOverview(page);
      await repositories(page);
      await deployAndPromote(page, demo);
      await marketplace(page);
    } catch (error) {
      await browser.page.screenshot({ path: path.join(dir, 'failure.png') }).catch(() => {});
      throw new Error(`${error instanceof Error ? error.message : error}\n(the workbench at that moment: ${path.join(dir, 'failure.png')})`);
    } finally {
      await browser.context.close();
    }
  } finally {
    say('stopping the demo');
    await demo.interrupt();
  }
  rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(`[screenshots] ${error instanceof Error ? error.message : error}`);
  process.exit(1);
});
