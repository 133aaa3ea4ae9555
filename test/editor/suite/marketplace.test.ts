import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as vscode from 'vscode';
import type { HangarApi } from '../../../client/src/extension';
import type { RenderReport, VerificationStatus } from '../../../server/src/market/webviewProtocol';
import { reportMetric, screenshot, waitFor } from './harness';

const XSS_TITLE = 'Sneaky <img src=x onerror="document.title=1"> report';
const DAG = `"""Postgres to S3."""
from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG("postgres_to_s3", schedule="@daily"):
    extract = BashOperator(task_id="extract", bash_command="echo extract")
    load = BashOperator(task_id="load", bash_command="echo load")
    extract >> load
`;

/** A catalog in Hangar's format as a real Git repository, with one entry whose title carries HTML. */
function buildCatalog(dir: string): string {
  const root = path.join(dir, 'catalog');
  mkdirSync(path.join(root, 'dags'), { recursive: true });
  writeFileSync(path.join(root, 'dags', 'postgres_to_s3.py'), DAG);
  const sha256 = createHash('sha256').update(DAG).digest('hex');
  const entry = (id: string, title: string) => ({
    id,
    title,
    description: 'Copies **tables** nightly.\n\n<script>alert(1)</script>',
    version: '1.0.0',
    category: 'etl',
    tags: ['postgres', 's3'],
    status: 'stable',
    source: { path: 'dags/postgres_to_s3.py' },
    sha256,
    providers: [{ name: 'apache-airflow-providers-postgres', version: '>=5.10' }],
    connections: [{ id: 'postgres_default', type: 'postgres' }],
    variables: [{ name: 'export_bucket' }],
  });
  writeFileSync(path.join(root, 'hangar-catalog.json'), JSON.stringify({ entries: [entry('postgres-to-s3', 'Postgres to S3'), entry('sneaky', XSS_TITLE)] }, null, 2));
  const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
  for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-q', '-m', 'catalog']]) execFileSync('git', args, { cwd: root, env });
  return root;
}

suite('Marketplace', () => {
  let api: HangarApi;
  let scratch: string;
  const reports: RenderReport[] = [];

  const nextReport = (predicate: (r: RenderReport) => boolean): Promise<RenderReport> => {
    const from = reports.length;
    return waitFor('the marketplace webview to render', () => reports.slice(from).find(predicate), 30_000);
  };

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>('hangar-dev.hangar');
    assert.ok(extension);
    api = await extension.activate();
    api.marketplace.onDidRender((r) => reports.push(r));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-market-editor-'));
    const catalog = buildCatalog(scratch);
    await vscode.workspace.getConfiguration('hangar').update('marketplace.catalogs', [{ name: 'team', url: `file://${catalog}` }], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('hangar').update('marketplace.catalogs', undefined, vscode.ConfigurationTarget.Global);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('opens the marketplace and searches the catalog; an HTML title is shown as text', async () => {
    const opened = Date.now();
    const first = nextReport((r) => r.view === 'list');
    await vscode.commands.executeCommand('hangar.openMarketplace');
    const shown = await first;
    assert.ok(shown.titles.length > 0, `the catalog is listed (problems: ${shown.problems?.join('; ') || 'none'})`);
    reportMetric('marketplaceFirstListMs', Date.now() - opened);
    const searched = nextReport((r) => r.view === 'list');
    api.marketplace.show({ list: { text: 'postgres' } });
    const list = await searched;
    assert.ok(list.titles.includes('Postgres to S3'), list.titles.join(' | '));
    assert.ok(list.titles.includes(XSS_TITLE), 'the title is the literal text, markup included');
    assert.equal(list.images, 0, 'no <img> element was created from the title');
    await screenshot('marketplace-list');
  });

  test('opens an entry page', async () => {
    const rendered = nextReport((r) => r.view === 'entry' && r.entryId === 'team/postgres-to-s3');
    api.marketplace.show({ entry: 'team/postgres-to-s3' });
    const page = await rendered;
    assert.deepEqual(page.titles, ['Postgres to S3']);
    assert.equal(page.images, 0);
    await screenshot('marketplace-entry');
  });

  test('shows the entry with an HTML title as text on its page', async () => {
    const rendered = nextReport((r) => r.view === 'entry' && r.entryId === 'team/sneaky');
    api.marketplace.show({ entry: 'team/sneaky' });
    const page = await rendered;
    assert.deepEqual(page.titles, [XSS_TITLE]);
    assert.equal(page.images, 0);
  });

  test('installs an entry into a repository folder of the workspace', async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace);
    const repoRoot = path.join(workspace, 'company-workflows');
    api.marketplace.presetTarget = { repoRoot, folder: 'dags/marketplace' };
    const started = Date.now();
    const result = await api.marketplace.install('team/postgres-to-s3');
    reportMetric('marketplaceInstallMs', Date.now() - started);
    assert.ok(result);
    const installed = path.join(repoRoot, 'dags', 'marketplace', 'postgres_to_s3.py');
    assert.ok(existsSync(installed), `${installed} exists`);
    assert.equal(readFileSync(installed, 'utf8'), DAG);
    assert.match(readFileSync(path.join(repoRoot, 'requirements.txt'), 'utf8'), /apache-airflow-providers-postgres>=5\.10/);
    assert.deepEqual(result.checklist.connections.map((c) => c.id), ['postgres_default']);
    const rendered = nextReport((r) => r.view === 'entry' && r.entryId === 'team/postgres-to-s3');
    api.marketplace.show({ entry: 'team/postgres-to-s3' });
    const page = await rendered;
    assert.deepEqual(page.checklist, ['Create connection postgres_default (postgres)', 'Create variable export_bucket'], 'the page shows the checklist');
    await screenshot('marketplace-installed');
  });
});

