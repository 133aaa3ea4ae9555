import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { containedPath, UnsafePathError } from '../../../server/src/market/safePath';
import { scratch } from './catalogRepos';

/** The one gate every marketplace path goes through, on a real folder with real symlinks. */
describe('containedPath', () => {
  const { dir, cleanup } = scratch('safe-path');
  after(cleanup);
  const root = path.join(dir, 'repo');
  mkdirSync(path.join(root, 'dags'), { recursive: true });
  mkdirSync(path.join(dir, 'outside'));
  writeFileSync(path.join(dir, 'outside', 'secret'), 'x');
  symlinkSync(path.join(dir, 'outside'), path.join(root, 'dags', 'out'));
  symlinkSync(path.join(dir, 'outside', 'secret'), path.join(root, 'dags', 'secret-link'));
  symlinkSync(path.join(root, '.git'), path.join(root, 'dags', 'hooks'));
  symlinkSync(path.join(dir, 'nowhere'), path.join(root, 'dags', 'dangling'));
  mkdirSync(path.join(root, '.git'));

  for (const [text, reason] of [
    ['', /not a path/],
    [42, /not a path/],
    ['dags/x\0.py', /NUL/],
    ['/etc/passwd', /absolute/],
    ['C:\\Users\\me\\.bashrc', /absolute/],
    ['c:relative', /absolute/],
    ['\\\\server\\share\\x', /absolute/],
    ['//server/share/x', /absolute/],
    ['../x', /leaves the repository/],
    ['dags/../../x', /leaves the repository/],
    ['dags\\..\\..\\x', /leaves the repository/],
    ['.git/hooks/pre-commit', /\.git/],
    ['dags/.GIT/config', /\.git/],
    ['dags/out/secret', /resolves outside the repository/],
    ['dags/out/new-file', /resolves outside the repository/],
    ['dags/secret-link', /resolves outside the repository/],
    ['dags/hooks/post-checkout', /resolves into \.git/],
    ['dags/dangling', /symbolic link to nothing/],
    ['.', /the repository itself/],
  ] as const) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      assert.throws(() => containedPath(root, text, 'the repository'), (error: Error) => error instanceof UnsafePathError && reason.test(error.message));
    });
  }

  it('resolves plain paths, existing or not, to their real place inside the root', () => {
    const real = realpathSync(root);
    assert.deepEqual(containedPath(root, 'dags/new/x.py', 'the repository'), { real: path.join(real, 'dags', 'new', 'x.py'), relative: 'dags/new/x.py' });
    assert.deepEqual(containedPath(root, './dags//x.py', 'the repository'), { real: path.join(real, 'dags', 'x.py'), relative: 'dags/x.py' });
    assert.deepEqual(containedPath(root, '.', 'the repository', { allowRoot: true }), { real, relative: '' });
  });
});
