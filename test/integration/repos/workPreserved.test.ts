/**
 * Item 4 of issue 13: Hangar never discards work it did not create. A `path:` that holds the user's own
 * repository (uncommitted edits, untracked and ignored files) is refused, byte for byte untouched; a clone
 * Hangar made is never checked out over local changes; `--delete-clone` deletes only Hangar's clean clones.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfigFile } from '../../../server/src/config/load';
import type { RepositoryConfig } from '../../../server/src/config/types';
import { WorkWouldBeLost } from '../../../server/src/git/errors';
import { RepositoryStore } from '../../../server/src/repos/store';
import { syncRepository } from '../../../server/src/repos/sync';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, git, tempDir, type TestRemote } from '../../support/gitRepos';

/** Every file under `dir` with the sha256 of its bytes, and every folder; `.git` too unless `workTreeOnly`. */
function snapshot(dir: string, workTreeOnly = false): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (current: string): void => {
    for (const entry of readdirSync(current)) {
      if (workTreeOnly && current === dir && entry === '.git') continue;
      const full = path.join(current, entry);
      const relative = path.relative(dir, full);
      if (statSync(full).isDirectory()) {
        files[`${relative}/`] = 'dir';
        walk(full);
      } else files[relative] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

describe('Hangar never discards work it did not create', () => {
  let root: string;
  let remote: TestRemote;
  let hangar: string;

  before(async () => {
    root = tempDir('work');
    remote = createRemote(path.join(root, 'remotes'), 'team', { 'dags/orders.py': dagSource('orders'), '.gitignore': 'dags/generated.py\n' });
    hangar = shippedCli();
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  function repositoryAt(clonePath: string, workspace: string): { file: string; repository: RepositoryConfig } {
    mkdirSync(workspace, { recursive: true });
    const file = path.join(workspace, 'airflow-repos.yaml');
    writeFileSync(file, `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: main\n    path: ${JSON.stringify(clonePath)}\n`);
    const config = loadConfigFile(file);
    assert.deepEqual(config.errors, []);
    return { file, repository: config.repositories[0]! };
  }

  const cli = (file: string, ...args: string[]) =>
    promisify(execFile)(process.execPath, [hangar, ...args, '--config', file]).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (error: { code: number; stdout: string; stderr: string }) => error,
    );

  test('a path: holding the user\'s own repository with edits, untracked and ignored files is refused, every byte kept', async () => {
    const mine = path.join(root, 'my-checkout');
    git(root, 'clone', '--quiet', remote.bare, mine);
    git(mine, 'checkout', '--quiet', '-b', 'feature');
    writeFileSync(path.join(mine, 'dags', 'orders.py'), `${dagSource('orders')}# my uncommitted edit\n`);
    writeFileSync(path.join(mine, 'notes.txt'), 'untracked notes\n');
    writeFileSync(path.join(mine, 'dags', 'generated.py'), 'ignored but mine\n');
    remote.commit({ 'dags/billing.py': dagSource('billing') }, 'remote moved');
    const before = snapshot(mine);
    const { file, repository } = repositoryAt(mine, path.join(root, 'ws-mine'));

    const error = await syncRepository({ repository, storageDir: path.join(root, 'ws-mine', '.hangar') }).catch((e: unknown) => e);
    assert.ok(error instanceof WorkWouldBeLost, String(error));
    assert.match(error.message, /holds a Git repository Hangar did not clone.*point "path:" at a missing or empty folder/);
    const viaCli = await cli(file, 'repos', 'sync');
    assert.notEqual(viaCli.code, 0);
    assert.match(viaCli.stderr, /did not clone/);
    assert.doesNotMatch(viaCli.stdout, /cloned/);
    const removed = await cli(file, 'repos', 'remove', 'team', '--delete-clone');
    assert.notEqual(removed.code, 0, 'the clone was kept, and the command says so');
    assert.match(removed.stdout, /was not cloned by Hangar, so it was not deleted/);
    assert.deepEqual(snapshot(mine), before, 'every file, including .git, is byte for byte as it was');
    assert.equal(git(mine, 'rev-parse', '--abbrev-ref', 'HEAD'), 'feature');
  });

  test('a path: holding other files is refused; an empty folder is cloned into', async () => {
    const folder = path.join(root, 'not-a-clone');
    mkdirSync(folder);
    writeFileSync(path.join(folder, 'important.txt'), 'keep me\n');
    const { repository } = repositoryAt(folder, path.join(root, 'ws-folder'));
    await assert.rejects(syncRepository({ repository, storageDir: path.join(root, 'ws-folder', '.hangar') }), /already holds files and is not a clone Hangar made/);
    assert.deepEqual(readdirSync(folder), ['important.txt']);
    const empty = path.join(root, 'empty');
    mkdirSync(empty);
    const cloned = await syncRepository({ repository: repositoryAt(empty, path.join(root, 'ws-empty')).repository, storageDir: path.join(root, 'ws-empty', '.hangar') });
    assert.equal(cloned.result, 'synced');
  });

  test('a clone Hangar made is never checked out over local changes; git refuses to overwrite an ignored file', async () => {
    const clone = path.join(root, 'hangar-clone');
    const { repository } = repositoryAt(clone, path.join(root, 'ws-hangar'));
    const storageDir = path.join(root, 'ws-hangar', '.hangar');
    assert.equal((await syncRepository({ repository, storageDir })).result, 'synced');

    writeFileSync(path.join(clone, 'dags', 'orders.py'), `${dagSource('orders')}# local edit\n`);
    writeFileSync(path.join(clone, 'scratch.py'), 'untracked\n');
    remote.commit({ 'dags/orders.py': `${dagSource('orders')}# upstream change\n` }, 'upstream');
    const before = snapshot(clone, true);
    const refused = await syncRepository({ repository, storageDir }).catch((e: unknown) => e);
    assert.ok(refused instanceof WorkWouldBeLost, String(refused));
    assert.match(refused.message, /has local changes Hangar will not overwrite: M dags\/orders\.py, \?\? scratch\.py\. Commit, move or discard them yourself/);
    assert.deepEqual(snapshot(clone, true), before, 'the work tree is as it was (the fetch only added objects under .git)');
    assert.equal(new RepositoryStore(storageDir).history('team')[0]?.result, 'failed');

    git(clone, 'checkout', '--quiet', '--', 'dags/orders.py');
    unlinkSync(path.join(clone, 'scratch.py'));
    assert.equal((await syncRepository({ repository, storageDir })).result, 'synced', 'once the work is put away, sync goes on');

    writeFileSync(path.join(clone, 'dags', 'generated.py'), 'ignored, and mine\n');
    writeFileSync(path.join(remote.work, 'dags', 'generated.py'), dagSource('generated'));
    git(remote.work, 'add', '--force', 'dags/generated.py');
    git(remote.work, 'commit', '--quiet', '-m', 'track the generated file');
    git(remote.work, 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
    await assert.rejects(syncRepository({ repository, storageDir }), /generated\.py/);
    assert.equal(readFileSync(path.join(clone, 'dags', 'generated.py'), 'utf8'), 'ignored, and mine\n');
  });

  test('clones of Hangar 0.1.0 (no marker) in Hangar\'s storage are adopted; --delete-clone deletes only a clean Hangar clone', async () => {
    const workspace = path.join(root, 'ws-storage');
    mkdirSync(workspace);
    const file = path.join(workspace, 'airflow-repos.yaml');
    writeFileSync(file, `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: main\n`);
    assert.equal((await cli(file, 'repos', 'sync')).code, 0);
    const clone = path.join(workspace, '.hangar', 'clones', 'team');
    unlinkSync(path.join(clone, '.git', 'hangar-clone.json'));
    remote.commit({ 'dags/more.py': dagSource('more') }, 'more');
    const synced = await cli(file, 'repos', 'sync');
    assert.equal(synced.code, 0, synced.stderr);
    assert.ok(statSync(path.join(clone, '.git', 'hangar-clone.json')).isFile(), 'marked at the first sync');

    writeFileSync(path.join(clone, 'wip.py'), 'work in progress\n');
    const kept = await cli(file, 'repos', 'remove', 'team', '--delete-clone');
    assert.notEqual(kept.code, 0);
    assert.match(kept.stdout, /has local changes \(\?\? wip\.py\), so it was not deleted/);
    assert.equal(readFileSync(path.join(clone, 'wip.py'), 'utf8'), 'work in progress\n');
  });
});
