/**
 * Issue 18 (git part): Add Repository lists the remote's tags, so a sync must bring them into the clone and
 * `hangar deploy --ref v1.0` must find them there — through the real CLI bundle.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, git, tempDir, type TestRemote } from '../../support/gitRepos';

let hangar: string;
let root: string;
let remote: TestRemote;

before(async () => {
  hangar = shippedCli();
  root = tempDir('tags');
  remote = createRemote(path.join(root, 'remotes'), 'team', { 'dags/orders.py': dagSource('orders', '# v1.0\n') });
  remote.tag('v1.0');
  remote.commit({ 'dags/orders.py': dagSource('orders', '# after v1.0\n') }, 'after the release');
});
after(() => rmSync(root, { recursive: true, force: true }));

test('after a sync of the branch, deploy --ref v1.0 deploys the tagged commit; a tag moved on the remote follows it', () => {
  const workspace = path.join(root, 'workspace');
  mkdirSync(path.join(workspace, 'dags'), { recursive: true });
  const config = path.join(workspace, 'airflow-repos.yaml');
  writeFileSync(config, `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n`);
  const run = (...args: string[]) => spawnSync(process.execPath, [hangar, ...args, '--config', config], { encoding: 'utf8', env: { ...process.env, HANGAR_USER: 'ci' } });

  const synced = run('repos', 'sync');
  assert.equal(synced.status, 0, synced.stderr);
  const deployed = run('deploy', '--env', 'dev', '--ref', 'v1.0', '--no-verify', '--json');
  assert.equal(deployed.status, 0, deployed.stderr);
  const record = JSON.parse(deployed.stdout) as { repositories: Array<{ ref: string; commit: string }> };
  assert.deepEqual(record.repositories.map((r) => [r.ref, r.commit]), [['v1.0', git(remote.bare, 'rev-parse', 'v1.0^{commit}')]]);
  assert.match(readFileSync(path.join(workspace, 'dags', 'team', 'orders.py'), 'utf8'), /# v1\.0/);

  git(remote.work, 'tag', '--force', 'v1.0');
  git(remote.work, 'push', '--quiet', '--force', 'origin', 'refs/tags/v1.0');
  assert.equal(run('repos', 'sync').status, 0);
  const clone = path.join(workspace, '.hangar', 'clones', 'team');
  assert.equal(git(clone, 'rev-parse', 'v1.0^{commit}'), git(remote.bare, 'rev-parse', 'v1.0^{commit}'), 'a Hangar clone keeps the remote\'s tags as they are');
});
