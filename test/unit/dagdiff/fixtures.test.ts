import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FIXTURES, fixtureCases, fixtureDiff, renderedText } from './fixtureTrees';

// One case per change kind: test/fixtures/dagdiff/<case>/{before,after}(.py|/), with the exact structured diff
// (expected.json) and its text forms (expected.txt: `hangar diff`, the plain summary, the Markdown summary).
const CASES = [
  'constants', 'dag-added', 'dag-moved', 'dag-removed', 'dag-renamed', 'dag-renamed-moved', 'dag-settings', 'default-args',
  'edges-chain', 'edges-shift', 'mapped-and-inputs', 'not-renamed', 'operator-changed', 'other-code', 'other-files',
  'python-callable', 'task-added-removed', 'task-arguments', 'taskflow', 'taskgroup-move', 'template-fields', 'unknown-ids',
  'whitespace-only',
];

test('every fixture folder is a listed case (a new case cannot be skipped silently)', () => {
  assert.deepEqual(fixtureCases(), CASES);
});

for (const name of CASES) {
  test(`dagdiff fixture ${name}: exact structured diff and text`, async () => {
    const diff = await fixtureDiff(name);
    assert.deepEqual(diff, JSON.parse(readFileSync(path.join(FIXTURES, name, 'expected.json'), 'utf8')));
    assert.equal(renderedText(diff), readFileSync(path.join(FIXTURES, name, 'expected.txt'), 'utf8'));
  });
}

test('a whitespace-, comment- and quote-only change is no change at all', async () => {
  const diff = await fixtureDiff('whitespace-only');
  assert.deepEqual(diff.dags, { added: [], removed: [], changed: [], unchanged: 1 });
});
