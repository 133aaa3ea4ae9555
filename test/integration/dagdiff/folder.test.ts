import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { diffSnapshots, isEmptyDiff } from '../../../server/src/dagdiff/diff';
import { snapshotCommit, snapshotWorkingTree, type AnalysisCache } from '../../../server/src/dagdiff/folder';
import { diffCommits } from '../../../server/src/dagdiff/versions';
import { DagRepo, dagSource, gitIn, scratch } from '../deploy/fixtures';

describe('DAG folder snapshots from git (real repositories)', () => {
  test('a commit is read from the object store; the working tree matches it until something changes', async () => {
    const repo = new DagRepo(scratch('dagdiff-folder'));
    const first = repo.commit({ 'orders.py': dagSource('orders', 'one'), 'sql/orders.sql': 'SELECT 1\n', 'util/helpers.py': 'X = 1\n' });
    writeFileSync(path.join(repo.path, 'outside.py'), dagSource('outside', 'not in dags/'));
    const committed = await snapshotCommit(repo.path, first, 'dags');
    assert.deepEqual(committed.dags.map((d) => [d.dagId, d.file]), [['orders', 'orders.py']]);
    assert.deepEqual(committed.files.map((f) => f.path), ['orders.py', 'sql/orders.sql', 'util/helpers.py']);
    assert.equal(committed.files[1]?.digest, gitIn(repo.path, 'rev-parse', `${first}:dags/sql/orders.sql`), 'a non-Python file is known by its blob id');
    assert.ok(isEmptyDiff(diffSnapshots(committed, await snapshotWorkingTree(repo.path, 'dags'))), 'a clean working tree is the commit');

    writeFileSync(path.join(repo.path, 'dags', 'orders.py'), dagSource('orders', 'two'));
    writeFileSync(path.join(repo.path, 'dags', 'refunds.py'), dagSource('refunds', 'new'));
    writeFileSync(path.join(repo.path, '.gitignore'), 'dags/scratch/\n');
    mkdirSync(path.join(repo.path, 'dags', 'scratch'));
    writeFileSync(path.join(repo.path, 'dags', 'scratch', 'tmp.py'), dagSource('scratch', 'ignored'));
    rmSync(path.join(repo.path, 'dags', 'sql', 'orders.sql'));
    const diff = diffSnapshots(committed, await snapshotWorkingTree(repo.path, 'dags'));
    assert.deepEqual(diff.dags.added.map((d) => d.dagId), ['refunds']);
    assert.deepEqual(diff.dags.changed.map((d) => [d.dagId, d.settings]), [['orders', [{ name: 'description', before: '"one"', after: '"two"' }]]]);
    assert.deepEqual(diff.files, { added: [], removed: ['sql/orders.sql'], changed: [] });
  });

  test('two commits share the analysis of every file they have in common; the root folder is a DAG folder too', async () => {
    const repo = new DagRepo(scratch('dagdiff-cache'));
    const first = repo.commit({ 'a.py': dagSource('a', 'one'), 'b.py': dagSource('b', 'one') });
    const second = repo.commit({ 'b.py': dagSource('b', 'two') });
    const cache: AnalysisCache = new Map();
    const diff = diffSnapshots(await snapshotCommit(repo.path, first, 'dags', cache), await snapshotCommit(repo.path, second, 'dags', cache));
    assert.equal(cache.size, 3, 'a.py once, b.py twice');
    assert.deepEqual(diff.dags.changed.map((d) => d.dagId), ['b']);
    const root = await snapshotCommit(repo.path, second, '');
    assert.deepEqual(root.dags.map((d) => d.file), ['dags/a.py', 'dags/b.py']);
  });

  test('diffCommits analyses only the files that differ: a reformatted file is compared and unchanged, a moved one is a move', async () => {
    const repo = new DagRepo(scratch('dagdiff-commits'));
    const first = repo.commit({ 'a.py': dagSource('a', 'one'), 'b.py': dagSource('b', 'one'), 'c.py': dagSource('c', 'one') });
    const second = repo.commit({ 'a.py': dagSource('a', 'one').replace('description="one"', "description = 'one'"), 'b.py': null, 'moved/b.py': dagSource('b', 'one') });
    const diff = await diffCommits({ name: 'team', path: repo.path, subdir: 'dags' }, first, second);
    assert.deepEqual(diff.dags.changed.map((d) => [d.dagId, d.movedFrom, d.file, d.otherCode]), [['b', 'b.py', 'moved/b.py', false]]);
    assert.equal(diff.dags.unchanged, 1, 'a.py was compared (its text changed); c.py was not read at all');
  });
});
