import type { Finding } from './findings';
import type { Node, Tree } from './parser';

const MAX_SYNTAX_FINDINGS = 20;

function describe(node: Node): string {
  if (node.isMissing) return `Syntax error: missing "${node.type}"`;
  const text = node.text.split('\n')[0]?.slice(0, 40) ?? '';
  return text ? `Syntax error: unexpected "${text}"` : 'Syntax error';
}

/** Every ERROR and MISSING node, outermost first, with the exact range tree-sitter gives. */
export function syntaxErrors(tree: Tree): Finding[] {
  const findings: Finding[] = [];
  if (!tree.rootNode.hasError) return findings;
  const visit = (node: Node): void => {
    if (findings.length >= MAX_SYNTAX_FINDINGS) return;
    if (node.isError || node.isMissing) {
      findings.push({
        ruleId: 'HGR001',
        severity: 'error',
        message: describe(node),
        range: {
          start: { line: node.startPosition.row, character: node.startPosition.column },
          end: { line: node.endPosition.row, character: node.endPosition.column },
        },
      });
      return;
    }
    for (const child of node.children) {
      if (child && child.hasError) visit(child);
      else if (child?.isMissing) visit(child);
    }
  };
  visit(tree.rootNode);
  return findings;
}