suite('Marketplace with the service', () => {
  let api: HangarApi;
  let scratch: string;
  let service: ChildProcess | undefined;
  let base = '';
  const reports: RenderReport[] = [];
  const REVIEW = 'Works well <img src=x onerror="document.title=2"> <script>alert(1)</script>';

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension<HangarApi>('hangar-dev.hangar');
    assert.ok(extension);
    api = await extension.activate();
    api.marketplace.onDidRender((r) => reports.push(r));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-market-service-'));
    const catalog = buildCatalog(scratch);
    const cli = path.join(extension.extensionPath, 'dist', 'cli', 'hangar.js');
    const db = path.join(scratch, 'market.db');
    const token = JSON.parse(execFileSync(process.execPath, [cli, 'market', 'admin', 'token', 'create', '--user', 'alice', '--db', db, '--json'], { encoding: 'utf8' })) as { token: string };
    const server = spawn(process.execPath, [cli, 'serve', '--marketplace', '--port', '0', '--db', db, '--catalog', `team=file://${catalog}`, '--verify-airflow', 'none'], { stdio: ['ignore', 'pipe', 'pipe'] });
    service = server;
    let output = '';
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    base = await waitFor(`the marketplace service to start (${output})`, () => /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1], 30_000);
    const write = (method: string, route: string, body: unknown) =>
      fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // A review and a rating need an install reported from the installation they name.
    const installation = randomUUID();
    assert.equal((await write('POST', '/api/v1/entries/team%2Fpostgres-to-s3/installs', { installation })).status, 200);
    assert.equal((await write('POST', '/api/v1/entries/team%2Fpostgres-to-s3/reviews', { text: REVIEW, installation })).status, 201);
    assert.equal((await write('PUT', '/api/v1/entries/team%2Fpostgres-to-s3/rating', { rating: 4, installation })).status, 200);
    const config = vscode.workspace.getConfiguration('hangar');
    await config.update('marketplace.catalogs', [{ name: 'team', url: `file://${catalog}` }], vscode.ConfigurationTarget.Global);
    await config.update('marketplace.serviceUrl', base, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('hangar.setMarketplaceToken', token.token);
  });

  suiteTeardown(async () => {
    service?.kill('SIGTERM');
    const config = vscode.workspace.getConfiguration('hangar');
    await config.update('marketplace.catalogs', undefined, vscode.ConfigurationTarget.Global);
    await config.update('marketplace.serviceUrl', undefined, vscode.ConfigurationTarget.Global);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('shows reviews from the service as text, with ratings (not catalog-only)', async () => {
    await vscode.commands.executeCommand('hangar.openMarketplace');
    const from = reports.length;
    api.marketplace.show({ entry: 'team/postgres-to-s3' });
    const page = await waitFor('the entry page with the service', () => reports.slice(from).find((r) => r.view === 'entry' && r.entryId === 'team/postgres-to-s3'), 30_000);
    assert.equal(page.mode, 'service');
    assert.deepEqual(page.reviews, [REVIEW], 'the review is the literal text, markup included');
    assert.equal(page.images, 0, 'no <img> element was created from the review');
  });

  test('reports installs with the installation id it keeps: installing twice counts once', async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace);
    api.marketplace.presetTarget = { repoRoot: path.join(workspace, 'company-workflows'), folder: 'dags/marketplace' };
    const installs = async (): Promise<number> => {
      const { stats } = (await (await fetch(`${base}/api/v1/stats`)).json()) as { stats: Record<string, { installs: number }> };
      return stats['team/postgres-to-s3']?.installs ?? 0;
    };
    const before = await installs();
    assert.ok(await api.marketplace.install('team/postgres-to-s3'));
    assert.ok(await api.marketplace.install('team/postgres-to-s3'));
    assert.equal(await installs(), before + 1);
  });
});

