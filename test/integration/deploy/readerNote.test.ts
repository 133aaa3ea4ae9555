import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { airflowPythonOrSkip, REPO_ROOT } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { DagRepo, dagSource, scratch } from './fixtures';

/**
 * An `apache-airflow-core` distribution whose LocalDagBundle takes `pin_symlink_on_refresh`. No Airflow release that
 * installs here has it yet (3.3.2, 3.4.0b2), so this stand-in plays the future release: only its metadata and the
 * bundle's source exist, which is all Hangar reads (it never imports Airflow).
 */
function futureAirflow(site: string): void {
  const info = path.join(site, 'apache_airflow_core-3.9.0.dist-info');
  const local = path.join(site, 'airflow', 'dag_processing', 'bundles', 'local.py');
  mkdirSync(info, { recursive: true });
  mkdirSync(path.dirname(local), { recursive: true });
  writeFileSync(path.join(info, 'METADATA'), 'Metadata-Version: 2.1\nName: apache-airflow-core\nVersion: 3.9.0\n');
  writeFileSync(path.join(info, 'RECORD'), 'airflow/dag_processing/bundles/local.py,,\napache_airflow_core-3.9.0.dist-info/METADATA,,\n');
  writeFileSync(local, 'class LocalDagBundle:\n    def __init__(self, *, path=None, pin_symlink_on_refresh: bool = False, **kwargs):\n        self.pin = pin_symlink_on_refresh\n');
}

describe("folder deploys say how the Airflow environment's LocalDagBundle reads the namespace links (real CLI)", () => {
  let hangar: string;
  let root: string;
  before(async () => {
    hangar = shippedCli();
    // The CLI finds its Python helpers in ../python, as dist/cli finds dist/python.
    cpSync(path.join(REPO_ROOT, 'server', 'python'), path.join(path.dirname(hangar), '..', 'python'), { recursive: true });
    root = scratch('reader-note');
    new DagRepo(root, 'team').commit({ 'orders.py': dagSource('orders', 'one') });
    mkdirSync(path.join(root, 'dags'));
    writeFileSync(path.join(root, 'airflow-repos.yaml'), 'repositories:\n  - name: team\n    url: ./team\n    path: team\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n');
  });
  const deploy = (env: Record<string, string>) => spawnSync(process.execPath, [hangar, 'deploy', '--env', 'dev', '--no-verify'], { cwd: root, encoding: 'utf8', env: { ...process.env, ...env } });

  test('an Airflow whose LocalDagBundle has pin_symlink_on_refresh: the deploy recommends it', () => {
    const site = path.join(root, 'future-site');
    futureAirflow(site);
    const result = deploy({ HANGAR_PYTHON: 'python3', PYTHONPATH: site });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /Airflow 3\.9\.0 can pin a link once per refresh: declare a LocalDagBundle with pin_symlink_on_refresh=True on \S+dags\/team/);
  });

  test('the Airflow installed here (without it): the deploy says a scan spanning the switch can mix releases', async (t) => {
    const python = await airflowPythonOrSkip(t);
    if (!python) return;
    const result = deploy({ HANGAR_PYTHON: python });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stderr, /Airflow 3\.\d+\.\d+\S* opens every file through \S+dags\/team: a DAG-processor scan that spans this switch can read files of both releases/);
  });
});
