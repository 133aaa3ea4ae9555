/**
 * Item 5 of issue 13: a hostile `.git/config` in a clone Hangar manages never runs code. Each setting that
 * names a program is set to `touch MARKER_<setting>`; `hangar repos sync` and `hangar deploy` (the real CLI
 * bundle) run on the clone, and no marker may appear.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, beforeEach, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { shippedCli } from '../../support/cli';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, git, tempDir, type TestRemote } from '../../support/gitRepos';

const TOKEN = 'tok-hostile-config-61d0';

describe('a hostile .git/config in a managed clone runs nothing', () => {
  let root: string;
  let markers: string;
  let remote: TestRemote;
  let server: GitHttpServer;
  let hangar: string;

  before(async () => {
    root = tempDir('hostile');
    markers = path.join(root, 'markers');
    mkdirSync(markers);
    remote = createRemote(path.join(root, 'served'), 'team', { 'dags/orders.py': dagSource('orders'), 'notes.txt': 'notes\n', 'README.md': 'readme\n' });
    server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'x-access-token', password: TOKEN });
    hangar = shippedCli();
  });
  beforeEach(() => {
    rmSync(markers, { recursive: true, force: true });
    mkdirSync(markers);
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  const touch = (name: string) => `touch ${path.join(markers, name)}`;

  /** An executable hook folder whose every hook touches `name`. */
  function hooks(folder: string, name: string): string {
    mkdirSync(folder, { recursive: true });
    for (const hook of ['post-checkout', 'reference-transaction', 'post-index-change', 'pre-auto-gc', 'post-merge', 'fsmonitor-watchman']) {
      writeFileSync(path.join(folder, hook), `#!/bin/sh\n${touch(name)}\n`);
      chmodSync(path.join(folder, hook), 0o755);
    }
    return folder;
  }

  function workspace(name: string, url: string): { file: string; clone: string; run: (...args: string[]) => Promise<{ code: number; stderr: string }> } {
    const dir = path.join(root, name);
    mkdirSync(path.join(dir, 'dags-folder'), { recursive: true });
    const file = path.join(dir, 'airflow-repos.yaml');
    writeFileSync(
      file,
      `repositories:\n  - name: team\n    url: ${url}\n    branch: main\n    auth: token\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags-folder }\n`,
    );
    const run = (...args: string[]) =>
      promisify(execFile)(process.execPath, [hangar, ...args, '--config', file], { env: { ...process.env, HANGAR_TOKEN_TEAM: TOKEN, HANGAR_USER: 'ci' } }).then(
        ({ stderr }) => ({ code: 0, stderr }),
        (error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }),
      );
    return { file, clone: path.join(dir, '.hangar', 'clones', 'team'), run };
  }

  function assertNoMarker(during: string): void {
    assert.deepEqual(readdirSync(markers), [], `a command from the clone's configuration ran during ${during}`);
  }

  test('hooks, fsmonitor, filters, pager, credential helper, includes and pack hooks: sync and deploy run, nothing from the config runs', async () => {
    const { clone, run } = workspace('http', `${server.url}/team.git`);
    const first = await run('repos', 'sync');
    assert.equal(first.code, 0, first.stderr);

    const config = (key: string, value: string) => git(clone, 'config', '--add', key, value);
    config('core.fsmonitor', touch('fsmonitor'));
    config('core.hooksPath', hooks(path.join(root, 'evil-hooks'), 'hooksPath'));
    hooks(path.join(clone, '.git', 'hooks'), 'default-hooks');
    config('filter.evil.smudge', `${touch('smudge')}; cat`);
    config('filter.evil.clean', `${touch('clean')}; cat`);
    config('filter.evil.required', 'true');
    config('filter.proc.process', touch('process'));
    writeFileSync(path.join(clone, '.git', 'info', 'attributes'), '*.py filter=evil\n*.txt filter=proc\n*.md filter=included\n');
    config('core.pager', touch('pager'));
    config('credential.helper', `!${touch('credential-helper')}; true`);
    config('core.askPass', touch('askpass'));
    config('uploadpack.packObjectsHook', touch('packObjectsHook'));
    config('core.alternateRefsCommand', touch('alternateRefsCommand'));
    const included = path.join(root, 'included.gitconfig');
    writeFileSync(included, `[filter "included"]\n\tsmudge = ${touch('include-smudge')}; cat\n[core]\n\thooksPath = ${hooks(path.join(root, 'included-hooks'), 'include-hooks')}\n`);
    config('include.path', included);

    remote.commit({ 'dags/orders.py': `${dagSource('orders')}# v2\n`, 'notes.txt': 'notes v2\n', 'README.md': 'readme v2\n' }, 'v2');
    const synced = await run('repos', 'sync');
    assertNoMarker('sync');
    assert.equal(synced.code, 0, synced.stderr);
    const deployed = await run('deploy', '--env', 'dev', '--no-verify');
    assertNoMarker('deploy');
    assert.equal(deployed.code, 0, deployed.stderr);
  });

  test('remote.<url>.uploadpack, remote.origin.uploadpack and an alternate-refs command of a clone fetching from a local remote: nothing runs', async () => {
    const url = `file://${remote.bare}`;
    const { clone, run } = workspace('file', url);
    assert.equal((await run('repos', 'sync')).code, 0);
    git(clone, 'config', `remote.${url}.uploadpack`, `${touch('url-uploadpack')}; git-upload-pack`);
    git(clone, 'config', 'remote.origin.uploadpack', `${touch('origin-uploadpack')}; git-upload-pack`);
    git(clone, 'config', 'core.alternateRefsCommand', `${touch('alternateRefsCommand')}; true`);
    writeFileSync(path.join(clone, '.git', 'objects', 'info', 'alternates'), `${path.join(remote.bare, 'objects')}\n`);
    remote.commit({ 'dags/orders.py': `${dagSource('orders')}# v3\n` }, 'v3');
    const synced = await run('repos', 'sync');
    assertNoMarker('sync');
    assert.equal(synced.code, 0, synced.stderr);
  });

  test('a rewrite to an ext:: transport or to ssh with core.sshCommand: the sync fails, nothing runs', async () => {
    const { clone, run } = workspace('rewrites', `${server.url}/team.git`);
    assert.equal((await run('repos', 'sync')).code, 0);
    git(clone, 'config', 'protocol.ext.allow', 'always');
    git(clone, 'config', 'protocol.allow', 'always');
    git(clone, 'config', `url.ext::sh -c ${touch('ext').replace(/ /g, '% ')}% >&2% #.insteadOf`, `${server.url}/`);
    const viaExt = await run('repos', 'sync');
    assert.notEqual(viaExt.code, 0);
    assertNoMarker('a sync through ext::');
    git(clone, 'config', '--remove-section', `url.ext::sh -c ${touch('ext').replace(/ /g, '% ')}% >&2% #`);
    git(clone, 'config', 'url.ssh://hangar-test.invalid/.insteadOf', `${server.url}/`);
    git(clone, 'config', 'core.sshCommand', touch('sshCommand'));
    const viaSsh = await run('repos', 'sync');
    assert.notEqual(viaSsh.code, 0);
    assertNoMarker('a sync through ssh');
  });
});
