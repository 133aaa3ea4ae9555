import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test, type TestContext } from 'node:test';
import { shippedCli } from '../../support/cli';
import { DagRepo, dagSource, scratch } from './fixtures';

/** Mounts a tmpfs of `size` on `dir` (root only). Elsewhere the test is skipped, and fails under CI=true. */
function mountTmpfs(t: TestContext, dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch (error) {
    const reason = `cannot mount a size-limited tmpfs (needs root): ${(error as Error).message.split('\n')[0]}`;
    if (process.env.CI === 'true') throw new Error(reason);
    t.skip(reason);
    return false;
  }
}

/** What a deploy must leave untouched when it fails: the links, the history and the releases; and no temporary files. */
function targetState(dags: string, namespaces: readonly string[]) {
  const state = path.join(dags, '.hangar');
  return {
    links: namespaces.map((ns) => readlinkSync(path.join(dags, ns))),
    history: readFileSync(path.join(state, 'history.json'), 'utf8'),
    releases: readdirSync(path.join(state, 'releases')).sort(),
    tmp: existsSync(path.join(state, 'tmp')) ? readdirSync(path.join(state, 'tmp')) : [],
  };
}

describe('a failed folder deploy cleans up after itself (real CLI)', () => {
  let hangar: string;
  before(async () => {
    hangar = shippedCli();
  });
  const deploy = (cwd: string) => spawnSync(process.execPath, [hangar, 'deploy', '--env', 'dev', '--no-verify'], { cwd, encoding: 'utf8' });

  test('running out of disk space while exporting: non-zero exit, links, history and releases unchanged, nothing left behind', (t) => {
    const root = scratch('enospc');
    const repo = new DagRepo(root, 'team');
    repo.commit({ 'orders.py': dagSource('orders', 'one') });
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    if (!mountTmpfs(t, dags, '2m')) return;
    try {
      writeFileSync(path.join(root, 'airflow-repos.yaml'), 'repositories:\n  - name: team\n    url: ./team\n    path: team\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n');
      assert.equal(deploy(root).status, 0);
      const before = targetState(dags, ['team']);

      // 4 MB of data next to the DAG: more than the 2 MB folder holds.
      repo.commit({ 'orders.py': dagSource('orders', 'two'), 'data/lookup.bin': randomBytes(4 * 1024 * 1024).toString('base64') });
      const failed = deploy(root);
      assert.notEqual(failed.status, 0, failed.stdout);
      assert.match(failed.stderr, /No space left on device|ENOSPC/);
      assert.deepEqual(targetState(dags, ['team']), { ...before, tmp: [] });

      // The space is free again: the next deploy fits and goes live.
      const commit = repo.commit({ 'orders.py': dagSource('orders', 'three'), 'data/lookup.bin': null });
      const next = deploy(root);
      assert.equal(next.status, 0, next.stderr);
      assert.match(readlinkSync(path.join(dags, 'team')), new RegExp(`team-${commit.slice(0, 12)}$`));
    } finally {
      execFileSync('umount', [dags]);
    }
  });

  test('a deploy that fails after writing its releases (one namespace cannot be switched) puts the others back and removes them', () => {
    const root = scratch('switch-fails');
    const team = new DagRepo(root, 'team');
    const extra = new DagRepo(root, 'extra');
    team.commit({ 'orders.py': dagSource('orders', 'one') });
    extra.commit({ 'sales.py': dagSource('sales', 'one') });
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    writeFileSync(
      path.join(root, 'airflow-repos.yaml'),
      'repositories:\n  - name: team\n    url: ./team\n    path: team\n    branch: main\n  - name: extra\n    url: ./extra\n    path: extra\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n',
    );
    assert.equal(deploy(root).status, 0);
    // Someone replaced the `extra` link by a folder of their own: Hangar must not overwrite it.
    rmSync(path.join(dags, 'extra'));
    mkdirSync(path.join(dags, 'extra'));
    writeFileSync(path.join(dags, 'extra', 'theirs.py'), '# not Hangar\'s\n');
    const before = { ...targetState(dags, ['team']), theirs: readdirSync(path.join(dags, 'extra')) };

    team.commit({ 'orders.py': dagSource('orders', 'two') });
    extra.commit({ 'sales.py': dagSource('sales', 'two') });
    const failed = deploy(root);
    assert.notEqual(failed.status, 0, failed.stdout);
    assert.match(failed.stderr, /exists and is not a Hangar link/);
    assert.deepEqual({ ...targetState(dags, ['team']), theirs: readdirSync(path.join(dags, 'extra')) }, { ...before, tmp: [] });
  });
});
