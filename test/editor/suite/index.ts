/**
 * The real-editor test runner, loaded by VS Code as the extensionTestsPath module. It runs every
 * suite file under mocha inside the extension host and writes the results to the file named by
 * HANGAR_EDITOR_RESULTS, because the extension host exits with code 0 even when tests fail.
 */
import { readdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Mocha from 'mocha';
import { metrics, screenshot } from './harness';

/** esbuild bundles this runner into one file, so every suite file is listed here explicitly. */
const suiteFiles: Record<string, () => Promise<unknown>> = {
  'foundation.test.ts': () => import('./foundation.test'),
  'repositories.test.ts': () => import('./repositories.test'),
  'marketplace.test.ts': () => import('./marketplace.test'),
  'languageServer.test.ts': () => import('./languageServer.test'),
  'deploy.test.ts': () => import('./deploy.test'),
  'perDag.test.ts': () => import('./perDag.test'),
  'airflowCredentials.test.ts': () => import('./airflowCredentials.test'),
  'testing.test.ts': () => import('./testing.test'),
  'dependencies.test.ts': () => import('./dependencies.test'),
  'restricted.test.ts': () => import('./restricted.test'),
  'repositoryCommands.test.ts': () => import('./repositoryCommands.test'),
};

/**
 * The Restricted Mode suite needs the untrusted workbench of the harness's second pass (test/editor/run.mjs,
 * HANGAR_EDITOR_RESTRICTED); that pass runs it alone and the trusted pass runs everything else, so no test is
 * ever skipped for being in the wrong pass.
 */
const RESTRICTED_SUITE_FILE = 'restricted.test.ts';
const restrictedPass = process.env.HANGAR_EDITOR_RESTRICTED === '1';

interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs: number;
  error?: string;
}

export interface EditorResults {
  passed: number;
  failed: number;
  pending: number;
  durationMs: number;
  tests: TestResult[];
  metrics: Record<string, number>;
}

function writeResults(results: EditorResults): void {
  const file = process.env.HANGAR_EDITOR_RESULTS;
  if (!file) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  writeFileSync(`${file}.tmp`, JSON.stringify(results, null, 2));
  renameSync(`${file}.tmp`, file); // the harness polls for this file: never let it read half of it
}

/** Suite files on disk that index.ts forgot to import would otherwise never run. */
function unlistedSuiteFiles(): string[] {
  const sourceDir = path.resolve(__dirname, '..', '..', '..', 'test', 'editor', 'suite');
  try {
    return readdirSync(sourceDir).filter((name) => name.endsWith('.test.ts') && !(name in suiteFiles));
  } catch {
    return []; // packaged without sources: nothing to compare against
  }
}

async function loadSuites(mocha: Mocha): Promise<void> {
  // The workbench as it was when a test failed: test-results/editor/failed-<test>.png.
  mocha.suite.afterEach(async function (this: Mocha.Context) {
    const test = this.currentTest;
    if (test?.state === 'failed') await screenshot(`failed-${test.fullTitle()}`).catch(() => undefined);
  });
  for (const [file, load] of Object.entries(suiteFiles)) {
    if ((file === RESTRICTED_SUITE_FILE) !== restrictedPass) continue;
    mocha.suite.emit('pre-require', globalThis, file, mocha);
    mocha.suite.emit('require', await load(), file, mocha);
    mocha.suite.emit('post-require', globalThis, file, mocha);
  }
  for (const file of unlistedSuiteFiles()) {
    mocha.suite.addTest(
      new Mocha.Test(`suite file ${file} is imported by test/editor/suite/index.ts`, () => {
        throw new Error(`Add '${file}': () => import('./${file.replace(/\.ts$/, '')}') to suiteFiles in test/editor/suite/index.ts`);
      }),
    );
  }
}

export async function run(): Promise<void> {
  const startedAt = Date.now();
  const tests: TestResult[] = [];
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 60_000 });
  if (process.env.HANGAR_EDITOR_GREP) mocha.grep(process.env.HANGAR_EDITOR_GREP);
  try {
    await loadSuites(mocha);
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (test) => tests.push({ title: test.fullTitle(), state: 'passed', durationMs: test.duration ?? 0 }));
      runner.on('pending', (test) => tests.push({ title: test.fullTitle(), state: 'pending', durationMs: 0 }));
      runner.on('fail', (test, error: Error) =>
        tests.push({ title: test.fullTitle(), state: 'failed', durationMs: test.duration ?? 0, error: error.stack ?? String(error) }),
      );
    });
  } catch (error) {
    tests.push({ title: 'loading the editor suite', state: 'failed', durationMs: 0, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  }
  const count = (state: TestResult['state']): number => tests.filter((t) => t.state === state).length;
  const failed = count('failed');
  writeResults({ passed: count('passed'), failed, pending: count('pending'), durationMs: Date.now() - startedAt, tests, metrics });
  // @vscode/test-electron (npm run test:desktop) turns a rejected run() into a failing exit code.
  if (failed > 0) throw new Error(`${failed} editor test(s) failed`);
}
