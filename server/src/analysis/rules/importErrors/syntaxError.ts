import { syntaxErrors } from '../../syntaxErrors';
import { py } from '../helpers';
import type { Rule } from '../rule';
import type { Finding, Range } from '../../findings';
import { scanPythonText, type TextProblem, type TextScan } from '../../pythonText';
import { python2Statements } from './pythonChecks';

export const syntaxError: Rule = {
  id: 'HGR001',
  name: 'syntax-error',
  title: 'Python syntax error',
  family: 'import-error',
  severity: 'error',
  reference: 'https://docs.python.org/3/reference/grammar.html',
  doc: `The file is not valid Python, so Airflow cannot import it and lists it under import errors.

**Bad**
${py('with DAG("etl", schedule="@daily")\n    extract = BashOperator(task_id="extract", bash_command="run")')}

**Good**
${py('with DAG("etl", schedule="@daily"):\n    extract = BashOperator(task_id="extract", bash_command="run")')}`,
  check(context) {
    const first = firstSyntaxError(syntaxErrors(context.tree, context.source), scanPythonText(context.source), context.source);
    if (first) context.report(first.range, first.message);
    for (const problem of python2Statements(context.tree, context.source)) context.report(problem.node, problem.message);
    const repeated = scanPythonText(context.source).repeatedKeyword;
    if (repeated) context.report(lineRange(repeated, context.source), `Syntax error: ${repeated.message}`);
  },
};

/** From a problem's position to the end of its line. */
function lineRange(problem: TextProblem, source: string): Range {
  const start = { line: problem.line, character: problem.character };
  const lineEnd = source.split('\n', problem.line + 1)[problem.line]?.trimEnd().length ?? start.character;
  return { start, end: { line: start.line, character: Math.max(start.character, lineEnd) } };
}

const before = (a: { line: number; character: number }, b: { line: number; character: number }): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);

/**
 * The one syntax error Python would report: the first in the file. Problems of Python's tokenizer (a bracket
 * never closed or mismatched, an unterminated string, indentation) explain the parse errors tree-sitter reports
 * around them, so a parse error whose range holds one gives way to it, with Python's message.
 */
function firstSyntaxError(parseErrors: readonly Finding[], scan: TextScan, source: string): Finding | undefined {
  const at = (p: TextProblem, range: Range): Finding => ({ ruleId: 'HGR001', severity: 'error', message: `Syntax error: ${p.message}`, range });
  const tokenizer = [
    ...(scan.brackets ? [at(scan.brackets, { start: scan.brackets, end: { line: scan.brackets.line, character: scan.brackets.character + 1 } })] : []),
    ...[scan.unterminated, scan.indentation].flatMap((p) => (p ? [at(p, lineRange(p, source))] : [])),
  ];
  const explained = (error: Finding): boolean => tokenizer.some((t) => before(error.range.start, t.range.start) && before(t.range.start, error.range.end));
  const candidates = [...parseErrors.filter((e) => !explained(e)), ...tokenizer];
  return candidates.sort((a, b) => (before(a.range.start, b.range.start) ? -1 : 1))[0];
}
