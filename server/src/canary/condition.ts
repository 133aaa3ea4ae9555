import type { RunStats } from './metrics';

/**
 * The promotion condition of a canary, a small language read by this parser (nothing is evaluated as code):
 *
 *   condition  := comparison ("and" comparison)*
 *   comparison := operand ("<" | "<=" | ">" | ">=" | "==" | "!=") operand
 *   operand    := metric [("+" | "-") number "%"]   e.g. live.p50 + 20%   (20 % more than live's p50)
 *               | number ["%" | "s"]                 e.g. 95%  (0.95), 30s, 3
 *   metric     := ("canary" | "live") "." name
 *   name       := success_rate | p50 | p95 | runs | failed_runs | retries | failed_tasks
 *
 * Durations (p50, p95 of run durations) are in seconds; success_rate is a fraction (95% = 0.95).
 */
export const DEFAULT_CONDITION = 'canary.success_rate >= live.success_rate and canary.p50 <= live.p50 + 20%';

export const METRICS = ['success_rate', 'p50', 'p95', 'runs', 'failed_runs', 'retries', 'failed_tasks'] as const;
type MetricName = (typeof METRICS)[number];
type Side = 'canary' | 'live';
type Comparator = '<' | '<=' | '>' | '>=' | '==' | '!=';

type Operand = { readonly kind: 'metric'; readonly side: Side; readonly name: MetricName; readonly percent: number } | { readonly kind: 'number'; readonly value: number };

interface Comparison {
  readonly text: string;
  readonly left: Operand;
  readonly op: Comparator;
  readonly right: Operand;
}

export interface Condition {
  readonly text: string;
  readonly comparisons: readonly Comparison[];
}

export interface ComparisonResult {
  readonly text: string;
  /** null when a side has no value yet (no finished run). */
  readonly holds: boolean | null;
  readonly left: number | null;
  readonly right: number | null;
}

export interface ConditionResult {
  /** True only when every comparison holds. */
  readonly holds: boolean;
  readonly comparisons: readonly ComparisonResult[];
}

const TOKEN = /(\s*)(>=|<=|==|!=|>|<|[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?|\d+(?:\.\d+)?|[%+-])/y;

/** Reads a condition; a mistake is reported with the position and what was expected there. */
export function parseCondition(text: string): Condition {
  const tokens: { text: string; at: number }[] = [];
  TOKEN.lastIndex = 0;
  while (!/^\s*$/.test(text.slice(TOKEN.lastIndex))) {
    const from = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw conditionError(text, from + /^\s*/.exec(text.slice(from))![0].length, 'a metric, a number or an operator');
    tokens.push({ text: match[2]!, at: from + match[1]!.length });
  }
  let index = 0;
  const peek = () => tokens[index];
  const end = () => text.length;
  const expect = (what: string) => conditionError(text, peek()?.at ?? end(), what);

  const operand = (): Operand => {
    const token = peek();
    if (!token) throw expect('a metric (canary.p50, live.success_rate, …) or a number');
    index++;
    if (/^\d/.test(token.text)) {
      const unit = peek()?.text;
      if (unit === '%' || unit === 's') index++;
      return { kind: 'number', value: Number(token.text) / (unit === '%' ? 100 : 1) };
    }
    const [side, name] = token.text.split('.');
    if ((side !== 'canary' && side !== 'live') || !METRICS.includes(name as MetricName)) {
      index--;
      throw expect(`a metric: canary.NAME or live.NAME with NAME one of ${METRICS.join(', ')}`);
    }
    let percent = 0;
    const sign = peek()?.text;
    if (sign === '+' || sign === '-') {
      index++;
      const amount = peek();
      if (!amount || !/^\d/.test(amount.text) || tokens[index + 1]?.text !== '%') throw expect(`a percentage after "${sign}" (e.g. ${sign} 20%)`);
      index += 2;
      percent = (sign === '+' ? 1 : -1) * Number(amount.text);
    }
    return { kind: 'metric', side, name: name as MetricName, percent };
  };

  const comparisons: Comparison[] = [];
  for (;;) {
    const start = peek()?.at ?? end();
    const left = operand();
    const op = peek();
    if (!op || !/^(<|<=|>|>=|==|!=)$/.test(op.text)) throw expect('a comparison (<, <=, >, >=, ==, !=)');
    index++;
    const right = operand();
    const stop = peek()?.at ?? end();
    comparisons.push({ text: text.slice(start, stop).trim(), left, op: op.text as Comparator, right });
    if (!peek()) break;
    if (peek()!.text !== 'and') throw expect('"and" or the end of the condition');
    index++;
  }
  return { text, comparisons };
}

function conditionError(text: string, at: number, expected: string): Error {
  return new Error(`The condition "${text}" cannot be read at position ${at + 1}: expected ${expected}. Example: ${DEFAULT_CONDITION}`);
}

function value(operand: Operand, sides: Readonly<Record<Side, RunStats>>): number | null {
  if (operand.kind === 'number') return operand.value;
  const stats = sides[operand.side];
  const raw = { success_rate: stats.successRate, p50: stats.p50, p95: stats.p95, runs: stats.runs, failed_runs: stats.failed, retries: stats.retries, failed_tasks: stats.failedTasks }[operand.name];
  return raw === null ? null : raw * (1 + operand.percent / 100);
}

const COMPARE: Record<Comparator, (a: number, b: number) => boolean> = {
  '<': (a, b) => a < b,
  '<=': (a, b) => a <= b,
  '>': (a, b) => a > b,
  '>=': (a, b) => a >= b,
  '==': (a, b) => a === b,
  '!=': (a, b) => a !== b,
};

export function evaluateCondition(condition: Condition, live: RunStats, canary: RunStats): ConditionResult {
  const comparisons = condition.comparisons.map((c): ComparisonResult => {
    const left = value(c.left, { live, canary });
    const right = value(c.right, { live, canary });
    return { text: c.text, left, right, holds: left === null || right === null ? null : COMPARE[c.op](left, right) };
  });
  return { holds: comparisons.every((c) => c.holds === true), comparisons };
}
