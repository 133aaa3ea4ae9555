// Runs the real-editor suite (test/editor/suite, bundled to dist/test/editor/suite.js) inside a real
// VS Code: code-server on a free loopback port, opened in Debian's Chromium through playwright-core,
// with the extension loaded in development mode on a scratch copy of examples/.
//
// Two passes: the whole suite in a trusted workspace, then the "Restricted Mode" suite in a workbench that keeps
// Workspace Trust on (the folder opens untrusted), with spies on git and Python.
//
// Environment:
//   HANGAR_EDITOR_GREP=text      run only the tests whose full title matches (a mocha grep); a grep that matches
//                                "Restricted Mode" runs only the restricted pass
//   HANGAR_EDITOR_TIMEOUT=secs   give up on each pass after this long (default 360)
//   HANGAR_EDITOR_KEEP=1         keep the scratch folder (workspace, logs, profiles) for debugging
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startCodeServer, workbenchUrl } from './codeServer.mjs';
import { install } from './install.mjs';
import { openWorkbench } from './workbenchDriver.mjs';
import { ensureSystemPackages } from '../../scripts/system-packages.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suiteBundle = path.join(repoRoot, 'dist', 'test', 'editor', 'suite.js');
const resultsDir = path.join(repoRoot, 'test-results', 'editor');
const timeoutMs = Number(process.env.HANGAR_EDITOR_TIMEOUT ?? 360) * 1000;
const keepScratch = process.env.HANGAR_EDITOR_KEEP === '1';

const startedAt = Date.now();
const say = (message) => console.log(`[editor ${((Date.now() - startedAt) / 1000).toFixed(1)}s] ${message}`);
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Errors the workbench logged, without the noise of an offline machine (gallery lookups, missing icons). */
function printConsoleErrors(lines) {
  const errors = lines.filter((line) => /^\[(error|pageerror)\]/.test(line) && !/Failed to load resource|open-vsx|ENOTFOUND/.test(line));
  if (errors.length === 0) return;
  console.log('  last errors in the browser console (all in test-results/editor/browser-console.log):');
  for (const line of errors.slice(-15)) console.log(`    ${line.replace(/%c\s*|color: #\w+\s*/g, '').slice(0, 300)}`);
}

function extensionHostExited(codeServerLog) {
  return existsSync(codeServerLog) && readFileSync(codeServerLog, 'utf8').includes('Extension Host Process exited');
}

/** Serves the screenshot requests the suite writes (see test/editor/suite/harness.ts). */
async function serveScreenshotRequests(page, requestsDir) {
  if (!existsSync(requestsDir)) return;
  for (const file of readdirSync(requestsDir).filter((name) => name.endsWith('.request'))) {
    const name = file.slice(0, -'.request'.length);
    const target = path.join(resultsDir, `${name}.png`);
    await page.waitForTimeout(300); // let the workbench paint what the test just did
    await page.screenshot({ path: target }).catch((error) => say(`screenshot ${name} failed: ${error.message}`));
    rmSync(path.join(requestsDir, file));
    writeFileSync(path.join(requestsDir, `${name}.done`), target);
  }
}

/** Prints every test and the closing "editor: N passed, M failed" line; returns the exit code. */
export function reportResults(results, problem) {
  if (!results) {
    console.log(`  ✖ real-editor suite: ${problem}`);
    console.log('editor: 0 passed, 1 failed');
    return 1;
  }
  for (const test of results.tests) {
    const mark = { passed: '✔', failed: '✖', pending: '-' }[test.state];
    console.log(`  ${mark} ${test.title}${test.state === 'passed' ? ` (${test.durationMs} ms)` : ''}`);
    if (test.error) console.log(test.error.replace(/^/gm, '      '));
  }
  for (const [name, value] of Object.entries(results.metrics ?? {})) console.log(`  metric ${name}: ${value}`);
  if (results.passed + results.failed === 0) {
    const grep = process.env.HANGAR_EDITOR_GREP;
    console.log(`  ✖ no editor test ran${grep ? ` (HANGAR_EDITOR_GREP=${grep} matched nothing)` : ''}`);
    console.log('editor: 0 passed, 1 failed');
    return 1;
  }
  console.log(`editor: ${results.passed} passed, ${results.failed} failed${results.pending ? `, ${results.pending} skipped` : ''}`);
  return results.failed > 0 ? 1 : 0;
}

/** code-server runs in its own process group, so Ctrl-C or a kill of this script must end it explicitly. */
export function stopOnSignal(server) {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      console.log(`[editor] ${signal}: stopping code-server`);
      server.stop().finally(() => process.exit(130));
    });
  }
}

/** Title of the suite that runs in Restricted Mode (test/editor/suite/restricted.test.ts). */
const RESTRICTED_SUITE = 'Restricted Mode';
/** Programs the restricted pass watches: none of them may start while the workspace is untrusted. */
const SPIED_PROGRAMS = ['git', 'python', 'python3'];

/** Puts a shim for each program first on PATH: it appends "cwd<TAB>args" to `log`, then runs the real program. */
function spyOn(programs, dir, log) {
  mkdirSync(dir, { recursive: true });
  for (const name of programs) {
    const real = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (!real) continue;
    writeFileSync(path.join(dir, name), `#!/bin/sh\nprintf '%s\\t%s\\n' "$PWD" "$*" >> '${log}'\nexec '${real}' "$@"\n`, { mode: 0o755 });
  }
}

/**
 * One run of the suite in a fresh code-server on a fresh copy of examples/. The restricted pass keeps Workspace
 * Trust on (the folder opens in Restricted Mode), runs only the Restricted Mode suite, and puts spies on git and
 * Python so the suite can tell that nothing ran.
 */
