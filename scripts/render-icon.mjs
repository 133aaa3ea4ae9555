// Renders the extension icon media/icon/icon.svg to the 128x128 PNG that package.json `icon` names
// (media/icon/icon.png), with Debian's Chromium through playwright-core. Run after editing the SVG.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from '../test/editor/workbenchDriver.mjs';

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'media', 'icon');
const svg = readFileSync(path.join(folder, 'icon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
try {
  const page = await browser.newPage({ viewport: { width: 128, height: 128 }, deviceScaleFactor: 1 });
  await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
  await page.locator('svg').screenshot({ path: path.join(folder, 'icon.png'), omitBackground: true });
  console.log(`wrote ${path.join(folder, 'icon.png')}`);
} finally {
  await browser.close();
}
