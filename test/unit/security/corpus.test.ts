import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { securityRules } from '../../../server/src/analysis/rules/security';
import { atLeastFloor, floors } from '../../support/floors';
import { CORPUS, formatScore, precision, recall, scoreCorpus } from './corpus';

test('security corpus: precision and recall of the security rules hold the figures the README claims', async () => {
  const score = await scoreCorpus();
  const table = formatScore(score);
  console.log(table);
  const rounded = (value: number) => Math.round(value * 1000) / 1000;
  atLeastFloor('securityCorpusFiles', score.files, table);
  atLeastFloor('securityExpectedFindings', score.total.truePositives + score.total.falseNegatives, table);
  atLeastFloor('securityPrecision', rounded(precision(score.total)), table);
  atLeastFloor('securityRecall', rounded(recall(score.total)), table);
  for (const [id, ruleScore] of score.perRule) {
    assert.ok(ruleScore.truePositives > 0, `${id} has no true positive in the corpus`);
    assert.ok(rounded(precision(ruleScore)) >= floors.securityRulePrecision, `${id}: precision ${precision(ruleScore)} below the floor\n${table}`);
    assert.ok(rounded(recall(ruleScore)) >= floors.securityRuleRecall, `${id}: recall ${recall(ruleScore)} below the floor\n${table}`);
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
