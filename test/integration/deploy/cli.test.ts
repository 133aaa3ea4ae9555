import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { shippedCli } from '../../support/cli';
import { DagRepo, dagSource, scratch, writeTeamConfig } from './fixtures';

describe('hangar deploy | history | rollback | promote (CLI)', () => {
  let hangar: string;
  let root: string;
  let repo: DagRepo;

  const run = (...args: string[]) => {
    const result = spawnSync(process.execPath, [hangar, ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, HANGAR_USER: 'ci-bot' } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };

  before(async () => {
    hangar = shippedCli();
    root = scratch('cli');
    repo = new DagRepo(root, 'team');
    repo.commit({ 'orders.py': dagSource('orders', 'one') });
    mkdirSync(path.join(root, 'dev-dags'));
    writeTeamConfig(root, ['  - name: dev', '    target: { kind: folder, path: dev-dags, keep_releases: 3 }', '  - name: prod', '    target: { kind: folder, path: prod-dags }']);
  });

  test('deploy --json records the version; history --json lists it; the gate exits 1 and --force needs --reason', () => {
    const deployed = run('deploy', '--env', 'dev', '--json');
    assert.equal(deployed.code, 0, deployed.stderr);
    const record = JSON.parse(deployed.stdout) as HistoryRecord;
    assert.equal(record.version, 1);
    assert.equal(record.who, 'ci-bot');
    assert.deepEqual(record.dagDiff.added, ['orders']);
    assert.equal(record.verification?.status, 'skipped');

    repo.commit({ 'orders.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders"\n' });
    const blocked = run('deploy', '--env', 'dev');
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /Validation blocks this deploy.*orders\.py/s);
    const noReason = run('deploy', '--env', 'dev', '--force');
    assert.equal(noReason.code, 2);
    assert.match(noReason.stderr, /needs a reason/);
    const forced = run('deploy', '--env', 'dev', '--force', '--reason', 'ship it', '--json');
    assert.equal(forced.code, 0, forced.stderr);

    const history = JSON.parse(run('history', '--env', 'dev', '--json').stdout) as HistoryRecord[];
    assert.deepEqual(history.map((r) => [r.version, r.forced?.reason]), [[1, undefined], [2, 'ship it']]);
    assert.match(run('history', '--env', 'dev').stdout, /v2 .*\(forced: ship it\)/);
  });

  test('rollback --env serves the previous version; rollback --to a version', () => {
    const back = run('rollback', '--env', 'dev', '--json');
    assert.equal(back.code, 0, back.stderr);
    assert.equal((JSON.parse(back.stdout) as HistoryRecord).restores, 1);
    const again = run('rollback', '--env', 'dev', '--to', '2', '--json');
    assert.equal((JSON.parse(again.stdout) as HistoryRecord).restores, 2);
    assert.match(run('rollback', '--env', 'dev', '--to', '99').stderr, /no version 99/);
  });

  test('promote needs a verified version; a missing target folder is a clear error that creates nothing', () => {
    const promote = run('promote', '--from', 'dev', '--to', 'prod');
    assert.equal(promote.code, 2);
    assert.match(promote.stderr, /"dev" has no verified version to promote/);
    const missing = run('deploy', '--env', 'prod');
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /prod-dags does not exist.*Hangar does not create it/);
    assert.equal(existsSync(path.join(root, 'prod-dags')), false);
    assert.match(run('deploy', '--env', 'nope').stderr, /No environment "nope"\. Known: dev, prod/);
    assert.deepEqual(readdirSync(path.join(root, 'dev-dags')).sort(), ['.airflowignore', '.hangar', 'team']);
  });

  test('Airflow credentials come from the environment; the help says so and never offers an argument for them', () => {
    const help = run('deploy', '--help').stdout;
    assert.match(help, /HANGAR_AIRFLOW_USERNAME/);
    assert.doesNotMatch(help, /--password|--token/);
  });
});
