import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import { DeployService } from '../../../server/src/deploy/service';
import type { Environment } from '../../../server/src/deploy/types';
import { DagRepo, dagSource, gitIn, scratch } from './fixtures';

// The git target needs no Airflow: these tests run whether or not one can be started (the bundle_version
// check against a real GitDagBundle is in airflow.test.ts).
describe('deploy: git target (a deployment branch on a bare remote)', () => {
  const service = new DeployService();
  let origin: string;
  let repo: DagRepo;
  let env: Environment;

  before(() => {
    const root = scratch('git-target');
    origin = path.join(root, 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', origin]);
    repo = new DagRepo(root, 'team');
    env = { name: 'staging', target: { kind: 'git', url: origin, branch: 'deploy' }, repositories: [repo.asDeployRepository()] };
  });

  test('a deploy pushes the commit to the branch and records the version as a tag every clone sees', async () => {
    const first = repo.commit({ 'hello.py': dagSource('hello', 'one') });
    const v1 = await service.apply(await service.planDeploy(env));
    const second = repo.commit({ 'hello.py': dagSource('hello', 'two'), 'etl.py': dagSource('etl', 'two') });
    const v2 = await service.apply(await service.planDeploy(env));
    assert.deepEqual([v1.version, v2.version], [1, 2]);
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), second);
    assert.equal(gitIn(origin, 'cat-file', '-t', 'refs/tags/hangar/deploy/staging/2'), 'tag');
    assert.deepEqual(
      (await service.history(env)).map((r) => [r.version, r.repositories[0]!.commit]),
      [
        [1, first],
        [2, second],
      ],
    );
    assert.deepEqual(v2.dagDiff.added, ['etl']);
  });

  test('a rollback is a leased push of the previous commit, recorded as a new version', async () => {
    const history = await service.history(env);
    const rollback = await service.apply(await service.planRollback(env));
    assert.equal(rollback.action, 'rollback');
    assert.equal(rollback.version, 3);
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), history[0]!.repositories[0]!.commit);
  });

  test('a concurrent change to the deployment branch is never overwritten', async () => {
    repo.commit({ 'hello.py': dagSource('hello', 'three') });
    const plan = await service.planDeploy(env);
    // Someone else moves the branch after the plan was made.
    const other = scratch('other-clone');
    gitIn(other, 'clone', '-q', '-b', 'deploy', origin, 'c');
    gitIn(path.join(other, 'c'), 'commit', '-q', '--allow-empty', '-m', 'hotfix outside Hangar');
    gitIn(path.join(other, 'c'), 'push', '-q', 'origin', 'deploy');
    const moved = gitIn(origin, 'rev-parse', 'refs/heads/deploy');
    await assert.rejects(service.apply(plan), /changed while this deploy ran.*nothing was pushed/s);
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), moved);
    assert.equal((await service.history(env)).length, 3, 'no version was recorded');
  });

  test('a concurrent deploy that took the same version number fails the whole push: the branch does not move', async () => {
    const versions = (await service.history(env)).length;
    const taken = versions + 1;
    repo.commit({ 'hello.py': dagSource('hello', 'four') });
    const plan = await service.planDeploy(env);
    const head = gitIn(origin, 'rev-parse', 'refs/heads/deploy');
    // Another machine's deploy took the next version after this one fetched the history: the remote has the tag,
    // and hiding it from fetches (uploadpack.hideRefs) puts this deploy exactly in that window.
    const theirs = { version: taken, environment: 'staging', action: 'deploy', who: 'other-machine', at: new Date().toISOString(), repositories: [{ name: 'team', namespace: 'team', ref: 'main', commit: head }], dagDiff: { added: [], changed: [], removed: [] }, validation: { files: 0, analyzed: 0, errors: 0, highSecurity: 0, warnings: 0, blocking: [] } };
    gitIn(origin, 'tag', '-a', '-m', JSON.stringify(theirs), `hangar/deploy/staging/${taken}`, head);
    const theirTag = gitIn(origin, 'rev-parse', `refs/tags/hangar/deploy/staging/${taken}`);
    gitIn(origin, 'config', 'uploadpack.hideRefs', `refs/tags/hangar/deploy/staging/${taken}`);
    await assert.rejects(service.apply(plan), new RegExp(`version ${taken} was taken by a concurrent deploy; nothing was pushed`));
    assert.equal(gitIn(origin, 'rev-parse', 'refs/heads/deploy'), head, 'the branch did not move');
    assert.equal(gitIn(origin, 'rev-parse', `refs/tags/hangar/deploy/staging/${taken}`), theirTag, 'their version is untouched');

    gitIn(origin, 'config', '--unset', 'uploadpack.hideRefs');
    const record = await service.apply(await service.planDeploy(env));
    assert.equal(record.version, taken + 1, 'the next deploy sees their version and takes the one after it');
    assert.deepEqual((await service.history(env)).map((r) => r.who).slice(-2), ['other-machine', record.who]);
  });
});
