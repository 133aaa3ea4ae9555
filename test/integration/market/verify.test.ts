import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CatalogVerifyReport } from '../../../server/src/market/verify/catalogVerify';
import type { VersionResult } from '../../../server/src/market/verify/types';
import { airflowPythonOrSkip, prerequisite } from '../../support/airflow';
import { gitRepo, scratch, sha256 } from './catalogRepos';
import { runMarketCli } from './marketCli';
import { BROKEN_DAG, BROKEN_ERROR, FAILING_TASK_DAG, GOOD_DAG, HANG_DAG, harnessTools, HUGE_DAG, leakDag, netDag, serveCatalog, spawnDag, verifyCatalogFiles, writeDag, type ServedCatalog } from './verifyCatalogs';

/**
 * `hangar market verify` through the shipped CLI: real virtualenvs built with uv from the package index (a fresh
 * cache, so the first run per Airflow version is cold), the real Airflow 3.3.2 and 3.4.0b2, a catalog repository
 * served over git smart HTTP with basic auth, and the results pushed back the way the README's catalog CI does.
 */
describe('hangar market verify: entries imported in a sandbox on Airflow 3.3.2 and 3.4.0b2', () => {
  const { dir, cleanup } = scratch('verify');
  const outside = { written: path.join(dir, 'planted-outside.txt'), spawned: path.join(dir, 'spawned-outside.txt'), secret: path.join(dir, 'host-secret.txt') };
  const SECRET_TEXT = 'TOPSECRET-6d1f';
  const PROBE = 'probe-value-91fa';
  let catalog: ServedCatalog | undefined;
  let env: Record<string, string> = {};
  let listener: Server | undefined;
  let connections = 0;
  const long = { timeoutMs: 900_000 };

  before(async () => {
    const python = await airflowPythonOrSkip();
    if (!python) return;
    writeFileSync(outside.secret, SECRET_TEXT);
    listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    const port = await new Promise<number>((resolve) => listener!.listen(0, '127.0.0.1', () => resolve((listener!.address() as { port: number }).port)));
    catalog = await serveCatalog(
      dir,
      verifyCatalogFiles([
        { id: 'good', file: 'dags/good.py', text: GOOD_DAG, dagTest: true },
        { id: 'broken', file: 'dags/broken.py', text: BROKEN_DAG },
        { id: 'hang', file: 'dags/hang.py', text: HANG_DAG },
        { id: 'net', file: 'dags/net.py', text: netDag(port) },
        { id: 'write', file: 'dags/write.py', text: writeDag(outside.written) },
        { id: 'leak', file: 'dags/leak.py', text: leakDag(outside.secret) },
        { id: 'spawn', file: 'dags/spawn.py', text: spawnDag(outside.spawned) },
        { id: 'providers', file: 'dags/providers.py', text: GOOD_DAG.replace('Warehouse report', 'Needs a provider'), providers: [{ name: 'apache-airflow-providers-hangar-does-not-exist', version: '>=1.0' }] },
        { id: 'huge', file: 'dags/huge.py', text: HUGE_DAG },
        { id: 'failing', file: 'dags/failing.py', text: FAILING_TASK_DAG, dagTest: true },
      ]),
    );
    // The uv of the harness's venv keeps the test from installing uv; the venvs themselves are built cold.
    env = { ...catalog.env, ...harnessTools(python).uv, HANGAR_SECRET_PROBE: PROBE, HANGAR_MARKET_TOKEN: 'hgm_service-token-must-not-leak' };
  });

  after(async () => {
    listener?.close();
    await catalog?.server.close();
    cleanup();
  });

  const verify = async (entries: string[], extra: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ code: number; report: CatalogVerifyReport; stdout: string; stderr: string }> => {
    const run = await runMarketCli(dir, ['market', 'verify', catalog!.clone, ...entries.flatMap((e) => ['--entry', e]), ...extra, '--json'], { ...env, ...extraEnv }, long);
    assert.ok(run.stdout.startsWith('{'), `a JSON report (exit ${run.code}): ${run.stderr}`);
    return { code: run.code, report: JSON.parse(run.stdout) as CatalogVerifyReport, stdout: run.stdout, stderr: run.stderr };
  };
  const resultsOf = (report: CatalogVerifyReport, id: string): VersionResult[] => report.verified.find((v) => v.id === `maintainer/${id}`)!.record.results;

  it('verifies a good entry on both versions and records a broken one’s import error; CI pushes verification/, the CLI shows both over git smart HTTP', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const { code, report } = await verify(['good', 'broken'], ['--write']);
    assert.equal(code, 1, 'a failed entry fails the run');
    const good = report.verified.find((v) => v.id === 'maintainer/good')!;
    assert.equal(good.record.sha256, sha256(GOOD_DAG));
    assert.deepEqual(good.record.results.map((r) => [r.airflow, r.result]), [['3.3.2', 'passed'], ['3.4.0b2', 'passed']], JSON.stringify(good.record.results, null, 1));
    for (const result of good.record.results) {
      assert.equal(result.packages?.['apache-airflow'], result.airflow, 'the Airflow it ran on');
      assert.match(result.packages?.['apache-airflow-providers-standard'] ?? '', /^\d+\.\d+/, 'and the declared provider');
      assert.ok(result.parseMs !== undefined && result.parseMs > 0);
      assert.deepEqual(result.dagTests?.map((d) => [d.dagId, d.state, d.tasks.map((task) => task.state)]), [['warehouse_report', 'success', ['success', 'success']]], 'dag.test() with stubbed variable and connection');
    }
    for (const result of resultsOf(report, 'broken')) {
      assert.deepEqual([result.result, result.stage, result.line], ['failed', 'import', 6]);
      assert.match(result.error ?? '', new RegExp(BROKEN_ERROR));
      assert.match(result.log ?? '', /Traceback[\s\S]*File "dags\/broken\.py", line 6/, 'the log names the catalog file, not the sandbox');
    }
    assert.deepEqual(readdirSync(path.join(catalog!.clone, 'verification')).sort(), ['broken.json', 'good.json']);
    catalog!.push('verification results');

    const info = await runMarketCli(dir, ['market', 'info', 'team/good', '--config', catalog!.config], env);
    assert.equal(info.code, 0, info.stderr);
    assert.match(info.stdout, new RegExp(`verification: Verified on Airflow 3\\.3\\.2 and 3\\.4\\.0b2 \\(\\d{4}-\\d\\d-\\d\\d, sha256 ${sha256(GOOD_DAG)}, by the catalog's verification/ file`));
    assert.match(info.stdout, /Airflow 3\.4\.0b2: passed, parse \d+ ms, dag\.test\(\): warehouse_report success \[apache-airflow 3\.4\.0b2/);
    const broken = await runMarketCli(dir, ['market', 'info', 'team/broken', '--config', catalog!.config], env);
    assert.match(broken.stdout, /verification: Failed on Airflow 3\.3\.2 and 3\.4\.0b2 \(import error\)/);
    assert.match(broken.stdout, new RegExp(`${BROKEN_ERROR} \\(line 6\\)`));
  });

  it('installs an entry that failed verification only with --allow-unverified', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const repo = gitRepo(dir, 'repo', { 'README.md': 'DAGs\n' });
    const install = (...flags: string[]) => runMarketCli(dir, ['market', 'install', 'team/broken', '--config', catalog!.config, '--repo', repo, ...flags], env);
    const refused = await install();
    assert.equal(refused.code, 2, 'refused like every other install error');
    assert.match(refused.stderr, /refusing to install team\/broken: Failed on Airflow 3\.3\.2 and 3\.4\.0b2 \(import error\).*--allow-unverified/);
    assert.equal(existsSync(path.join(repo, 'dags', 'broken.py')), false, 'nothing written');
    const allowed = await install('--allow-unverified');
    assert.equal(allowed.code, 0, allowed.stderr);
    assert.equal(readFileSync(path.join(repo, 'dags', 'broken.py'), 'utf8'), BROKEN_DAG);
  });

  it('a changed file loses its badge: the record applies to the sha256 it verified', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const changed = `${GOOD_DAG}\n# changed after verification\n`;
    writeFileSync(path.join(catalog!.clone, 'dags', 'good.py'), changed);
    // The maintainer updates the index's sha256 (this catalog's huge entry keeps "index --write" from writing).
    const indexFile = path.join(catalog!.clone, 'hangar-catalog.json');
    writeFileSync(indexFile, readFileSync(indexFile, 'utf8').replace(sha256(GOOD_DAG), sha256(changed)));
    catalog!.push('change the good DAG without verifying it again');
    const info = await runMarketCli(dir, ['market', 'info', 'team/good', '--config', catalog!.config], env);
    assert.match(info.stdout, new RegExp(`verification: Not verified: the file changed since it was verified on \\d{4}-\\d\\d-\\d\\d \\(sha256 ${sha256(changed)}\\)`));
    const search = await runMarketCli(dir, ['market', 'search', '--config', catalog!.config, '--json'], env);
    const hits = (JSON.parse(search.stdout) as { hits: { id: string; verification: { state: string } }[] }).hits;
    assert.deepEqual(Object.fromEntries(hits.filter((h) => ['team/good', 'team/broken'].includes(h.id)).map((h) => [h.id, h.verification.state])), { 'team/good': 'stale', 'team/broken': 'failed' });

    const { report } = await verify(['good', 'broken'], ['--changed', '--airflow', '3.3.2']);
    assert.deepEqual([report.verified.map((v) => v.id), report.current], [['maintainer/good'], ['maintainer/broken']], '--changed verifies only the changed file');
    assert.equal(report.verified[0]!.record.sha256, sha256(changed));
  });

  for (const isolation of ['detected', 'audit-hook'] as const) {
    it(`refuses and reports network connections, writes, reads and programs at parse time (${isolation} isolation)`, async (t) => {
      if (!prerequisite(t, catalog, 'the Airflow harness')) return;
      const { report, stdout } = await verify(['net', 'write', 'leak', 'spawn'], ['--airflow', '3.3.2'], isolation === 'audit-hook' ? { HANGAR_VERIFY_ISOLATION: 'audit-hook' } : {});
      if (isolation === 'audit-hook') assert.ok(report.verified.every((v) => v.record.isolation === 'audit-hook'));
      const refusal = (id: string): string => {
        const [result] = resultsOf(report, id);
        assert.deepEqual([result!.result, result!.stage], ['failed', 'sandbox'], `${id}: ${JSON.stringify(result)}`);
        return result!.error ?? '';
      };
      assert.match(refusal('net'), /a network connection to \('127\.0\.0\.1', \d+\)/);
      assert.match(refusal('net'), /a name look-up of hangar-exfiltration\.invalid/);
      assert.equal(connections, 0, 'no connection reached the listener');
      assert.match(refusal('write'), new RegExp(`writing ${outside.written.replace(/[.]/g, '\\.')}`));
      assert.match(refusal('write'), /writing dags\/planted\.py/, 'its own catalog copy is read-only');
      assert.equal(existsSync(outside.written), false);
      assert.match(refusal('leak'), new RegExp(`reading ${outside.secret.replace(/[.]/g, '\\.')}`));
      assert.match(resultsOf(report, 'leak')[0]!.log ?? '', /no secret in the environment/, 'the environment was not inherited');
      assert.ok(!stdout.includes(SECRET_TEXT) && !stdout.includes(PROBE) && !stdout.includes('hgm_service-token'), 'no host secret in the published record');
      assert.match(refusal('spawn'), /starting a program: \/bin\/sh/);
      assert.equal(existsSync(outside.spawned), false);
    });
  }

  it('stops an import that hangs at the time limit and kills its process tree; the next entry is unaffected', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const { report } = await verify(['hang', 'broken'], ['--airflow', '3.3.2', '--timeout', '45']);
    const [hang] = resultsOf(report, 'hang');
    assert.deepEqual([hang!.result, hang!.stage], ['failed', 'timeout']);
    assert.match(hang!.error ?? '', /did not finish within 45 s; its whole process tree was killed/);
    const left = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dags/hang.py');
      } catch {
        return false;
      }
    });
    assert.deepEqual(left, [], 'no process of the hanging import is left');
    const [broken] = resultsOf(report, 'broken');
    assert.deepEqual([broken!.result, broken!.stage], ['failed', 'import'], 'the next entry gets its own verdict');
  });

  it('fails an entry whose providers cannot be installed, one over the size limit and one whose task fails in dag.test(), each clearly; a good entry still passes', async (t) => {
    if (!prerequisite(t, catalog, 'the Airflow harness')) return;
    const { report } = await verify(['providers', 'huge', 'failing', 'good'], ['--airflow', '3.3.2']);
    const [failing] = resultsOf(report, 'failing');
    assert.deepEqual([failing!.result, failing!.stage, failing!.error], ['failed', 'dag_test', 'dag.test() of flaky_export: Task load failed.']);
    assert.deepEqual(failing!.dagTests?.[0]?.tasks, [{ taskId: 'extract', state: 'success' }, { taskId: 'load', state: 'failed' }]);
    assert.match(failing!.log ?? '', /RuntimeError: warehouse rejected 1 row\(s\)/, "the failed task's log");
    const [providers] = resultsOf(report, 'providers');
    assert.deepEqual([providers!.result, providers!.stage], ['failed', 'providers']);
    assert.match(providers!.error ?? '', /apache-airflow-providers-hangar-does-not-exist>=1\.0 cannot be installed with Airflow 3\.3\.2/);
    assert.match(providers!.log ?? '', /hangar-does-not-exist/, "uv's own explanation");
    const [huge] = resultsOf(report, 'huge');
    assert.deepEqual([huge!.result, huge!.stage], ['failed', 'size']);
    assert.match(huge!.error ?? '', /dags\/huge\.py is 2\.\d MB, over Hangar's 1 MB limit/);
    assert.equal(report.verified.find((v) => v.id === 'maintainer/huge')!.record.sha256, sha256(HUGE_DAG), 'keyed by the file it refused');
    assert.equal(resultsOf(report, 'good')[0]!.result, 'passed');
  });
});
