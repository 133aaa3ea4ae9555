import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DagPlanner } from '../../../server/src/deploy/dags/planner';
import { GateError } from '../../../server/src/deploy/gate';
import { AlreadyLiveError, DeployService } from '../../../server/src/deploy/service';
import type { Environment } from '../../../server/src/deploy/types';
import { DagRepo, dagSource, folderEnvironment, gitIn, scratch } from './fixtures';

// Per-DAG deploys need no Airflow: these tests run whether or not one can be started.
const service = new DeployService();
const planner = (): DagPlanner => new DagPlanner(service);

/** A DAG file importing `helpers/common.py`. */
const withHelper = (dagId: string, description: string): string =>
  `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\nfrom helpers.common import OWNER\n\nwith DAG(dag_id="${dagId}", description="${description}", schedule=None, tags=[OWNER]):\n    EmptyOperator(task_id="start")\n`;
const twoDags = (a: string, b: string, description: string): string =>
  `from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\nwith DAG(dag_id="${a}", description="${description}", schedule=None):\n    EmptyOperator(task_id="start")\n\nwith DAG(dag_id="${b}", description="${description}", schedule=None):\n    EmptyOperator(task_id="start")\n`;

describe('per-DAG deploy and rollback: folder target', () => {
  let repo: DagRepo;
  let env: Environment;
  let dags: string;
  let first: string;
  let second: string;
  const served = (file: string): string => readFileSync(path.join(dags, 'team', file), 'utf8');

  before(async () => {
    const root = scratch('per-dag-folder');
    repo = new DagRepo(root, 'team');
    dags = path.join(root, 'dags');
    execFileSync('mkdir', [dags]);
    env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);
    first = repo.commit({ 'orders.py': dagSource('orders', 'one'), 'billing.py': dagSource('billing', 'one') });
    await service.apply(await service.planDeploy(env));
    second = repo.commit({ 'orders.py': dagSource('orders', 'two'), 'billing.py': dagSource('billing', 'two') });
    await service.apply(await service.planDeploy(env));
  });

  test('rolling back one DAG serves its previous file and leaves the other DAG byte-identical, as a new immutable release', async () => {
    const billingBefore = served('billing.py');
    const releasesBefore = readdirSync(path.join(dags, '.hangar', 'releases'));
    const plan = await planner().planRollback(env, { dagId: 'orders' });
    assert.equal(plan.restores, 1);
    assert.deepEqual(plan.changedFiles, ['team/orders.py']);
    assert.equal(plan.validation.files, 1, 'the gate checks the file that changes');
    const record = await service.apply(plan);
    assert.equal(record.action, 'rollback');
    assert.deepEqual(record.dags, [{ dagId: 'orders', repository: 'team', from: second, to: first }]);
    assert.equal(served('orders.py'), dagSource('orders', 'one'));
    assert.equal(served('billing.py'), billingBefore, 'billing.py is byte-identical');
    const composition = record.repositories[0]!.composition;
    assert.deepEqual(composition, { base: second, files: [{ path: 'orders.py', from: first }] });
    assert.notEqual(record.repositories[0]!.commit, second, 'a composed commit');
    const releasesAfter = readdirSync(path.join(dags, '.hangar', 'releases'));
    for (const release of releasesBefore) assert.ok(releasesAfter.includes(release), `${release} was kept as it was`);
    assert.equal(releasesAfter.length, releasesBefore.length + 2, 'one new release and its manifest');
  });

  test('deploying the DAG again from a ref brings it back; the composition empties into the plain commit', async () => {
    const record = await service.apply(await planner().planDeploy(env, { dagId: 'orders', ref: 'main' }));
    assert.deepEqual(record.dags, [{ dagId: 'orders', repository: 'team', from: first, to: second }]);
    assert.equal(record.repositories[0]!.commit, second);
    assert.equal(record.repositories[0]!.composition, undefined);
    assert.equal(served('orders.py'), dagSource('orders', 'two'));
    await assert.rejects(planner().planDeploy(env, { dagId: 'orders', ref: 'main' }), (error: Error) => error instanceof AlreadyLiveError && /"orders" on "dev" is already what main of team has/.test(error.message));
  });

  test('refusals: a DAG the environment does not serve, a candidate without the DAG, a candidate the gate blocks', async () => {
    await assert.rejects(planner().planDeploy(env, { dagId: 'nope' }), /"dev" does not serve a DAG "nope".*billing, orders/s);
    const without = repo.commit({ 'orders.py': null });
    await assert.rejects(planner().planDeploy(env, { dagId: 'orders', ref: without }), new RegExp(`${without} of team does not define the DAG "orders"`));
    const broken = repo.commit({ 'orders.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="orders"\n', 'billing.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="billing"\n' });
    await assert.rejects(planner().planDeploy(env, { dagId: 'orders', ref: broken }), (error: Error) => error instanceof GateError && /team\/orders\.py/.test(error.message) && !/billing/.test(error.message));
    repo.commit({ 'orders.py': dagSource('orders', 'two'), 'billing.py': dagSource('billing', 'two') });
  });

  test('a file that defines two DAGs moves only with --with-shared, and both are recorded', async () => {
    repo.commit({ 'pair.py': twoDags('left', 'right', 'one') });
    await service.apply(await service.planDeploy(env));
    const changed = repo.commit({ 'pair.py': twoDags('left', 'right', 'two') });
    await assert.rejects(planner().planDeploy(env, { dagId: 'left', ref: changed }), /Defined in the same file\(s\) \(pair\.py\): right.*--with-shared/s);
    const record = await service.apply(await planner().planDeploy(env, { dagId: 'left', ref: changed, withShared: true }));
    assert.deepEqual(record.dags?.map((d) => d.dagId), ['left', 'right']);
  });

  test('a helper module moves with the DAG; DAGs importing it are listed as affected; --no-helpers leaves it', async () => {
    repo.commit({ 'helpers/__init__.py': '', 'helpers/common.py': 'OWNER = "one"\n', 'shipping.py': withHelper('shipping', 'one'), 'returns.py': withHelper('returns', 'one') });
    await service.apply(await service.planDeploy(env));
    const next = repo.commit({ 'helpers/common.py': 'OWNER = "two"\n', 'shipping.py': withHelper('shipping', 'two') });
    await assert.rejects(planner().planDeploy(env, { dagId: 'shipping', ref: next }), /Importing a helper module that changes \(helpers\/common\.py\): returns/);
    const alone = await planner().planDeploy(env, { dagId: 'shipping', ref: next, helpers: false });
    assert.deepEqual(alone.changedFiles, ['team/shipping.py']);
    const plan = await planner().planDeploy(env, { dagId: 'shipping', ref: next, withShared: true });
    assert.deepEqual([...plan.changedFiles].sort(), ['team/helpers/common.py', 'team/shipping.py']);
    const record = await service.apply(plan);
    assert.deepEqual(record.affectedDags, ['returns']);
    assert.equal(served('helpers/common.py'), 'OWNER = "two"\n');
    assert.equal(served('returns.py'), withHelper('returns', 'one'));
  });

  test('a whole-environment deploy after per-DAG deploys serves plain commits again', async () => {
    const head = gitIn(repo.path, 'rev-parse', 'HEAD');
    const record = await service.apply(await service.planDeploy(env));
    assert.equal(record.repositories[0]!.commit, head);
    assert.equal(record.repositories[0]!.composition, undefined);
  });
});

