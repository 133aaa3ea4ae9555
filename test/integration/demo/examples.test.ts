/**
 * examples/ as the demo uses it: the environments and the catalog of its airflow-repos.yaml, the starter catalog's
 * templates (valid index, clean scan, imported by Airflow's own DagBag), and the release history the demo deploys
 * from (tagged releases that pass the gate, a main branch the gate blocks).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import { catalogsFromReposFile } from '../../../server/src/market/config';
import { checkCatalog } from '../../../server/src/market/indexer';
import { Marketplace } from '../../../server/src/market/marketplace';
import { airflowPythonOrSkip, dagbagImport } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { REPO_ROOT } from '../../support/venv';

const EXAMPLES = path.join(REPO_ROOT, 'examples');
const CONFIG = path.join(EXAMPLES, 'airflow-repos.yaml');
const CATALOG = path.join(EXAMPLES, 'dag-catalog');

describe('the sample workspace (examples/)', () => {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-examples-'));
  after(() => rmSync(scratch, { recursive: true, force: true }));

  test('airflow-repos.yaml has staging and prod, each a DAGs folder read by an Airflow 3, and the starter catalog', () => {
    const config = loadConfigFile(CONFIG);
    assert.deepEqual(config.environments.map((e) => e.name), ['staging', 'prod']);
    for (const env of config.environments) {
      assert.equal(env.target.kind, 'folder');
      assert.equal(env.airflow?.version, 3);
      assert.match(env.airflow?.url ?? '', /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(env.repositories, ['company-workflows']);
    }
    assert.deepEqual(catalogsFromReposFile(CONFIG), [{ name: 'starter', path: CATALOG, ref: undefined }]);
  });

  test('the starter catalog: a valid index with fresh sha256 values, and every template passes the scan', async () => {
    const report = checkCatalog(CATALOG);
    assert.deepEqual(report.problems, []);
    assert.equal(report.format, 'hangar');
    assert.ok(report.entries >= 4 && report.entries <= 6, `${report.entries} templates`);
    const market = await Marketplace.load([{ name: 'starter', path: CATALOG }]);
    assert.deepEqual(market.problems, []);
    for (const { entry } of market.find({ limit: 100 }).hits) {
      const details = await market.details(entry.id);
      assert.deepEqual(details.findings.map((f) => `${f.ruleId} line ${f.range.start.line + 1}: ${f.message}`), [], `${entry.id} has findings`);
      assert.equal(details.badge, 'passed', entry.id);
      assert.ok(details.tasks.length > 0, `${entry.id} has tasks`);
      assert.ok(entry.description.length > 80, `${entry.id} says what it does`);
    }
  });

  test("every template imports in Airflow 3 (Airflow's own DagBag)", async (t) => {
    const python = await airflowPythonOrSkip(t);
    if (!python) return;
    const results = await dagbagImport(python, path.join(CATALOG, 'dags'));
    assert.ok(results.length >= 4);
    for (const result of results) {
      assert.equal(result.error, null, `${path.basename(result.file)}: ${result.summary}`);
      assert.ok(result.dag_ids.length > 0, `${path.basename(result.file)} defines a DAG`);
    }
  });

  test('the demo remotes: v1.0 and v1.1 pass the deploy gate, main adds the files broken on purpose', async () => {
    const workspace = path.join(scratch, 'workspace');
    cpSync(EXAMPLES, workspace, { recursive: true });
    execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'example-remotes.mjs'), workspace], { stdio: 'ignore' });
    const bare = path.join(workspace, '.remotes', 'company-workflows.git');
    const git = (...args: string[]) => execFileSync('git', ['--git-dir', bare, ...args], { encoding: 'utf8' }).trim();
    assert.deepEqual(git('tag', '--list').split('\n'), ['v1.0', 'v1.1']);
    assert.equal(git('rev-list', '--count', 'main'), '3');
    const hangar = shippedCli();
    const check = (ref: string) => {
      const tree = path.join(scratch, `tree-${ref}`);
      execFileSync('sh', ['-c', `mkdir -p "${tree}" && git --git-dir "${bare}" archive ${ref} | tar -x -C "${tree}"`]);
      return spawnSync(process.execPath, [hangar, 'check', 'dags'], { cwd: tree, encoding: 'utf8' });
    };
    for (const ref of ['v1.0', 'v1.1']) {
      const release = check(ref);
      assert.equal(release.status, 0, `${ref}: ${release.stdout}`);
    }
    const main = check('main');
    assert.equal(main.status, 1);
    assert.match(main.stdout, /broken_syntax\.py:\d+:\d+: HGR001 error/);
  });
});
