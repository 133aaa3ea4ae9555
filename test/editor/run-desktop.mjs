// `npm run test:desktop`: the same real-editor suite as `npm test`, in a desktop VS Code downloaded by
// @vscode/test-electron, for machines that can download it (on Linux without a display, run it
// under xvfb-run). Machines that cannot download VS Code use the code-server harness (run.mjs).
//
// Environment:
//   HANGAR_VSCODE_VERSION=1.100.3   the VS Code version to download (default: the one code-server ships)
//   HANGAR_EDITOR_GREP=text         run only the tests whose full title matches
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { reportResults } from './run.mjs';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const suiteBundle = path.join(repoRoot, 'dist', 'test', 'editor', 'suite.js');
const version = process.env.HANGAR_VSCODE_VERSION ?? '1.100.3';
const say = (message) => console.log(`[editor desktop] ${message}`);

async function main() {
  if (!existsSync(suiteBundle)) throw new Error('dist/test/editor/suite.js is missing: run "npm run test:desktop", which builds first.');

  say(`downloading VS Code ${version} (cached in .cache/vscode-test/)`);
  let vscodeExecutablePath;
  try {
    vscodeExecutablePath = await downloadAndUnzipVSCode({ version, cachePath: path.join(repoRoot, '.cache', 'vscode-test'), timeout: 60_000 });
  } catch (error) {
    throw new Error(
      `Could not download VS Code ${version}: ${error instanceof Error ? error.message : error}\n` +
        'This machine cannot reach the VS Code download servers. Run the same suite in code-server instead: "npm run test:editor" (part of "npm test").',
    );
  }

  const scratchDir = mkdtempSync(path.join(os.tmpdir(), 'hangar-desktop-'));
  const workspace = path.join(scratchDir, 'workspace');
  const resultsFile = path.join(scratchDir, 'results.json');
  cpSync(path.join(repoRoot, 'examples'), workspace, { recursive: true });
  const extensionTestsEnv = { HANGAR_EDITOR_RESULTS: resultsFile };
  if (process.env.HANGAR_EDITOR_GREP) extensionTestsEnv.HANGAR_EDITOR_GREP = process.env.HANGAR_EDITOR_GREP;

  let results;
  let problem;
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: suiteBundle,
      extensionTestsEnv,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${path.join(scratchDir, 'user-data')}`],
    }).catch((error) => {
      problem = `VS Code reported a failed run: ${error instanceof Error ? error.message : error}`;
    });
    if (existsSync(resultsFile)) results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    else problem ??= 'the suite wrote no results';
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
  return reportResults(results, problem);
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`[editor desktop] ${error instanceof Error ? error.message : error}`);
    console.log('editor: 0 passed, 1 failed');
    process.exit(1);
  },
);
