import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { GateError } from '../../../server/src/deploy/gate';
import { withLock } from '../../../server/src/deploy/lock';
import { DeployService } from '../../../server/src/deploy/service';
import { DagRepo, dagSource, folderEnvironment, scratch } from './fixtures';

const service = new DeployService();

function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, entry.name);
      const key = path.join(rel, entry.name);
      if (entry.isSymbolicLink()) out[key] = `-> ${readlinkSync(full)}`;
      else if (entry.isDirectory()) walk(full, key);
      else out[key] = readFileSync(full, 'utf8');
    }
  };
  walk(dir, '');
  return out;
}

describe('deploy: folder target', () => {
  test('deploys the exact commit behind one namespace link, records it, and rolls back by switching the link', async () => {
    const root = scratch('folder');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'airflow-dags');
    await mkdir(dags);
    const first = repo.commit({ 'a.py': dagSource('a', 'one'), 'b.py': dagSource('b', 'one') });
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);

    const v1 = await service.apply(await service.planDeploy(env, { who: 'ada' }));
    assert.equal(v1.version, 1);
    assert.deepEqual(v1.dagDiff, { added: ['a', 'b'], changed: [], removed: [] });
    assert.equal(readlinkSync(path.join(dags, 'team')), path.join('.hangar', 'releases', `team-${first.slice(0, 12)}`));
    assert.equal(readFileSync(path.join(dags, 'team', 'a.py'), 'utf8'), dagSource('a', 'one'));
    assert.match(readFileSync(path.join(dags, '.airflowignore'), 'utf8'), /^\/\.hangar\/\n\^\\\.hangar\(\/\|\$\)$/m);

    // Uncommitted work in the clone is not deployed: the commit is.
    writeFileSync(path.join(repo.path, 'dags', 'a.py'), 'dirty');
    const second = repo.commit({ 'b.py': dagSource('b', 'two'), 'c.py': dagSource('c', 'two'), 'a.py': null });
    const plan = await service.planDeploy(env, { refs: { team: second } });
    assert.deepEqual(plan.dagDiff, { added: ['c'], changed: ['b'], removed: ['a'] });
    assert.equal(plan.validation.analyzed, 2, 'only files whose content changed are analyzed again');
    const v2 = await service.apply(plan);
    assert.deepEqual(readdirSync(path.join(dags, 'team')).sort(), ['b.py', 'c.py']);

    const rollback = await service.planRollback(env);
    assert.equal(rollback.restores, 1);
    const v3 = await service.apply(rollback);
    assert.equal(v3.action, 'rollback');
    assert.deepEqual(readdirSync(path.join(dags, 'team')).sort(), ['a.py', 'b.py']);
    const history = await service.history(env);
    assert.deepEqual(history.map((r) => [r.version, r.action, r.repositories[0]!.commit]), [
      [1, 'deploy', first],
      [2, 'deploy', v2.repositories[0]!.commit],
      [3, 'rollback', first],
    ]);
    assert.equal(history[0]!.who, 'ada');
  });

  test('the gate blocks error-level findings; --force needs a reason, which is recorded', async () => {
    const root = scratch('gate');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags-out');
    await mkdir(dags);
    repo.commit({ 'ok.py': dagSource('ok', 'x'), 'broken.py': 'from airflow.sdk import DAG\nwith DAG(dag_id="broken"\n' });
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);
    await assert.rejects(service.planDeploy(env), (error: unknown) => error instanceof GateError && /broken\.py: HGR001/.test(error.message) && /--force --reason/.test(error.message));
    await assert.rejects(service.planDeploy(env, { force: true }), /needs a reason/);
    assert.deepEqual(readdirSync(dags), [], 'a blocked deploy changes nothing');
    const record = await service.apply(await service.planDeploy(env, { force: true, reason: 'hotfix for incident 42' }));
    assert.deepEqual(record.forced, { reason: 'hotfix for incident 42' });
    assert.equal(record.validation.errors, 1);
    assert.deepEqual((await service.history(env))[0]!.forced, { reason: 'hotfix for incident 42' });
  });

  test('a missing DAGs folder is a clear error and nothing is created', async () => {
    const root = scratch('missing');
    const repo = new DagRepo(root);
    repo.commit({ 'a.py': dagSource('a', 'x') });
    const dags = path.join(root, 'not-mounted');
    const env = folderEnvironment('prod', dags, [repo.asDeployRepository()]);
    await assert.rejects(service.planDeploy(env), /The DAGs folder .*not-mounted does not exist.*Hangar does not create it/);
    assert.equal(existsSync(dags), false);
  });

  test('a dag_id in two repositories deploys from the higher priority only (.airflowignore in the loser release)', async () => {
    const root = scratch('conflict');
    const company = new DagRepo(root, 'company');
    const community = new DagRepo(root, 'community');
    company.commit({ 'etl.py': dagSource('etl', 'company') });
    community.commit({ 'etl_copy.py': dagSource('etl', 'community'), 'other.py': dagSource('other', 'community') });
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    const env = folderEnvironment('dev', dags, [company.asDeployRepository(10), community.asDeployRepository(1)]);
    const plan = await service.planDeploy(env);
    assert.deepEqual(plan.repositories.map((r) => [r.name, r.excluded]), [['company', []], ['community', ['etl_copy.py']]]);
    await service.apply(plan);
    assert.equal(readFileSync(path.join(dags, 'community', '.airflowignore'), 'utf8').split('\n').filter((l) => !l.startsWith('#'))[0], '/etl_copy.py');
    assert.ok(!existsSync(path.join(dags, 'company', '.airflowignore')));
  });

  test('old releases beyond keep_releases are collected; rolling back to a collected version exports it again', async () => {
    const root = scratch('gc');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    const env = { ...folderEnvironment('dev', dags, [repo.asDeployRepository()], 2), target: { kind: 'folder' as const, path: dags, keepReleases: 2, gcGraceMs: 0 } };
    const shas: string[] = [];
    for (let i = 0; i < 4; i++) {
      shas.push(repo.commit({ 'a.py': dagSource('a', `v${i}`) }));
      await service.apply(await service.planDeploy(env));
    }
    const releases = readdirSync(path.join(dags, '.hangar', 'releases')).filter((e) => !e.endsWith('.json')).sort();
    assert.deepEqual(releases, [`team-${shas[2]!.slice(0, 12)}`, `team-${shas[3]!.slice(0, 12)}`].sort());
    // Rolling back to a collected version materialises it again from Git.
    await service.apply(await service.planRollback(env, 1));
    assert.equal(realpathSync(path.join(dags, 'team')), realpathSync(path.join(dags, '.hangar', 'releases', `team-${shas[0]!.slice(0, 12)}`)));
  });

  test('a lock left by a crashed deploy is recovered at once; a live holder makes the next deploy wait', async () => {
    const dir = path.join(scratch('lock'), 'state');
    await mkdir(dir);
    await mkdir(path.join(dir, 'deploy.lock'));
    writeFileSync(path.join(dir, 'deploy.owner'), JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname() }));
    const started = Date.now();
    assert.equal(await withLock(dir, 'test', async () => 'ran'), 'ran');
    assert.ok(Date.now() - started < 2000, 'a dead holder does not make the next deploy wait for the stale timeout');

    const order: string[] = [];
    let releaseFirst!: () => void;
    const first = withLock(dir, 'test', () => new Promise<void>((resolve) => { order.push('first'); releaseFirst = resolve; }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const second = withLock(dir, 'test', async () => { order.push('second'); });
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.deepEqual(order, ['first']);
    releaseFirst();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
  });

  test('before anything changes, a deploy that another deploy overtook is refused', async () => {
    const root = scratch('race');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    repo.commit({ 'a.py': dagSource('a', 'one') });
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);
    const stalePlan = await service.planDeploy(env);
    repo.commit({ 'a.py': dagSource('a', 'two') });
    await service.apply(await service.planDeploy(env));
    const before = tree(dags);
    await assert.rejects(service.apply(stalePlan), /changed since this deploy was planned/);
    assert.deepEqual(tree(dags), before);
  });
});