async function runPass({ restricted, grep }) {
  const scratchDir = mkdtempSync(path.join(os.tmpdir(), `hangar-editor-${restricted ? 'restricted-' : ''}`));
  const workspace = path.join(scratchDir, 'workspace');
  const resultsFile = path.join(scratchDir, 'results.json');
  const requestsDir = path.join(scratchDir, 'screenshot-requests');
  cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  say(`${restricted ? 'Restricted Mode pass: ' : ''}scratch folder ${scratchDir} (workspace: a copy of examples/)`);

  let server;
  let browser;
  let results;
  let problem;
  try {
    const env = { HANGAR_EDITOR_RESULTS: resultsFile, HANGAR_EDITOR_SCREENSHOTS: requestsDir };
    if (grep) env.HANGAR_EDITOR_GREP = grep;
    if (restricted) {
      const spies = path.join(scratchDir, 'spies');
      const log = path.join(scratchDir, 'spied-processes.log');
      spyOn(SPIED_PROGRAMS, spies, log);
      Object.assign(env, { PATH: `${spies}${path.delimiter}${process.env.PATH}`, HANGAR_EDITOR_RESTRICTED: '1', HANGAR_EDITOR_SPY_LOG: log });
      // A workspace that names an interpreter: Restricted Mode must not hand it to the extension.
      mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
      writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'hangar.python': path.join(spies, 'python3') }, null, 2));
    }
    server = await startCodeServer({ scratchDir, folder: workspace, env, restricted });
    stopOnSignal(server);
    say(`code-server ready at ${server.origin}`);

    const url = workbenchUrl({ ...server, extensionPath: repoRoot, testsPath: suiteBundle });
    browser = await openWorkbench(url, scratchDir, server.env);
    const consoleLines = [];
    browser.page.on('console', (message) => consoleLines.push(`[${message.type()}] ${message.text()}`));
    browser.page.on('pageerror', (error) => consoleLines.push(`[pageerror] ${error.message}`));
    say('workbench opened in Chromium; waiting for the suite inside the extension host');

    const deadline = Date.now() + timeoutMs;
    let hostExitedAt;
    while (!existsSync(resultsFile)) {
      if (Date.now() > deadline) {
        problem = `the suite wrote no results within ${timeoutMs / 1000} s (see test-results/editor/)`;
        break;
      }
      // The suite writes its results before the extension host exits; an exit without them is a crash.
      hostExitedAt ??= extensionHostExited(server.logFile) ? Date.now() : undefined;
      if (hostExitedAt && Date.now() - hostExitedAt > 3000) {
        problem = 'the extension host exited without writing results (the suite or the extension crashed; see test-results/editor/)';
        break;
      }
      await serveScreenshotRequests(browser.page, requestsDir);
      await sleep(200);
    }
    if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    say(results ? `suite finished in ${(results.durationMs / 1000).toFixed(1)} s` : problem);
    const failed = !results || results.failed > 0;
    const prefix = restricted ? 'restricted-' : '';
    await browser.page.screenshot({ path: path.join(resultsDir, `${prefix}${failed ? 'workbench-failure.png' : 'workbench-final.png'}`) }).catch(() => {});
    writeFileSync(path.join(resultsDir, `${prefix}browser-console.log`), consoleLines.join('\n'));
    if (!results) printConsoleErrors(consoleLines);
  } finally {
    await browser?.context.close().catch(() => {});
    await server?.stop();
    if (server && (!results || results.failed > 0)) cpSync(server.logFile, path.join(resultsDir, `${restricted ? 'restricted-' : ''}code-server.log`));
    if (keepScratch) say(`kept ${scratchDir}`);
    else rmSync(scratchDir, { recursive: true, force: true });
  }
  return { results, problem };
}

/** Both passes' results as one (a pass without results counts as one failed test). */
function mergeResults(passes) {
  const tests = [];
  const metrics = {};
  let durationMs = 0;
  for (const { results, problem } of passes) {
    if (!results) tests.push({ title: `real-editor suite: ${problem}`, state: 'failed', durationMs: 0 });
    else {
      tests.push(...results.tests);
      Object.assign(metrics, results.metrics);
      durationMs += results.durationMs;
    }
  }
  const count = (state) => tests.filter((t) => t.state === state).length;
  return { passed: count('passed'), failed: count('failed'), pending: count('pending'), durationMs, tests, metrics };
}

async function main() {
  say('checking the system packages (code-server\'s build needs, Chromium) and code-server (installs into .cache/code-server on first use)');
  ensureSystemPackages(['code-server', 'browser'], '"npm run test:editor"');
  install();
  if (!existsSync(suiteBundle)) {
    throw new Error(`${path.relative(repoRoot, suiteBundle)} is missing: run "npm run test:editor", which builds first.`);
  }
  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  const grep = process.env.HANGAR_EDITOR_GREP;
  const wantsRestricted = !grep || new RegExp(grep).test(RESTRICTED_SUITE);
  const passes = [];
  if (!grep || !wantsRestricted) passes.push(await runPass({ restricted: false, grep }));
  if (wantsRestricted) passes.push(await runPass({ restricted: true, grep: RESTRICTED_SUITE }));
  say(`screenshots and logs in ${path.relative(repoRoot, resultsDir)}/`);
  return reportResults(mergeResults(passes));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(`[editor] ${error instanceof Error ? error.message : error}`);
      console.log('editor: 0 passed, 1 failed');
      process.exit(1);
    },
  );
}