describe('per-DAG deploy and rollback: git target (plumbing only, no checkout)', () => {
  let repo: DagRepo;
  let env: Environment;
  let origin: string;
  let first: string;
  let second: string;
  const onBranch = (file: string): string => gitIn(origin, 'show', `deploy:dags/${file}`);

  before(async () => {
    const root = scratch('per-dag-git');
    origin = path.join(root, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    repo = new DagRepo(root, 'team');
    env = { name: 'staging', target: { kind: 'git', url: origin, branch: 'deploy' }, repositories: [repo.asDeployRepository()] };
    first = repo.commit({ 'orders.py': dagSource('orders', 'one'), 'billing.py': dagSource('billing', 'one') });
    await service.apply(await service.planDeploy(env));
    second = repo.commit({ 'orders.py': dagSource('orders', 'two'), 'billing.py': dagSource('billing', 'two') });
    await service.apply(await service.planDeploy(env));
  });

  test('rolling back one DAG pushes a commit built from the live tree with its file replaced; the other file is byte-identical', async () => {
    const billingBefore = onBranch('billing.py');
    const head = gitIn(repo.path, 'rev-parse', 'HEAD');
    const record = await service.apply(await planner().planRollback(env, { dagId: 'orders' }));
    const pushed = gitIn(origin, 'rev-parse', 'refs/heads/deploy');
    assert.equal(pushed, record.repositories[0]!.commit);
    assert.equal(gitIn(origin, 'rev-parse', `${pushed}^`), second, 'its parent is the live commit');
    assert.equal(onBranch('orders.py'), dagSource('orders', 'one').trimEnd());
    assert.equal(onBranch('billing.py'), billingBefore);
    assert.equal(gitIn(origin, 'rev-parse', `${pushed}:dags/billing.py`), gitIn(repo.path, 'rev-parse', `${second}:dags/billing.py`), 'the same blob');
    assert.equal(gitIn(repo.path, 'rev-parse', 'HEAD'), head, 'the clone was not checked out');
    assert.equal(gitIn(repo.path, 'status', '--porcelain'), '', 'nor its index or working tree touched');
    const history = await service.history(env);
    assert.deepEqual(history.at(-1)?.dags, [{ dagId: 'orders', repository: 'team', from: second, to: first }]);
  });

  test('a composition read from a history record names files literally: pathspec magic reads no other file', async () => {
    const { composeCommit } = await import('../../../server/src/deploy/dags/composition');
    await assert.rejects(composeCommit({ path: repo.path, subdir: '' }, { base: second, files: [{ path: ':(top)dags/billing.py', from: first }] }), /:\(top\)dags\/billing\.py does not exist at/);
  });

  test('the composed commit is rebuilt byte for byte in a clone that lacks it', async () => {
    const live = (await service.history(env)).at(-1)!;
    const other = scratch('per-dag-other-clone');
    gitIn(other, 'clone', '-q', repo.path, 'c');
    const clone = path.join(other, 'c');
    const { composeCommit } = await import('../../../server/src/deploy/dags/composition');
    assert.equal(await composeCommit({ path: clone, subdir: 'dags' }, live.repositories[0]!.composition!), live.repositories[0]!.commit);
  });
});
