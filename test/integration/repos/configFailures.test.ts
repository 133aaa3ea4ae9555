/**
 * Items 9 and 10 of issue 13 (configuration part), through the real CLI bundle: every configuration error
 * gives a located message and a non-zero exit (CI never reports success with nothing synced), and a user
 * name or password in any URL of the file is refused without being repeated.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, tempDir, type TestRemote } from '../../support/gitRepos';

const PASSWORD = 's3cret-in-url-4b1d';

describe('configuration errors fail the command, located (CLI)', () => {
  let hangar: string;
  let root: string;
  let remote: TestRemote;
  let count = 0;

  before(async () => {
    hangar = shippedCli();
    root = tempDir('config-failures');
    remote = createRemote(path.join(root, 'remotes'), 'team', { 'dags/orders.py': dagSource('orders') });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** Runs `hangar ARGS --config FILE` on a file holding `yaml` (or on a missing file when `yaml` is undefined). */
  function run(yaml: string | undefined, ...args: string[]): { code: number | null; stdout: string; stderr: string; file: string } {
    const dir = path.join(root, `ws-${++count}`);
    mkdirSync(path.join(dir, 'dags'), { recursive: true }); // the DAGs folder a folder target names
    const file = path.join(dir, 'airflow-repos.yaml');
    if (yaml !== undefined) writeFileSync(file, yaml);
    const result = spawnSync(process.execPath, [hangar, ...args, '--config', file], { cwd: dir, encoding: 'utf8', env: { ...process.env, HANGAR_USER: 'ci' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr, file };
  }

  test('repos sync: a YAML syntax error, every entry invalid, a missing file or no repository exits non-zero with the reason', () => {
    const syntax = run('repositories:\n  - name: team\n    url: [unclosed\n', 'repos', 'sync');
    assert.notEqual(syntax.code, 0);
    assert.match(syntax.stderr, /airflow-repos\.yaml:\d+:\d+: YAML syntax error/);
    assert.match(syntax.stderr, /nothing synced: no entry of .* is valid/);

    const invalid = run(`repositories:\n  - name: team\n    url: ${remote.bare}\n    priority: high\n  - url: ${remote.bare}\n`, 'repos', 'sync', '--json');
    assert.notEqual(invalid.code, 0);
    assert.match(invalid.stderr, /airflow-repos\.yaml:4:15: repositories\[0\]\.priority: must be integer/);
    assert.match(invalid.stderr, /repositories\[1\]: the field "name" is required/);
    assert.equal((JSON.parse(invalid.stdout) as { errors: unknown[] }).errors.length, 2);

    assert.notEqual(run(undefined, 'repos', 'sync').code, 0);
    assert.match(run(undefined, 'repos', 'sync').stderr, /does not exist/);
    const empty = run('repositories: []\n', 'repos', 'sync');
    assert.notEqual(empty.code, 0);
    assert.match(empty.stderr, /nothing to sync: .* lists no repositories/);
  });

  test('repos sync with one valid and one invalid entry syncs the valid one and still exits non-zero', () => {
    const partly = run(`repositories:\n  - name: team\n    url: ${remote.bare}\n  - name: broken\n    url: ${remote.bare}\n    auth: password\n`, 'repos', 'sync');
    assert.notEqual(partly.code, 0);
    assert.match(partly.stdout, /team: cloned ->/);
    assert.match(partly.stderr, /repositories\[1\]\.auth: must be one of/);
  });

  test('repos list and history exit non-zero on a broken file; deploy refuses a file whose repository entry is invalid', () => {
    for (const args of [['repos', 'list'], ['repos', 'history', 'team']]) {
      const outcome = run('repositories:\n  - name: team\n    url: [unclosed\n', ...args);
      assert.notEqual(outcome.code, 0, args.join(' '));
      assert.match(outcome.stderr, /YAML syntax error/);
    }
    const deploy = run(
      `repositories:\n  - name: team\n    url: ${remote.bare}\n    path: ${JSON.stringify(remote.work)}\n  - name: other\n    url: ${remote.bare}\n    priority: high\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags }\n`,
      'deploy',
      '--env',
      'dev',
      '--no-verify',
    );
    assert.notEqual(deploy.code, 0);
    assert.match(deploy.stderr, /has errors; fix them first:\n.*repositories\[1\]\.priority: must be integer/);
  });

  test('a user name or password in any URL of the file is refused at load, located, and never repeated', () => {
    const yaml = [
      'repositories:',
      `  - name: team`,
      `    url: https://bob:${PASSWORD}@git.example.com/team.git`,
      `  - name: tokened`,
      `    url: https://${PASSWORD}@git.example.com/tokened.git`,
      'environments:',
      '  - name: prod',
      `    target: { kind: git, url: "https://deploy:${PASSWORD}@git.example.com/deploy.git", branch: main }`,
      `    airflow: { url: "http://admin:${PASSWORD}@127.0.0.1:8080", version: 3 }`,
      'catalogs:',
      `  - { name: community, url: "https://reader:${PASSWORD}@git.example.com/catalog.git" }`,
      '',
    ].join('\n');
    for (const args of [['repos', 'sync'], ['deploy', '--env', 'prod', '--no-verify'], ['market', 'search', 'x']]) {
      const outcome = run(yaml, ...args);
      assert.notEqual(outcome.code, 0, args.join(' '));
      assert.ok(!`${outcome.stdout}${outcome.stderr}`.includes(PASSWORD), `${args.join(' ')} repeated the password:\n${outcome.stderr}`);
    }
    const { stderr } = run(yaml, 'repos', 'list');
    for (const field of ['repositories[0].url', 'repositories[1].url', 'environments[0].target.url', 'environments[0].airflow.url', 'catalogs[0].url']) {
      assert.match(stderr, new RegExp(`airflow-repos\\.yaml:\\d+:\\d+: ${field.replace(/[[\].]/g, '\\$&')}: contains a user name or password`), field);
    }
  });
});
