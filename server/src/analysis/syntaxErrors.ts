import type { Finding, Range } from './findings';
import type { Node, Tree } from './parser';

const MAX_SYNTAX_FINDINGS = 20;

/** Statements that open a block, whose header must end with ':'. */
const BLOCK_HEADER = /^(?:async\s+)?(?:def|class|if|elif|else|for|while|with|try|except|finally)\b/;

/**
 * The last line of a block statement's header that starts at `line:character` and does not end with ':' (its
 * logical line, brackets and strings followed), or undefined. Python reports that as "expected ':'" there.
 */
function headerWithoutColon(lines: readonly string[], line: number, character: number): Range | undefined {
  if (!BLOCK_HEADER.test(lines[line]?.slice(character) ?? '')) return undefined;
  let depth = 0;
  let quote = '';
  for (let row = line; row < lines.length && row < line + 50; row++) {
    const text = lines[row]!;
    let last = '';
    let lastColumn = 0;
    for (let col = row === line ? character : 0; col < text.length; col++) {
      const c = text[col]!;
      if (quote) {
        if (c === '\\') col++;
        else if (text.startsWith(quote, col)) {
          col += quote.length - 1;
          quote = '';
        }
        continue;
      }
      if (c === '#') break;
      if (c === '"' || c === "'") quote = text.startsWith(c.repeat(3), col) ? c.repeat(3) : c;
      else if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth = Math.max(0, depth - 1);
      if (c.trim()) {
        last = c;
        lastColumn = col + 1;
      }
    }
    if (quote.length === 1) quote = '';
    if (depth === 0 && !quote && !text.trimEnd().endsWith('\\')) {
      if (last === ':') return undefined;
      // Python points at the end of the header: its last line.
      const start = row === line ? character : text.length - text.trimStart().length;
      return { start: { line: row, character: start }, end: { line: row, character: lastColumn } };
    }
  }
  return undefined;
}

function finding(range: Range, message: string): Finding {
  return { ruleId: 'HGR001', severity: 'error', message: `Syntax error: ${message}`, range };
}

function rangeOfNode(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

/** What a parse error means, in Python's words where Hangar can tell ("expected ':'"), with its range. */
function describe(node: Node, lines: readonly string[]): Finding {
  if (node.isMissing) return finding(rangeOfNode(node), node.type === ':' ? "expected ':'" : `missing "${node.type}"`);
  const header = headerWithoutColon(lines, node.startPosition.row, node.startPosition.column);
  if (header) return finding(header, "expected ':'");
  const text = node.text.split('\n')[0]?.slice(0, 40) ?? '';
  return finding(rangeOfNode(node), text ? `unexpected "${text}"` : 'invalid syntax');
}

/** Every ERROR and MISSING node, outermost first, with the exact range tree-sitter gives (or the header's, for a missing ':'). */
export function syntaxErrors(tree: Tree, source: string): Finding[] {
  const findings: Finding[] = [];
  if (!tree.rootNode.hasError) return findings;
  const lines = source.split('\n');
  const visit = (node: Node): void => {
    if (findings.length >= MAX_SYNTAX_FINDINGS) return;
    if (node.isError || node.isMissing) {
      findings.push(describe(node, lines));
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