const GOOD_DAG = `"""Hourly ping."""
import pendulum
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("hourly_ping", schedule="@hourly", start_date=pendulum.datetime(2026, 1, 1)):
    EmptyOperator(task_id="ping")
`;
// Hangar's static analysis finds nothing wrong; Airflow's import fails on the start date.
const BROKEN_DAG = GOOD_DAG.replace('Hourly ping', 'Nightly export').replace('hourly_ping', 'nightly_export').replace('2026, 1, 1', '2026, 13, 1');

suite('Marketplace verification', () => {
  let api: HangarApi;
  let scratch: string;
  let askBeforeInstall: HangarApi['marketplace']['confirmUnverified'];
  const reports: RenderReport[] = [];
  const nextReport = (predicate: (r: RenderReport) => boolean): Promise<RenderReport> => {
    const from = reports.length;
    return waitFor('the marketplace webview to render', () => reports.slice(from).find(predicate), 60_000);
  };

  /** A catalog whose verification/ files come from "hangar market verify --write" on the harness's Airflow 3.3.2. */
  suiteSetup(async function () {
    this.timeout(600_000);
    const extension = vscode.extensions.getExtension<HangarApi>('hangar-dev.hangar');
    assert.ok(extension);
    api = await extension.activate();
    api.marketplace.onDidRender((r) => reports.push(r));
    askBeforeInstall = api.marketplace.confirmUnverified;
    scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-market-verify-'));
    const root = path.join(scratch, 'catalog');
    mkdirSync(path.join(root, 'dags'), { recursive: true });
    const entry = (id: string, text: string) => ({ id, title: `${id} entry`, version: '1.0.0', category: 'ops', source: { path: `dags/${id}.py` }, sha256: createHash('sha256').update(text).digest('hex') });
    writeFileSync(path.join(root, 'dags', 'good.py'), GOOD_DAG);
    writeFileSync(path.join(root, 'dags', 'broken.py'), BROKEN_DAG);
    writeFileSync(path.join(root, 'hangar-catalog.json'), JSON.stringify({ entries: [entry('good', GOOD_DAG), entry('broken', BROKEN_DAG)] }, null, 2));
    const python = process.env.HANGAR_AIRFLOW_PYTHON ?? path.join(extension.extensionPath, '.cache', 'airflow-venv', 'bin', 'python');
    assert.ok(existsSync(python), `the Airflow test environment is missing at ${python}: run the integration tests first (npm run test:integration) or set HANGAR_AIRFLOW_PYTHON`);
    const uv = path.join(path.dirname(python), 'uv');
    const cli = path.join(extension.extensionPath, 'dist', 'cli', 'hangar.js');
    const env = { ...process.env, HANGAR_VERIFY_PYTHONS: `3.3.2=${python}`, ...(existsSync(uv) ? { HANGAR_UV: uv } : {}), XDG_CACHE_HOME: path.join(scratch, 'cache') };
    const verified = await promisify(execFile)(process.execPath, [cli, 'market', 'verify', root, '--airflow', '3.3.2', '--write', '--json'], { env, maxBuffer: 16 * 1024 * 1024 }).catch(
      (error: { code?: number; stdout?: string; stderr?: string }) => {
        assert.equal(error.code, 1, `verify fails only because of the broken entry: ${error.stderr ?? ''}`);
        return { stdout: error.stdout ?? '' };
      },
    );
    assert.match(verified.stdout, /"state": "failed"/);
    const gitEnv = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid' };
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['commit', '-q', '-m', 'catalog with verification results']]) execFileSync('git', args, { cwd: root, env: gitEnv });
    await vscode.workspace.getConfiguration('hangar').update('marketplace.catalogs', [{ name: 'ops', url: `file://${root}` }], vscode.ConfigurationTarget.Global);
  });

  suiteTeardown(async () => {
    api.marketplace.confirmUnverified = askBeforeInstall;
    await vscode.workspace.getConfiguration('hangar').update('marketplace.catalogs', undefined, vscode.ConfigurationTarget.Global);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('the list shows each entry’s verification: verified, or what failed', async () => {
    await vscode.commands.executeCommand('hangar.openMarketplace');
    const rendered = nextReport((r) => r.view === 'list' && r.titles.includes('good entry'));
    api.marketplace.show({ list: { text: '' } });
    const list = await rendered;
    const rows = list.titles.map((title, i) => [title, list.verification?.[i]]);
    const ours = new Set(['broken entry', 'good entry']);
    assert.deepEqual(
      rows.filter(([title]) => ours.has(title!)),
      [
        ['broken entry', 'Failed on Airflow 3.3.2 (import error)'],
        ['good entry', 'Verified on Airflow 3.3.2'],
      ],
    );
    // The workspace's own starter catalog has no verification/ records: its entries say so.
    for (const [title, badge] of rows.filter(([title]) => !ours.has(title!))) assert.equal(badge, 'Not verified', title);
    await screenshot('marketplace-verification-list');
  });

  test('a broken entry’s page shows its import error and Airflow’s log', async () => {
    const rendered = nextReport((r) => r.view === 'entry' && r.entryId === 'ops/broken');
    api.marketplace.show({ entry: 'ops/broken' });
    const page = await rendered;
    assert.deepEqual(page.verification, ['Failed on Airflow 3.3.2 (import error)']);
    const [error, log] = page.verificationDetails ?? [];
    assert.equal(error, 'ValueError: month must be in 1..12 (line 6)');
    assert.match(log ?? '', /Traceback[\s\S]*File "dags\/broken\.py", line 6/);
    await screenshot('marketplace-verification-entry');
  });

  test('installing an entry that failed verification asks first, and installs after "Install anyway"', async () => {
    const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    assert.ok(workspace);
    const repoRoot = path.join(workspace, 'company-workflows');
    const installed = path.join(repoRoot, 'dags', 'verified', 'broken.py');
    api.marketplace.presetTarget = { repoRoot, folder: 'dags/verified' };
    const asked: VerificationStatus[] = [];
    api.marketplace.confirmUnverified = async (_id, status) => (asked.push(status), false);
    assert.equal(await api.marketplace.install('ops/broken'), undefined, 'declined: nothing installed');
    assert.equal(existsSync(installed), false);
    assert.equal(asked[0]?.headline, 'Failed on Airflow 3.3.2 (import error)');
    api.marketplace.confirmUnverified = async (_id, status) => (asked.push(status), true);
    assert.ok(await api.marketplace.install('ops/broken'));
    assert.equal(readFileSync(installed, 'utf8'), BROKEN_DAG);
    assert.equal(asked.length, 2);
    assert.ok(await api.marketplace.install('ops/good'));
    assert.equal(asked.length, 2, 'a verified entry installs without asking');
  });
});
