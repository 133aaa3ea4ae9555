/**
 * `npm run demo` as a new user meets it: it starts VS Code and a real Airflow 3 per environment, a Deploy from the
 * editor (Command Palette and quick picks in Chromium) reaches the staging Airflow with the credentials the demo
 * supplied, the CLI in the same workspace promotes to prod, and Ctrl-C stops every process the demo started.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { airflowPythonOrSkip, waitFor } from '../../support/airflow';
import { REPO_ROOT } from '../../support/venv';

interface DemoSession {
  editorUrl: string;
  airflow: Record<string, string>;
  username: string;
  password: string;
  workspace: string;
  output(): string;
  interrupt(): Promise<unknown>;
}
interface DemoSessionModule {
  startDemo(options: { dir: string; timeoutMs?: number }): Promise<DemoSession>;
  processesUsing(dir: string): { pid: number; command: string }[];
}
interface Page {
  screenshot(options: { path: string }): Promise<unknown>;
}
interface WorkbenchDriver {
  CHROMIUM: string;
  openWorkbench(url: string, scratchDir: string, env: NodeJS.ProcessEnv): Promise<{ context: { close(): Promise<void> }; page: Page }>;
  waitForHangar(page: Page): Promise<void>;
  runCommand(page: Page, title: string): Promise<void>;
  pick(page: Page, options: { title?: RegExp; filter: string; row?: string }): Promise<void>;
}
const load = <T>(file: string): Promise<T> => import(path.join(REPO_ROOT, 'test', 'editor', file)) as Promise<T>;

interface HistoryRecord {
  version: number;
  action: string;
  repositories: { name: string; commit: string }[];
  verification?: { status: string };
}
const history = (dags: string): HistoryRecord[] => {
  const file = path.join(dags, '.hangar', 'history.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as HistoryRecord[]) : [];
};

describe('npm run demo', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-demo-test-'));
  let demo: DemoSession | undefined;
  after(async () => {
    await demo?.interrupt();
    const { processesUsing } = await load<DemoSessionModule>('demoSession.mjs');
    for (const { pid } of processesUsing(dir)) process.kill(pid, 'SIGKILL'); // only if the test failed before its own check
    rmSync(dir, { recursive: true, force: true });
  });

  test('deploys from the editor to its real Airflow with the supplied credentials, promotes with the CLI, and Ctrl-C stops everything', async (t) => {
    if (!(await airflowPythonOrSkip(t))) return;
    const driver = await load<WorkbenchDriver>('workbenchDriver.mjs');
    if (!existsSync(driver.CHROMIUM)) {
      if (process.env.CI === 'true') assert.fail(`${driver.CHROMIUM} is missing: node scripts/system-packages.mjs test installs it`);
      return t.skip(`${driver.CHROMIUM} is missing`);
    }
    assert.ok(existsSync(path.join(REPO_ROOT, 'dist', 'client', 'extension.js')), 'build first: node esbuild.mjs');
    const { startDemo, processesUsing } = await load<DemoSessionModule>('demoSession.mjs');
    demo = await startDemo({ dir });
    const session = demo;
    assert.deepEqual(Object.keys(session.airflow).sort(), ['prod', 'staging']);

    // The credentials the demo printed are the ones its Airflows accept; the workspace files hold none of them.
    for (const url of Object.values(session.airflow)) {
      const response = await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: session.username, password: session.password }) });
      assert.ok(response.ok, `${url}/auth/token answered ${response.status}`);
    }
    const config = readFileSync(path.join(session.workspace, 'airflow-repos.yaml'), 'utf8');
    for (const url of Object.values(session.airflow)) assert.ok(config.includes(`url: ${url},`), `airflow-repos.yaml points at ${url}`);
    const settings = JSON.parse(readFileSync(path.join(session.workspace, '.vscode', 'settings.json'), 'utf8')) as Record<string, string>;
    assert.match(execFileSync(settings['hangar.python']!, ['-c', 'import airflow; print(airflow.__version__)'], { encoding: 'utf8' }), /^3\./);
    assert.equal(spawnSync('grep', ['-rlF', session.password, session.workspace], { encoding: 'utf8' }).stdout, '', 'no file of the workspace holds the password');

    const v11 = execFileSync('git', ['--git-dir', path.join(session.workspace, '.remotes', 'company-workflows.git'), 'rev-parse', 'v1.1^{commit}'], { encoding: 'utf8' }).trim();
    const stagingDags = realpathSync(path.join(dir, 'airflow', 'staging', 'dags'));
    const browser = await driver.openWorkbench(session.editorUrl, path.join(dir, 'browser'), { ...process.env, HOME: path.join(dir, 'browser') });
    try {
      await driver.waitForHangar(browser.page);
      await driver.runCommand(browser.page, 'Hangar: Deploy…');
      await driver.pick(browser.page, { title: /environment/, filter: 'staging' });
      await driver.pick(browser.page, { title: /version/, filter: v11.slice(0, 12) });
      const deployed = await (async () => {
        await driver.pick(browser.page, { title: /Deploy → staging/, filter: '', row: 'Deploy' });
        return waitFor('the editor deploy to be verified by the staging Airflow', () => history(stagingDags).find((r) => r.verification?.status === 'verified'), 120_000);
      })().catch(async (error: Error) => {
        // What the workbench showed instead (a blocking gate, an error notification) says why.
        await browser.page.screenshot({ path: path.join(REPO_ROOT, 'test-results', 'demo-deploy-failure.png') }).catch(() => undefined);
        throw error;
      });
      assert.equal(deployed.repositories[0]?.commit, v11);
    } finally {
      await browser.context.close();
    }
    const stagingDagIds = await dagIds(session.airflow.staging!, session);
    assert.deepEqual(stagingDagIds, ['orders_daily_etl', 'weekly_revenue_report']);

    const cli = spawnSync(process.execPath, [path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js'), 'promote', '--from', 'staging', '--to', 'prod'], {
      cwd: session.workspace,
      encoding: 'utf8',
      env: { ...process.env, HANGAR_AIRFLOW_USERNAME: session.username, HANGAR_AIRFLOW_PASSWORD: session.password },
    });
    assert.equal(cli.status, 0, `${cli.stdout}\n${cli.stderr}`);
    assert.deepEqual(await dagIds(session.airflow.prod!, session), stagingDagIds);

    const before = processesUsing(dir);
    assert.ok(before.length >= 5, `the demo runs code-server and two Airflows (${before.length} processes)`);
    assert.equal(await session.interrupt(), 0, session.output().slice(-2000));
    demo = undefined;
    const left = await waitFor('every process of the demo to end', () => processesUsing(dir).length === 0 || undefined, 20_000).catch(() => processesUsing(dir));
    assert.equal(left, true, `still running after Ctrl-C: ${JSON.stringify(left)}`);
    for (const url of [new URL(session.editorUrl).origin, ...Object.values(session.airflow)]) {
      await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2000) }), `${url} is closed`);
    }
  });
});

/** The DAG ids the Airflow at `url` lists, sorted. */
async function dagIds(url: string, session: DemoSession): Promise<string[]> {
  const token = (await (await fetch(`${url}/auth/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: session.username, password: session.password }) })).json()) as { access_token: string };
  const body = (await (await fetch(`${url}/api/v2/dags`, { headers: { authorization: `Bearer ${token.access_token}` } })).json()) as { dags: { dag_id: string }[] };
  return body.dags.map((d) => d.dag_id).sort();
}
