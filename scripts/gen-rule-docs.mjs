// Rewrites the rule table of README.md (between <!-- rules:start --> and <!-- rules:end -->) from the rule catalog.
// Run: node --import tsx scripts/gen-rule-docs.mjs   (test/unit/analysis/readme.test.ts fails when the table is stale)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { withRuleTable } from '../server/src/analysis/rules/ruleTable.ts';

const readme = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'README.md');
const before = readFileSync(readme, 'utf8');
const after = withRuleTable(before);
if (after === undefined) {
  console.error('README.md has no <!-- rules:start --> / <!-- rules:end --> markers; add them inside the rules section.');
  process.exit(1);
}
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README rule table is up to date.' : 'README rule table updated.');
