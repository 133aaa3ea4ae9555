import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeSource } from '../../../server/src/analysis/engine';

/** Each case with the message and 1-based line CPython (3.10 and later) reports for it. */
const CASES: Array<[string, string, string, number]> = [
  ['a def without its colon', 'def transform(rows)\n    return rows\n', "expected ':'", 1],
  ['a with block without its colon', 'with DAG("a") as dag\n    pass\n', "expected ':'", 1],
  ['a for loop without its colon', 'for row in rows\n    print(row)\n', "expected ':'", 1],
  ['a def whose header spans lines', 'def f(a,\n      b)\n    return a\n', "expected ':'", 2],
  ['a bracket never closed', 'x = [1, 2\ny = 3\n', "'[' was never closed", 1],
  ['a call never closed, in a DAG', 'with DAG("a"):\n    t = BashOperator(\n        task_id="t",\n\n    u = 1\n', "'(' was never closed", 2],
  ['a closing bracket that does not match', 'x = (1, 2]\n', "closing parenthesis ']' does not match opening parenthesis '('", 1],
  ['a closing bracket that matches on another line', 'x = (1,\n 2]\n', "closing parenthesis ']' does not match opening parenthesis '(' on line 1", 2],
  ['a closing bracket with nothing open', 'x = 1)\n', "unmatched ')'", 1],
  ['an unterminated string', 'x = "abc\ny = 1\n', 'unterminated string literal (detected at line 1)', 1],
  ['an unexpected indent', 'x = 1\n    y = 2\n', 'unexpected indent', 2],
  ['a block with no body', 'def f():\npass\n', 'expected an indented block after function definition on line 1', 2],
  ['an if with no body', 'if ready:\nx = 1\n', "expected an indented block after 'if' statement on line 1", 2],
  ['a dedent to no level', 'if a:\n    x = 1\n  y = 2\n', 'unindent does not match any outer indentation level', 3],
  ['tabs mixed with spaces', 'def f():\n        a = 1\n\treturn a\n', 'inconsistent use of tabs and spaces in indentation', 3],
];

for (const [what, source, message, line] of CASES) {
  test(`HGR001 says what Python says: ${what}`, async () => {
    const errors = (await analyzeSource({ path: 'dags/x.py', source })).findings.filter((f) => f.ruleId === 'HGR001');
    assert.deepEqual(errors.map((f) => [f.message, f.range.start.line + 1]), [[`Syntax error: ${message}`, line]]);
  });
}

test('valid block headers, nested brackets and strings with brackets raise nothing', async () => {
  const source = 'def f(a, b=(1, [2, {3: "]"}])):\n    if a:\n        return "([{"\n    else:\n        return b\n';
  assert.deepEqual((await analyzeSource({ path: 'dags/x.py', source })).findings.filter((f) => f.ruleId === 'HGR001'), []);
});
