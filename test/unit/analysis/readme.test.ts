import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { catalog } from '../../../server/src/analysis/rules/catalog';
import { withRuleTable } from '../../../server/src/analysis/rules/ruleTable';

const README = path.resolve(__dirname, '../../../README.md');

describe('README rule table', () => {
  it('matches the catalog (regenerate with: node --import tsx scripts/gen-rule-docs.mjs)', () => {
    const readme = readFileSync(README, 'utf8');
    const expected = withRuleTable(readme);
    assert.ok(expected !== undefined, 'README.md lacks the <!-- rules:start --> / <!-- rules:end --> markers');
    assert.equal(readme, expected, 'the README rule table is stale: run node --import tsx scripts/gen-rule-docs.mjs');
  });

  it('every rule is well-formed: HGR + 3 digits, unique id and name, doc with a bad and a good example', () => {
    const ids = new Set<string>();
    const names = new Set<string>();
    for (const rule of catalog) {
      assert.match(rule.id, /^HGR\d{3}$/);
      assert.match(rule.name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(!ids.has(rule.id) && !names.has(rule.name), `duplicate ${rule.id} ${rule.name}`);
      ids.add(rule.id);
      names.add(rule.name);
      assert.match(rule.doc, /\*\*Bad\*\*[\s\S]*\*\*Good\*\*/, `${rule.id} doc needs a bad and a good example`);
      assert.ok(rule.reference.length > 0, `${rule.id} needs a reference`);
      const family = { 'import-error': /^HGR0/, airflow3: /^HGR1/, practice: /^HGR2/, security: /^HGR[34]/ }[rule.family];
      assert.match(rule.id, family, `${rule.id} is in family ${rule.family}`);
    }
  });
});
