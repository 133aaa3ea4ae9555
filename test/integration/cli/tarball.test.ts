/**
 * The `hangar` CLI as users install it: the npm tarball of the built package (`npm pack`), installed with
 * `npm install -g --ignore-scripts` into a scratch prefix. --ignore-scripts stands in for a machine without build
 * tools: better-sqlite3 lands uncompiled. Every command but the marketplace service must work there, and the
 * bundle must also run from its files alone, with no node_modules at all (the layout inside the VSIX).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';
import { REPO_ROOT } from '../../support/venv';

const { version } = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
const npm = (cwd: string, ...args: string[]): string => execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

interface PackedFile {
  path: string;
}

describe('the CLI tarball, installed without build tools', () => {
  let scratch: string;
  let packed: string[];
  let installedPackage: string;
  let hangarBin: string;

  before(() => {
    assert.ok(existsSync(path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js')), 'dist/cli/hangar.js is missing: build first (node esbuild.mjs)');
    scratch = tempDir('tarball');
    // --ignore-scripts: pack the dist/ this run built, without the prepack production rebuild under other tests.
    const [report] = JSON.parse(npm(REPO_ROOT, 'pack', '--ignore-scripts', '--json', '--pack-destination', scratch)) as { filename: string; files: PackedFile[] }[];
    packed = report!.files.map((f) => f.path).sort();
    npm(scratch, 'install', '--global', '--prefix', path.join(scratch, 'prefix'), '--ignore-scripts', '--prefer-offline', path.join(scratch, report!.filename));
    installedPackage = path.join(scratch, 'prefix', 'lib', 'node_modules', 'hangar');
    hangarBin = path.join(scratch, 'prefix', 'bin', 'hangar');
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  const hangar = (cwd: string, ...args: string[]) => spawnSync(hangarBin, args, { cwd, encoding: 'utf8' });

  test('holds the CLI bundle, the grammar and the Python helpers, and pulls in no library the bundle already carries', () => {
    for (const file of ['dist/cli/hangar.js', 'dist/cli/hangarCheck.js', 'dist/cli/hangarAll.js', 'dist/cli/checkWorker.js', 'dist/wasm/tree-sitter.wasm', 'dist/wasm/tree-sitter-python.wasm', 'dist/python/hangar_dag_test.py', 'package.json', 'README.md', 'LICENSE']) {
      assert.ok(packed.includes(file), `${file} is in the tarball (it holds: ${packed.join(', ')})`);
    }
    const stray = packed.filter((file) => !/^(dist\/(cli|wasm|python)\/[^/]+|package\.json|README\.md|LICENSE|CHANGELOG\.md)$/.test(file) || file.endsWith('.map'));
    assert.deepEqual(stray, [], 'only the CLI travels in the tarball');
    const installed = readdirSync(path.join(installedPackage, 'node_modules'));
    assert.ok(installed.includes('better-sqlite3'), 'the optional native module is installed (uncompiled here)');
    for (const bundled of ['commander', 'simple-git', 'web-tree-sitter', 'tree-sitter-wasms', 'vscode-languageserver', 'yaml']) {
      assert.ok(!installed.includes(bundled), `${bundled} is bundled into dist/cli and must not be installed again`);
    }
    assert.ok(!existsSync(path.join(installedPackage, 'node_modules', 'better-sqlite3', 'build')), 'better-sqlite3 stayed uncompiled, as on a machine without build tools');
  });

  test('hangar --version, check and repos sync/list work without the native module', () => {
    const versionRun = hangar(scratch, '--version');
    assert.equal(versionRun.status, 0, versionRun.stderr);
    assert.equal(versionRun.stdout.trim(), version);

    const broken = hangar(REPO_ROOT, 'check', 'examples/community-dags');
    assert.equal(broken.status, 1, broken.stderr);
    assert.match(broken.stdout, /duplicate_task_ids\.py:\d+:\d+: HGR005 error/);
    assert.match(broken.stdout, /cyclic_dependencies\.py:\d+:\d+: HGR007 error/);
    const clean = hangar(REPO_ROOT, 'check', 'examples/community-dags/dags/customer_features.py');
    assert.equal(clean.status, 0, `${clean.stdout}\n${clean.stderr}`);

    const workspace = path.join(scratch, 'workspace');
    const remote = createRemote(path.join(scratch, 'remotes'), 'team', { 'dags/orders.py': dagSource('tarball_orders'), 'dags/billing.py': dagSource('tarball_billing') });
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'airflow-repos.yaml'), `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: main\n`);
    const sync = hangar(workspace, 'repos', 'sync');
    assert.equal(sync.status, 0, `${sync.stdout}\n${sync.stderr}`);
    const list = hangar(workspace, 'repos', 'list');
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /^team\tbranch main\t[0-9a-f]{7,}\t2 DAGs\t/m);
  });

  test('the bundle runs from its files alone, with no node_modules anywhere above it (as in the VSIX)', () => {
    const bare = path.join(scratch, 'bare-cli', 'extension'); // under /tmp: no node_modules above it
    cpSync(path.join(installedPackage, 'dist'), path.join(bare, 'dist'), { recursive: true });
    const run = spawnSync(process.execPath, [path.join(bare, 'dist', 'cli', 'hangar.js'), 'check', 'examples/community-dags/dags/customer_features.py'], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /No problems in 1 file/);
  });

  test('hangar serve --marketplace says what it needs instead of crashing', () => {
    const run = hangar(scratch, 'serve', '--marketplace', '--port', '0', '--db', path.join(scratch, 'market.db'), '--catalog', `demo=${scratch}`);
    assert.equal(run.status, 2, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stderr, /native module better-sqlite3, which is installed but was never compiled/);
    assert.match(run.stderr, /Every other hangar command works without it/);
    assert.match(run.stderr, /build-essential/);
    assert.ok(!existsSync(path.join(scratch, 'market.db')), 'nothing is written when the service cannot start');
  });
});
