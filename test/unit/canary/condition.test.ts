import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DEFAULT_CONDITION, evaluateCondition, parseCondition } from '../../../server/src/canary/condition';
import type { RunStats } from '../../../server/src/canary/metrics';

function stats(values: Partial<RunStats>): RunStats {
  return { dagId: 'x', runs: 5, succeeded: 5, failed: 0, pending: 0, successRate: 1, p50: 10, p95: 12, retries: 0, failedTasks: 0, tasks: {}, ...values };
}

describe('canary condition language', () => {
  test('the default: success rate at least live, p50 within +20 %', () => {
    const condition = parseCondition(DEFAULT_CONDITION);
    assert.equal(evaluateCondition(condition, stats({}), stats({ p50: 12 })).holds, true, '12 s is within 10 s + 20 %');
    assert.equal(evaluateCondition(condition, stats({}), stats({ p50: 12.5 })).holds, false);
    assert.equal(evaluateCondition(condition, stats({}), stats({ successRate: 0.8 })).holds, false);
    const result = evaluateCondition(condition, stats({ p50: 10 }), stats({ p50: 11 }));
    assert.deepEqual(
      result.comparisons.map((c) => [c.text, c.left, c.right, c.holds]),
      [
        ['canary.success_rate >= live.success_rate', 1, 1, true],
        ['canary.p50 <= live.p50 + 20%', 11, 12, true],
      ],
    );
  });

  test('numbers with % and s, every comparator, minus percentages', () => {
    const condition = parseCondition('canary.success_rate >= 95% and canary.p95 < 30s and canary.retries == 0 and canary.failed_tasks != 1 and live.runs > 2 and canary.p50 <= live.p50 - 10%');
    assert.equal(evaluateCondition(condition, stats({ p50: 10 }), stats({ successRate: 0.96, p95: 29, p50: 9 })).holds, true);
    assert.equal(evaluateCondition(condition, stats({ p50: 10 }), stats({ successRate: 0.96, p95: 29, p50: 9.5 })).holds, false, '9.5 > 10 − 10 %');
  });

  test('a side without finished runs makes a comparison unknown, and the condition does not hold', () => {
    const result = evaluateCondition(parseCondition(DEFAULT_CONDITION), stats({ runs: 0, successRate: null, p50: null }), stats({}));
    assert.equal(result.holds, false);
    assert.deepEqual(result.comparisons.map((c) => c.holds), [null, null]);
  });

  test('mistakes are reported with the position and what was expected; nothing is evaluated as code', () => {
    assert.throws(() => parseCondition('canary.p50 <= live.p50 * 2'), /position 24: expected a metric, a number or an operator/);
    assert.throws(() => parseCondition('canary.p50 live.p50'), /position 12: expected a comparison/);
    assert.throws(() => parseCondition('canary.latency < 3'), /position 1: expected a metric: canary\.NAME or live\.NAME/);
    assert.throws(() => parseCondition('process.exit(1) < 3'), /expected a metric/);
    assert.throws(() => parseCondition('canary.p50 <= live.p50 + 20'), /expected a percentage after "\+"/);
    assert.throws(() => parseCondition('canary.p50 < 3 or live.p50 > 1'), /position 16: expected "and" or the end/);
    assert.throws(() => parseCondition(''), /expected a metric .* or a number/);
  });
});
