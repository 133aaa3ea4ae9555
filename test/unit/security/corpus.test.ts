import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { securityRules } from '../../../server/src/analysis/rules/security';
import { CORPUS, formatScore, precision, recall, scoreCorpus } from './corpus';

test('security corpus: precision and recall of the security rules are at least 0.95', async () => {
  const score = await scoreCorpus();
  console.log(formatScore(score));
  assert.ok(precision(score.total) >= 0.95, `precision ${precision(score.total)}\n${formatScore(score)}`);
  assert.ok(recall(score.total) >= 0.95, `recall ${recall(score.total)}\n${formatScore(score)}`);
  for (const [id, ruleScore] of score.perRule) {
    assert.ok(ruleScore.truePositives > 0, `${id} has no true positive in the corpus`);
    assert.ok(precision(ruleScore) >= 0.75 && recall(ruleScore) >= 0.75, `${id} scores below 0.75\n${formatScore(score)}`);
  }
});

test('security corpus: every rule has a true-positive and a false-positive fixture file', () => {
  for (const kind of ['tp', 'fp']) {
    const files = readdirSync(path.join(CORPUS, kind));
    for (const rule of securityRules) {
      const prefix = `${rule.id.toLowerCase()}_${rule.name.replace(/-/g, '_')}`;
      assert.ok(files.some((file) => file.startsWith(prefix)), `missing ${kind}/${prefix}.py`);
    }
  }
});
