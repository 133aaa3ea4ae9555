import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const FLOORS_FILE = path.resolve(__dirname, '..', 'accuracy-floors.json');

export type Floor =
  | 'brokenFixtures'
  | 'shippedExampleFiles'
  | 'cleanFilesImported'
  | 'rejectedFilesOnAirflowLine'
  | 'modelEdgesMatched'
  | 'modelEdgeRecall'
  | 'securityCorpusFiles'
  | 'securityExpectedFindings'
  | 'securityPrecision'
  | 'securityRecall'
  | 'securityRulePrecision'
  | 'securityRuleRecall';

export const floors = JSON.parse(readFileSync(FLOORS_FILE, 'utf8')) as Record<Floor, number>;

/**
 * A ratchet: the measurement must reach the floor the README claims; a measurement above it is printed so
 * the floor (and the README) can be raised.
 */
export function atLeastFloor(name: Floor, measured: number, detail = ''): void {
  const floor = floors[name];
  assert.ok(measured >= floor, `${name}: measured ${measured}, below the floor ${floor} in test/accuracy-floors.json${detail ? `\n${detail}` : ''}`);
  if (measured > floor) process.stdout.write(`floor ${name}: measured ${measured} > ${floor}: raise it in test/accuracy-floors.json and the README\n`);
}
