import { syntaxErrors } from '../../syntaxErrors';
import { py } from '../helpers';
import type { Rule } from '../rule';
import { scanPythonText } from '../../pythonText';
import { fStringProblems, python2Statements } from './pythonChecks';

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
    const errors = syntaxErrors(context.tree);
    for (const finding of errors) context.report(finding.range, finding.message);
    for (const problem of python2Statements(context.tree, context.source)) context.report(problem.node, problem.message);
    if (errors.length === 0) for (const problem of fStringProblems(context.tree, context.source, context.target.python)) context.report(problem.node, problem.message);
    const scan = scanPythonText(context.source);
    for (const problem of [scan.repeatedKeyword, errors.length === 0 ? scan.indentation : undefined]) {
      if (!problem) continue;
      const start = { line: problem.line, character: problem.character };
      const lineEnd = context.source.split('\n', problem.line + 1)[problem.line]?.trimEnd().length ?? start.character;
      context.report({ start, end: { line: start.line, character: Math.max(start.character, lineEnd) } }, `Syntax error: ${problem.message}`);
    }
  },
};
