/**
 * Item 2 of issue 13, played through the real CLI bundle: URLs and refs in airflow-repos.yaml or on the command
 * line that git would read as an option (`--upload-pack=CMD`) or as a transport helper (`ext::CMD`) never run
 * a command. Each attack names its own marker file; the marker never appears, the error is located, the exit
 * code is non-zero.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { shippedCli } from '../../support/cli';
import { createRemote, dagSource, tempDir, type TestRemote } from '../../support/gitRepos';

describe('URLs and refs never become git options or transports (CLI)', () => {
  let hangar: string;
  let root: string;
  let remote: TestRemote;
  let attack = 0;

  before(async () => {
    hangar = shippedCli();
    root = tempDir('injection');
    remote = createRemote(path.join(root, 'remotes'), 'team', { 'dags/orders.py': dagSource('orders') });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A workspace whose airflow-repos.yaml is `yaml(marker)`; runs `hangar ARGS` with `--config FILE` (before any `--`) in it. */
  function play(yaml: (marker: string) => string, args: (marker: string) => string[]): { code: number | null; stderr: string; marker: string } {
    const workspace = path.join(root, `attack-${++attack}`);
    mkdirSync(workspace, { recursive: true });
    const marker = path.join(workspace, 'PWNED');
    const config = path.join(workspace, 'airflow-repos.yaml');
    writeFileSync(config, yaml(marker));
    const argv = args(marker);
    const endOfOptions = argv.includes('--') ? argv.indexOf('--') : argv.length;
    argv.splice(endOfOptions, 0, '--config', config);
    const result = spawnSync(process.execPath, [hangar, ...argv], {
      cwd: workspace,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, XDG_CACHE_HOME: path.join(workspace, 'cache'), HANGAR_USER: 'ci' },
    });
    return { code: result.status, stderr: result.stderr, marker };
  }

  function assertRefused(outcome: { code: number | null; stderr: string; marker: string }, message: RegExp): void {
    assert.equal(existsSync(outcome.marker), false, `the command ran: ${outcome.stderr}`);
    assert.notEqual(outcome.code, 0, 'exit code');
    assert.match(outcome.stderr, message);
  }

  const repository = () => `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: main\n`;
  /** The repository's commits come from its working copy (`path:`), so a deploy gets as far as talking to the target. */
  const gitTarget = (url: string, branch = 'main') => `${repository()}    path: ${JSON.stringify(remote.work)}\nenvironments:\n  - name: prod\n    target: { kind: git, url: ${JSON.stringify(url)}, branch: ${JSON.stringify(branch)} }\n`;

  for (const [label, url] of [
    ['--upload-pack', (m: string) => `--upload-pack=touch ${m}`],
    ['ext:: transport', (m: string) => `ext::sh -c touch% ${m}`],
    ['fd:: transport', () => 'fd::0'],
    ['ssh host that is an option', (m: string) => `ssh://-oProxyCommand=touch%20${m}/x.git`],
    ['unsupported scheme', () => 'ftp://127.0.0.1:9/x.git'],
  ] as const) {
    test(`a git deploy target URL with ${label} runs nothing: located error, non-zero exit`, () => {
      const outcome = play((m) => gitTarget(url(m)), () => ['deploy', '--env', 'prod', '--no-verify']);
      assertRefused(outcome, /airflow-repos\.yaml:\d+:\d+: environments\[0\]\.target\.url: /);
    });
  }

  test('a git target branch and a deploy --ref that start with "-" run nothing', () => {
    const branch = play((m) => gitTarget(remote.bare, `--upload-pack=touch ${m}`), () => ['deploy', '--env', 'prod', '--no-verify']);
    assertRefused(branch, /environments\[0\]\.target\.branch: cannot start with "-"/);
    const ref = play(
      () => `${repository()}    path: ${JSON.stringify(remote.work)}\nenvironments:\n  - name: dev\n    target: { kind: folder, path: ${JSON.stringify(path.join(root, 'dags'))} }\n`,
      (m) => ['deploy', '--env', 'dev', '--no-verify', '--ref', `team=--output=${m}`],
    );
    assertRefused(ref, /The version to deploy "--output=.*" cannot start with "-"/);
  });

  test('catalog URLs and refs: an option or a transport helper is refused with its line', () => {
    const url = play((m) => `catalogs:\n  - name: team\n    url: ${JSON.stringify(`--upload-pack=touch ${m}`)}\n`, () => ['market', 'search', 'x']);
    assertRefused(url, /airflow-repos\.yaml:3:\d+: catalogs\[0\]\.url: cannot start with "-"/);
    const helper = play((m) => `catalogs:\n  - name: team\n    url: ${JSON.stringify(`ext::sh -c touch% ${m}`)}\n`, () => ['market', 'search', 'x']);
    assertRefused(helper, /catalogs\[0\]\.url: uses a Git transport helper/);
    const ref = play((m) => `catalogs:\n  - name: team\n    url: file://${remote.bare}\n    ref: ${JSON.stringify(`--upload-pack=touch ${m}`)}\n`, () => ['market', 'search', 'x']);
    assertRefused(ref, /catalogs\[0\]\.ref: cannot start with "-"/);
  });

  test('repository URLs and branches: refused at load (sync) and when added (repos add)', () => {
    const helper = play((m) => `repositories:\n  - name: team\n    url: ${JSON.stringify(`ext::sh -c touch% ${m}`)}\n`, () => ['repos', 'sync']);
    assertRefused(helper, /repositories\[0\]\.url: uses a Git transport helper/);
    const branch = play((m) => `repositories:\n  - name: team\n    url: ${remote.bare}\n    branch: ${JSON.stringify(`--upload-pack=touch ${m}`)}\n`, () => ['repos', 'sync']);
    assertRefused(branch, /repositories\[0\]\.branch: cannot start with "-"/);
    const added = play(() => 'repositories: []\n', (m) => ['repos', 'add', '--', 'evil', `--upload-pack=touch ${m}`]);
    assertRefused(added, /not saved.*repositories\[0\]\.url: .*cannot start with "-"/s);
  });
});
