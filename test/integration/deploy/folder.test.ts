import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, readlinkSync, realpathSync, utimesSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { GateError } from '../../../server/src/deploy/gate';
import { withLock } from '../../../server/src/deploy/lock';
import { DeployService } from '../../../server/src/deploy/service';
import type { HistoryRecord } from '../../../server/src/deploy/types';
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

  test('the gate blocks a high-severity security finding that is only a warning; a medium one does not block', async () => {
    const root = scratch('gate-security');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags-out');
    await mkdir(dags);
    const withLine = (dagId: string, line: string) => `import os\n\nfrom airflow.sdk import DAG\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n\n${line}\n\nwith DAG(dag_id="${dagId}", schedule=None):\n    EmptyOperator(task_id="start")\n`;
    repo.commit({ 'shell.py': withLine('shell', 'os.system("echo hi")') });
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);
    const medium = await service.planDeploy(env);
    assert.deepEqual([medium.validation.errors, medium.validation.highSecurity, medium.validation.warnings], [0, 0, 1], 'HGR307 (medium) is a warning that does not block');
    await service.apply(medium);

    repo.commit({ 'leaky.py': withLine('leaky', 'api_key = "sk-9f8e7d6c5b4a39281706"') });
    const before = readlinkSync(path.join(dags, 'team'));
    await assert.rejects(
      service.planDeploy(env),
      (error: unknown) => error instanceof GateError && error.validation.errors === 0 && error.validation.highSecurity === 1 && /team\/leaky\.py: HGR301/.test(error.message),
    );
    assert.equal(readlinkSync(path.join(dags, 'team')), before, 'a blocked deploy changes nothing');
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

  /** A lock folder as another deploy leaves it, with its owner file. */
  async function foreignLock(owner: { pid: number; host: string }): Promise<{ dir: string; lockDir: string }> {
    const dir = path.join(scratch('lock'), 'state');
    await mkdir(dir);
    await mkdir(path.join(dir, 'deploy.lock'));
    writeFileSync(path.join(dir, 'deploy.owner'), JSON.stringify(owner));
    return { dir, lockDir: path.join(dir, 'deploy.lock') };
  }
  const RUNNING = /Another deploy to test is running \(lock .*deploy\.lock\); wait for it to finish and try again\./;
  const ageBy = (file: string, ms: number) => utimesSync(file, new Date(Date.now() - ms), new Date(Date.now() - ms));

  test('a lock left by a crashed deploy on this host is taken over at once, without waiting for it to go stale', async () => {
    const { dir } = await foreignLock({ pid: 2 ** 22 + 12345, host: hostname() });
    // waitMs 0: a lock that is not taken over on the first look fails instead of waiting.
    assert.equal(await withLock(dir, 'test', async () => 'ran', 0), 'ran');
  });

  test('a lock of another host is respected while fresh and taken over once unrefreshed for 10 s (proper-lockfile\'s mtime staleness)', async () => {
    const { dir, lockDir } = await foreignLock({ pid: 1, host: 'another-host.invalid' });
    await assert.rejects(withLock(dir, 'test', async () => 'ran', 0), RUNNING);
    ageBy(lockDir, 9_000);
    await assert.rejects(withLock(dir, 'test', async () => 'ran', 0), RUNNING, 'a lock refreshed 9 s ago is still held');
    ageBy(lockDir, 11_000);
    assert.equal(await withLock(dir, 'test', async () => 'ran', 0), 'ran', 'a lock unrefreshed for 11 s is stale');
  });

  test('a live holder keeps the lock: a deploy that may not wait is refused, one that may waits and runs after it', async () => {
    const dir = path.join(scratch('lock'), 'state');
    await mkdir(dir);
    const order: string[] = [];
    let holding = false;
    let releaseFirst!: () => void;
    let firstHolds!: () => void;
    const held = new Promise<void>((resolve) => (firstHolds = resolve));
    const first = withLock(dir, 'test', () =>
      new Promise<void>((resolve) => {
        holding = true;
        order.push('first');
        releaseFirst = () => {
          holding = false;
          resolve();
        };
        firstHolds();
      }),
    );
    await held;
    await assert.rejects(withLock(dir, 'test', async () => order.push('impatient'), 0), RUNNING);
    const second = withLock(dir, 'test', async () => {
      order.push(holding ? 'second while the first held the lock' : 'second');
    });
    releaseFirst();
    await Promise.all([first, second]);
    assert.deepEqual(order, ['first', 'second']);
  });

  test('everything a killed deploy can leave (lock, owner file, tmp/, a cut-short history write) is removed by the next deploy', async () => {
    const root = scratch('leftovers');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()]);
    repo.commit({ 'a.py': dagSource('a', 'one') });
    await service.apply(await service.planDeploy(env));
    const state = path.join(dags, '.hangar');
    // What a deploy SIGKILLed on this host leaves behind.
    await mkdir(path.join(state, 'deploy.lock'));
    writeFileSync(path.join(state, 'deploy.owner'), JSON.stringify({ pid: 2 ** 22 + 4242, host: hostname() }));
    await mkdir(path.join(state, 'tmp', 'team-0123456789ab.4242.deadbeef'), { recursive: true });
    writeFileSync(path.join(state, 'tmp', 'team-0123456789ab.4242.deadbeef', 'a.py'), 'half');
    writeFileSync(path.join(state, 'history.json.3141592653'), '[{"version": 1');
    repo.commit({ 'a.py': dagSource('a', 'two') });
    await service.apply(await service.planDeploy(env));
    assert.deepEqual(readdirSync(state).sort(), ['history.json', 'releases', 'tmp']);
    assert.deepEqual(readdirSync(path.join(state, 'tmp')), []);
  });

  test('a release that stopped being served in the last 60 s is kept beyond keep_releases, and collected after that', async () => {
    const root = scratch('grace');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()], 1);
    const releaseOf = (sha: string) => `team-${sha.slice(0, 12)}`;
    const onDisk = () => readdirSync(path.join(dags, '.hangar', 'releases')).filter((e) => !e.endsWith('.json')).sort();
    const a = repo.commit({ 'a.py': dagSource('a', 'A') });
    await service.apply(await service.planDeploy(env));
    const b = repo.commit({ 'a.py': dagSource('a', 'B') });
    await service.apply(await service.planDeploy(env));
    assert.deepEqual(onDisk(), [releaseOf(a), releaseOf(b)].sort(), 'A stopped being served just now: kept, although keep_releases is 1');
    // A was deployed 3 minutes ago and replaced by B 61 s ago; B is served until the next deploy.
    const historyFile = path.join(dags, '.hangar', 'history.json');
    const [first, second] = JSON.parse(readFileSync(historyFile, 'utf8')) as HistoryRecord[];
    const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
    writeFileSync(historyFile, JSON.stringify([{ ...first!, at: ago(180_000) }, { ...second!, at: ago(61_000) }]));
    const c = repo.commit({ 'a.py': dagSource('a', 'C') });
    await service.apply(await service.planDeploy(env));
    assert.deepEqual(onDisk(), [releaseOf(b), releaseOf(c)].sort(), 'B (served until just now) kept, A (replaced 61 s ago) collected');
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
