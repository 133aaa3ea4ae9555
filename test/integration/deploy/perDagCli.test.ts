import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { freePort } from '../../support/airflow';
import { runHangar, type CliRun } from '../../support/cli';
import { DagRepo, dagSource, gitIn, scratch, writeTeamConfig } from './fixtures';

// No Airflow needed: per-DAG deploys to environments without one, and refusals that happen before Airflow is asked.
describe('hangar deploy | rollback --dag, and what the CLI refuses (shipped CLI, no Airflow)', () => {
  let root: string;
  let repo: DagRepo;
  let origin: string;
  let first: string;
  let second: string;
  let hangar: (...args: string[]) => Promise<CliRun>;
  const served = (file: string): string => readFileSync(path.join(root, 'dev-dags', 'team', file), 'utf8');
  const history = async (env: string): Promise<HistoryRecord[]> => JSON.parse((await hangar('history', '--env', env, '--json')).stdout) as HistoryRecord[];

  before(async () => {
    root = scratch('per-dag-cli');
    repo = new DagRepo(root, 'team');
    origin = path.join(root, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    mkdirSync(path.join(root, 'dev-dags'));
    const closed = await freePort();
    writeTeamConfig(root, [
      '  - name: dev',
      '    target: { kind: folder, path: dev-dags }',
      '  - name: staging',
      `    target: { kind: git, url: ${JSON.stringify(origin)}, branch: deploy }`,
      `    airflow: { url: "http://127.0.0.1:${closed}", version: 3 }`,
      '    repositories: [team]',
    ]);
    hangar = (...args) => runHangar(args, { cwd: root, env: { HANGAR_USER: 'ci-bot', HANGAR_AIRFLOW_USERNAME: 'admin', HANGAR_AIRFLOW_PASSWORD: 'admin' } });
    first = repo.commit({ 'orders.py': dagSource('orders', 'one'), 'billing.py': dagSource('billing', 'one') });
    assert.equal((await hangar('deploy', '--env', 'dev')).code, 0);
    assert.equal((await hangar('deploy', '--env', 'staging', '--no-verify')).code, 0);
    second = repo.commit({ 'orders.py': dagSource('orders', 'two'), 'billing.py': dagSource('billing', 'two') });
    assert.equal((await hangar('deploy', '--env', 'dev')).code, 0);
    assert.equal((await hangar('deploy', '--env', 'staging', '--no-verify')).code, 0);
  });

  test('rollback --dag serves one DAG as the previous version had it; history shows which DAG moved from which commit to which', async () => {
    const billing = served('billing.py');
    const run = await hangar('rollback', '--env', 'dev', '--dag', 'orders', '--json');
    assert.equal(run.code, 0, run.stderr);
    const record = JSON.parse(run.stdout) as HistoryRecord;
    assert.deepEqual(record.dags, [{ dagId: 'orders', repository: 'team', from: second, to: first }]);
    assert.equal(served('orders.py'), dagSource('orders', 'one'));
    assert.equal(served('billing.py'), billing, 'byte-identical');
    const text = (await hangar('history', '--env', 'dev')).stdout;
    assert.match(text, new RegExp(`v3 .*rollback .*dags: orders ${second.slice(0, 12)} → ${first.slice(0, 12)}`));
    const again = await hangar('deploy', '--env', 'dev', '--dag', 'orders', '--ref', 'main');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, new RegExp(`dags: orders ${first.slice(0, 12)} → ${second.slice(0, 12)}`));
  });

  test('rollback --dag on a git target pushes a composed commit; the other file is the same blob', async () => {
    const run = await hangar('rollback', '--env', 'staging', '--dag', 'orders', '--no-verify', '--json');
    assert.equal(run.code, 0, run.stderr);
    const pushed = gitIn(origin, 'rev-parse', 'refs/heads/deploy');
    assert.equal(gitIn(origin, 'rev-parse', `${pushed}:dags/billing.py`), gitIn(repo.path, 'rev-parse', `${second}:dags/billing.py`));
    assert.equal(gitIn(origin, 'rev-parse', `${pushed}:dags/orders.py`), gitIn(repo.path, 'rev-parse', `${first}:dags/orders.py`));
    assert.deepEqual((await history('staging')).at(-1)?.dags?.map((d) => d.dagId), ['orders']);
  });

  test('refusals exit non-zero with what to do, and record nothing', async () => {
    const before = (await history('dev')).length;
    const notServed = await hangar('deploy', '--env', 'dev', '--dag', 'nope');
    assert.equal(notServed.code, 2);
    assert.match(notServed.stderr, /"dev" does not serve a DAG "nope" \(v\d+ serves 2 DAG\(s\): billing, orders\)/);
    const without = repo.commit({ 'orders.py': null });
    const missing = await hangar('deploy', '--env', 'dev', '--dag', 'orders', '--ref', without);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /does not define the DAG "orders".*Pick a version that has it/);
    const broken = repo.commit({ 'orders.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders"\n' });
    const blocked = await hangar('deploy', '--env', 'dev', '--dag', 'orders', '--ref', broken, '--json');
    assert.equal(blocked.code, 1);
    assert.equal((JSON.parse(blocked.stdout) as { outcome: string }).outcome, 'blocked');
    const twoRefs = await hangar('deploy', '--env', 'dev', '--dag', 'orders', '--ref', 'main', '--ref', first);
    assert.equal(twoRefs.code, 2);
    assert.match(twoRefs.stderr, /takes one --ref/);
    const badVersion = await hangar('rollback', '--env', 'dev', '--dag', 'orders', '--to', 'latest');
    assert.equal(badVersion.code, 2);
    assert.match(badVersion.stderr, /--to takes a version number/);
    const shared = repo.commit({ 'orders.py': `${dagSource('orders', 'three')}\nwith DAG(dag_id="orders_extra", schedule=None):\n    pass\n` });
    const refusedShared = await hangar('deploy', '--env', 'dev', '--dag', 'orders', '--ref', shared);
    assert.equal(refusedShared.code, 2);
    assert.match(refusedShared.stderr, /Defined in the same file\(s\) \(orders\.py\): orders_extra.*--with-shared/s);
    assert.equal((await history('dev')).length, before, 'nothing was recorded');
    repo.commit({ 'orders.py': dagSource('orders', 'two') });
  });

  test('a canary needs an Airflow it can reach: unreachable or missing, it is refused before anything changes', async () => {
    const branch = gitIn(origin, 'rev-parse', 'refs/heads/deploy');
    const versions = (await history('staging')).length;
    const candidate = repo.commit({ 'orders.py': dagSource('orders', 'canary') });
    const unreachable = await hangar('canary', 'start', '--env', 'staging', '--dag', 'orders', '--ref', candidate);
    assert.equal(unreachable.code, 2);
    assert.match(unreachable.stderr, /Airflow at http:\/\/127\.0\.0\.1:\d+ is unreachable/);
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), branch, 'the deployment branch did not move');
    assert.equal((await history('staging')).length, versions, 'nothing was recorded');
    const perDag = await hangar('deploy', '--env', 'staging', '--dag', 'orders', '--ref', candidate);
    assert.equal(perDag.code, 2, 'a verified per-DAG deploy checks Airflow first, like any deploy');
    assert.match(perDag.stderr, /unreachable/);
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), branch);
    const none = await hangar('canary', 'start', '--env', 'dev', '--dag', 'orders', '--ref', candidate);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /Environment "dev" has no airflow\.url: a canary is compared and switched through Airflow's REST API/);
    const status = await hangar('canary', 'status', '--env', 'dev');
    assert.equal(status.code, 0);
    assert.match(status.stdout, /No canary is running on "dev"/);
  });
});
