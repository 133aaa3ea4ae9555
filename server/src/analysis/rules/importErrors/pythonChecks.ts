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
