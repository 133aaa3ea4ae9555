/**
 * scripts/system-packages.mjs: what each set-up needs, installing the missing packages with apt-get, and the one
 * command it asks for when it cannot install them. apt-get is a recording stand-in script on PATH here: the test
 * must not install packages on the machine that runs it.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT } from '../../support/venv';

interface SystemPackage {
  name: string;
  groups: string[];
  why: string;
  present(): boolean;
}
interface AptAccess {
  prefix: string[];
  how: string;
}
interface SystemPackagesModule {
  PACKAGES: SystemPackage[];
  SETUPS: Record<string, string[]>;
  ensureSystemPackages(groups: string | string[], again?: string, options?: { packages?: SystemPackage[]; access?: AptAccess | undefined }): string[];
}

const load = (): Promise<SystemPackagesModule> => import(path.join(REPO_ROOT, 'scripts', 'system-packages.mjs')) as Promise<SystemPackagesModule>;

const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-fake-apt-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder with an `apt-get` that logs its arguments and "installs" a package by creating a marker file. */
function fakeApt(): { dir: string; log: string; installed(name: string): boolean; access: AptAccess } {
  const dir = mkdtempSync(path.join(scratch, 'apt-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(
    path.join(dir, 'apt-get'),
    `#!/bin/sh\necho "$DEBIAN_FRONTEND apt-get $*" >> "${log}"\n[ "$1" = install ] && for p in "$@"; do case "$p" in fake-*) touch "${dir}/$p.installed";; esac; done\nexit 0\n`,
  );
  chmodSync(path.join(dir, 'apt-get'), 0o755);
  return {
    dir,
    log,
    installed: (name) => existsSync(path.join(dir, `${name}.installed`)),
    access: { prefix: ['env', `PATH=${dir}:${process.env.PATH}`], how: 'as root' },
  };
}

function fakePackage(apt: ReturnType<typeof fakeApt>, name: string, groups: string[], installable = true): SystemPackage {
  return { name, groups, why: `${name} is needed for the test`, present: () => installable && apt.installed(name) };
}

describe('system packages of the set-ups', () => {
  test('the demo needs no browser; the tests and CI need Chromium', async () => {
    const { PACKAGES, SETUPS } = await load();
    const needed = (setup: string) => PACKAGES.filter((p) => p.groups.some((g) => SETUPS[setup]!.includes(g))).map((p) => p.name);
    assert.ok(!needed('demo').includes('chromium'), `the demo needs: ${needed('demo').join(', ')}`);
    for (const name of ['libkrb5-dev', 'ripgrep', 'build-essential', 'python3-venv', 'git']) assert.ok(needed('demo').includes(name), `the demo needs ${name}`);
    assert.ok(needed('test').includes('chromium'));
    assert.deepEqual(needed('ci').filter((name) => !needed('test').includes(name)), ['ca-certificates']);
  });

  test('missing packages are installed with apt-get in one go, after an update, without questions', async () => {
    const { ensureSystemPackages } = await load();
    const apt = fakeApt();
    const packages = [fakePackage(apt, 'fake-editor', ['code-server']), fakePackage(apt, 'fake-browser', ['browser']), fakePackage(apt, 'fake-unrelated', ['network'])];
    const installed = ensureSystemPackages(['code-server', 'browser'], undefined, { packages, access: apt.access });
    assert.deepEqual(installed, ['fake-editor', 'fake-browser']);
    assert.deepEqual(readFileSync(apt.log, 'utf8').trim().split('\n'), [
      'noninteractive apt-get update -qq',
      'noninteractive apt-get install -y -qq --no-install-recommends fake-editor fake-browser',
    ]);
    assert.ok(!apt.installed('fake-unrelated'), 'a package of another set-up is left alone');
    assert.deepEqual(ensureSystemPackages(['code-server', 'browser'], undefined, { packages, access: apt.access }), [], 'a second run installs nothing');
  });

  test('without root or passwordless sudo it stops with the one command to run, naming each package and why', async () => {
    const { ensureSystemPackages } = await load();
    const apt = fakeApt();
    const packages = [fakePackage(apt, 'fake-editor', ['code-server']), fakePackage(apt, 'fake-python', ['airflow'])];
    assert.throws(
      () => ensureSystemPackages('demo', '"npm run demo"', { packages, access: undefined }),
      (error: Error) => {
        assert.match(error.message, /fake-editor: fake-editor is needed for the test\n {2}fake-python: fake-python is needed for the test/);
        const commands = error.message.split('\n').filter((line) => /apt-get install/.test(line));
        assert.deepEqual(commands, ['  sudo apt-get update && sudo apt-get install -y --no-install-recommends fake-editor fake-python']);
        assert.match(error.message, /then run "npm run demo" again/);
        return true;
      },
    );
    assert.ok(!existsSync(apt.log), 'apt-get was not run');
  });

  test('a package apt-get could not provide is reported, not assumed installed', async () => {
    const { ensureSystemPackages } = await load();
    const apt = fakeApt();
    const packages = [fakePackage(apt, 'fake-never', ['browser'], false)];
    assert.throws(() => ensureSystemPackages(['browser'], undefined, { packages, access: apt.access }), /apt-get installed fake-never, but fake-never still cannot be found \(fake-never is needed for the test\)/);
  });

  test('an unknown set-up name is an error that lists the known ones', async () => {
    const { ensureSystemPackages } = await load();
    assert.throws(() => ensureSystemPackages('everything'), /unknown set-up "everything"; one of: demo, test, ci/);
  });
});
