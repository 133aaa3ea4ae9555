import type { Node, Tree } from '../../parser';

/** Problems CPython's compiler reports that tree-sitter's forgiving grammar accepts. */
export interface PythonProblem {
  readonly node: Node;
  readonly message: string;
}

const PYTHON2_STATEMENT = /^[ \t]*(?:print|exec)[ \t]+[^\s(=.,)]/m;

/** Python 2 `print x` / `exec code` statements, which the grammar still parses. */
export function python2Statements(tree: Tree, source: string): PythonProblem[] {
  // includes() first: most files have neither word, and it is much faster than the multiline regex over the file
  if ((!source.includes('print') && !source.includes('exec')) || !PYTHON2_STATEMENT.test(source)) return [];
  return tree.rootNode.descendantsOfType(['print_statement', 'exec_statement'])
    .filter((n): n is Node => n !== null)
    .map((node) => ({ node, message: `Syntax error: Python 2 ${node.type === 'print_statement' ? 'print' : 'exec'} statement; call ${node.type === 'print_statement' ? 'print(...)' : 'exec(...)'} instead` }));
}

/** An f-string whose replacement field may reuse its quote (PEP 701): the quick text test before the tree is read. */
const FSTRING_REUSE = /(?:^|[^\w])[rR]?[fF][rR]?("""|'''|"|')(?:(?!\1)[^\n\\{])*\{[^}\n]*\1|(?:^|[^\w])[rR]?[fF][rR]?["'][^\n{]*\{[^}\n]*\\/;

/**
 * f-strings only Python 3.12 accepts (PEP 701), which tree-sitter parses whatever the version: a replacement field
 * that reuses the f-string's own quote, or holds a backslash. A SyntaxError on the target Python before 3.12.
 */
export function fStringProblems(tree: Tree, source: string, python: { major: number; minor: number }): PythonProblem[] {
  if (python.major > 3 || python.minor >= 12 || !FSTRING_REUSE.test(source)) return [];
  const problems: PythonProblem[] = [];
  const seen = new Set<number>();
  for (const match of source.matchAll(new RegExp(FSTRING_REUSE.source, 'g'))) {
    const start = match.index + (match[0].search(/[rRfF]/));
    let string = tree.rootNode.descendantForIndex(start);
    while (string && string.type !== 'string') string = string.parent;
    if (!string || seen.has(string.id)) continue;
    seen.add(string.id);
    const opening = string.firstChild?.text ?? '';
    const quote = opening.replace(/^[a-zA-Z]+/, '');
    if (!/f/i.test(opening.slice(0, opening.length - quote.length))) continue;
    for (const field of string.namedChildren) {
      if (field?.type !== 'interpolation') continue;
      const expression = field.namedChildren.find((child) => child && child.type !== 'format_specifier' && child.type !== 'type_conversion');
      const text = expression?.text ?? '';
      const reason = text.includes(quote) ? `reuses its quote ${quote}, which only Python 3.12 and later accept; use the other quote character inside the braces`
        : text.includes('\\') ? 'holds a backslash, which only Python 3.12 and later accept; compute the value before the f-string' : undefined;
      if (reason) problems.push({ node: field, message: `Syntax error on Python ${python.major}.${python.minor}: this f-string's replacement field ${reason} (or set target-python to the Python your Airflow runs)` });
    }
  }
  return problems;
}
