import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { VerificationStatus } from '../../../server/src/market/verify/types';
import { airflowPythonOrSkip, prerequisite } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { gitRepo, scratch, sha256 } from './catalogRepos';
import { runMarketCli } from './marketCli';
import { BROKEN_DAG, BROKEN_ERROR, GOOD_DAG, harnessTools, serveCatalog, verifyCatalogFiles, type ServedCatalog } from './verifyCatalogs';

const GOOD = encodeURIComponent('team/good');

/**
 * The real marketplace service (`hangar serve --marketplace`, SQLite) reading a catalog over git smart HTTP, with its
 * verification worker on Airflow 3.3.2 (the test harness's interpreter, reused through HANGAR_VERIFY_PYTHONS).
 */
describe('marketplace service: verification worker, badges that follow the file, ratings only from installs', () => {
  const { dir, cleanup } = scratch('verify-service');
  const db = path.join(dir, 'market.db');
  let catalog: ServedCatalog | undefined;
  let service: ChildProcess | undefined;
  let log = '';
  let base = '';
  let env: Record<string, string> = {};
  const tokens: Record<string, string> = {};

  const get = async <T>(route: string): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${base}${route}`);
    return { status: response.status, body: (await response.json()) as T };
  };
  const write = async (method: string, route: string, token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }> => {
    const response = await fetch(`${base}${route}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const verificationOf = async (id: string): Promise<VerificationStatus> => (await get<{ verification: VerificationStatus }>(`/api/v1/entries/${encodeURIComponent(id)}`)).body.verification;
  /** Polls until `done` holds (a verification takes a while on two busy cores), keeping every status seen. */
  const until = async (what: string, id: string, done: (s: VerificationStatus) => boolean, seen: VerificationStatus[] = []): Promise<VerificationStatus> => {
    const deadline = Date.now() + 600_000;
    for (;;) {
      const status = await verificationOf(id);
      seen.push(status);
      if (done(status)) return status;
      if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(status)}\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };

  before(async () => {
    const python = await airflowPythonOrSkip();
    if (!python) return;
    catalog = await serveCatalog(
      dir,
      verifyCatalogFiles([
        { id: 'good', file: 'dags/good.py', text: GOOD_DAG },
        { id: 'broken', file: 'dags/broken.py', text: BROKEN_DAG },
      ]),
    );
    const tools = harnessTools(python);
    env = { ...catalog.env, ...tools.uv, ...tools.reuse };
    for (const user of ['alice', 'bob', 'root']) {
      const created = await runMarketCli(dir, ['market', 'admin', 'token', 'create', '--user', user, '--db', db, '--json', ...(user === 'root' ? ['--admin'] : [])]);
      assert.equal(created.code, 0, created.stderr);
      tokens[user] = (JSON.parse(created.stdout) as { token: string }).token;
    }
    const args = ['serve', '--marketplace', '--port', '0', '--db', db, '--config', catalog.config, '--verify-airflow', '3.3.2', '--catalog-refresh', '0.05'];
    service = spawn(process.execPath, [shippedCli(), ...args], { cwd: dir, env: { ...process.env, ...env, XDG_CACHE_HOME: path.join(dir, 'service-cache') }, stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
    base = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the service did not start in 60 s:\n${log}`)), 60_000);
      service!.stdout!.on('data', () => {
        const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(log);
        if (!match?.[1]) return;
        clearTimeout(timer);
        resolve(match[1]);
      });
      service!.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${log}`)));
    });
  });

  after(async () => {
    service?.kill('SIGTERM');
    await catalog?.server.close();
    cleanup();
  });

  it('verifies new entries in its worker while it keeps answering requests', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const seen: VerificationStatus[] = [];
    let answeredWhileVerifying = 0;
    const good = await until('team/good verified', 'team/good', (s) => {
      if (s.state === 'pending') answeredWhileVerifying++;
      return s.state === 'verified';
    }, seen);
    assert.ok(answeredWhileVerifying > 0, 'entry pages were served while the worker was verifying');
    assert.equal(good.headline, 'Verified on Airflow 3.3.2');
    assert.deepEqual([good.sha256, good.source, good.record?.results[0]?.packages?.['apache-airflow']], [sha256(GOOD_DAG), 'service', '3.3.2']);
    const broken = await until('team/broken failed', 'team/broken', (s) => s.state === 'failed');
    assert.equal(broken.headline, 'Failed on Airflow 3.3.2 (import error)');
    assert.match(broken.record?.results[0]?.log ?? '', new RegExp(BROKEN_ERROR), 'the entry page gets the log');
    const list = await get<{ verifications: Record<string, VerificationStatus> }>('/api/v1/verifications');
    assert.deepEqual(Object.fromEntries(Object.entries(list.body.verifications).map(([id, s]) => [id, s.state])), { 'team/good': 'verified', 'team/broken': 'failed' });
    assert.equal(list.body.verifications['team/broken']?.record?.results[0]?.log, undefined, 'lists carry no logs');
    const info = await runMarketCli(dir, ['market', 'info', 'team/broken', '--config', catalog!.config], { ...env, HANGAR_MARKET_URL: base });
    assert.match(info.stdout, /verification: Failed on Airflow 3\.3\.2 \(import error\) \(\d{4}-\d\d-\d\d, sha256 [0-9a-f]{64}, by the marketplace service/);
  });

  it('refuses a rating or review without an install of the entry from that installation (403), and accepts it after one', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const aliceInstallation = randomUUID();
    for (const [method, route, body] of [
      ['PUT', `/api/v1/entries/${GOOD}/rating`, { rating: 5 }],
      ['PUT', `/api/v1/entries/${GOOD}/rating`, { rating: 5, installation: aliceInstallation }],
      ['POST', `/api/v1/entries/${GOOD}/reviews`, { text: 'never installed it', installation: aliceInstallation }],
    ] as const) {
      const refused = await write(method, route, tokens.alice!, body);
      assert.equal(refused.status, 403, `${method} ${route} ${JSON.stringify(body)}`);
      assert.match(String(refused.body.error), /needs an install of this entry: install it with Hangar from this installation/);
    }
    assert.equal((await write('POST', `/api/v1/entries/${GOOD}/installs`, tokens.alice!, { installation: aliceInstallation })).status, 200);
    const borrowed = await write('PUT', `/api/v1/entries/${GOOD}/rating`, tokens.bob!, { rating: 1, installation: aliceInstallation });
    assert.equal(borrowed.status, 403, "another user's installation id does not count");
    assert.equal((await write('PUT', `/api/v1/entries/${GOOD}/rating`, tokens.alice!, { rating: 5, installation: aliceInstallation })).status, 200);
    assert.equal((await write('POST', `/api/v1/entries/${GOOD}/reviews`, tokens.alice!, { text: 'works', installation: aliceInstallation })).status, 201);
    const other = await write('PUT', `/api/v1/entries/${encodeURIComponent('team/broken')}/rating`, tokens.alice!, { rating: 2, installation: aliceInstallation });
    assert.equal(other.status, 403, 'an install of one entry does not count for another');

    const cliEnv = { ...env, HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: tokens.bob! };
    const early = await runMarketCli(dir, ['market', 'rate', 'team/good', '4', '--config', catalog!.config], cliEnv);
    assert.equal(early.code, 2);
    assert.match(early.stderr, /a rating needs an install of this entry.*\(HTTP 403\)/);
    const repo = gitRepo(dir, 'bob-repo', { 'README.md': 'DAGs\n' });
    const installed = await runMarketCli(dir, ['market', 'install', 'team/good', '--config', catalog!.config, '--repo', repo], cliEnv);
    assert.equal(installed.code, 0, installed.stderr);
    const rated = await runMarketCli(dir, ['market', 'rate', 'team/good', '4', '--config', catalog!.config, '--json'], cliEnv);
    assert.equal(rated.code, 0, rated.stderr);
    assert.deepEqual(JSON.parse(rated.stdout), { rating: 4.5, ratings: 2, installs: 2 });
  });

  it('shows an admin why an install count changed: installations by version and date, and who reported them', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const audit = await runMarketCli(dir, ['market', 'admin', 'installs', '--entry', 'team/good', '--json'], { HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: tokens.root! });
    assert.equal(audit.code, 0, audit.stderr);
    const body = JSON.parse(audit.stdout) as { installs: number; installations: { version: string; firstSeenAt: string; reportedBy: string[] }[] };
    assert.equal(body.installs, 2);
    assert.deepEqual(body.installations.map((i) => [i.version, i.reportedBy]), [['1.0.0', ['alice']], ['1.0.0', ['bob']]]);
    assert.ok(body.installations.every((i) => !Number.isNaN(Date.parse(i.firstSeenAt))));
    const text = await runMarketCli(dir, ['market', 'admin', 'installs', '--entry', 'team/good'], { HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: tokens.root! });
    assert.match(text.stdout, /^team\/good: 2 install\(s\)\nversion 1\.0\.0: 2 installation\(s\)\n {2}\d{4}-\d\d-\d\d \d\d:\d\d {2}[0-9a-f-]{36} {2}reported by alice\n/);
    const notAdmin = await runMarketCli(dir, ['market', 'admin', 'installs', '--entry', 'team/good'], { HANGAR_MARKET_URL: base, HANGAR_MARKET_TOKEN: tokens.bob! });
    assert.match(notAdmin.stderr, /only an admin token can read the install audit \(HTTP 403\)/);
  });

  it('a changed file loses its badge until the worker has verified the new file', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const changed = `${GOOD_DAG}\n# changed in the catalog\n`;
    writeFileSync(path.join(catalog!.clone, 'dags', 'good.py'), changed);
    const indexed = await runMarketCli(dir, ['market', 'index', catalog!.clone, '--write'], env);
    assert.equal(indexed.code, 0, indexed.stderr);
    catalog!.push('change the good DAG');
    const seen: VerificationStatus[] = [];
    const again = await until('team/good verified again', 'team/good', (s) => s.sha256 === sha256(changed) && s.state === 'verified', seen);
    const forNewFile = seen.filter((s) => s.sha256 === sha256(changed));
    assert.notEqual(forNewFile[0]?.state, 'verified', 'the old result was not shown for the new file');
    // Before the new file's run: "stale" while the old catalog is still loaded, then "pending" once it is queued.
    assert.ok(forNewFile.every((s) => (s.state === 'verified' ? s.record?.sha256 === sha256(changed) : ['stale', 'pending'].includes(s.state))), JSON.stringify(forNewFile.map((s) => s.state)));
    assert.equal(again.record?.sha256, sha256(changed));
  });
});
