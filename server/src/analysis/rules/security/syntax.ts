import type { Range } from '../../findings';
import type { Node, Tree } from '../../parser';
import type { RuleContext } from '../rule';

/** The string literal that contains source offset `index`, or undefined (comments, code). */
export function stringAt(tree: Tree, index: number): Node | undefined {
  let node: Node | null = tree.rootNode.descendantForIndex(index) ?? null;
  for (let depth = 0; node && depth < 4; depth++, node = node.parent) {
    if (node.type === 'string') return node;
    if (node.type === 'comment' || node.type === 'module' || node.type === 'block') return undefined;
  }
  return undefined;
}

/** The smallest named node at `index` (the root when nothing smaller covers it). */
export function nodeAt(tree: Tree, index: number): Node {
  return tree.rootNode.namedDescendantForIndex(index) ?? tree.rootNode;
}

export interface StringLiteral {
  /** Text between the quotes, escapes left as written. */
  readonly value: string;
  /** Source offset of the first character of `value`. */
  readonly valueStart: number;
  /** f-string with at least one `{...}` replacement. */
  readonly interpolated: boolean;
}

/** Only so much of a literal is read: keys and tokens are short, and a 1 MB heredoc must not cost a keystroke. */
export const MAX_LITERAL_LENGTH = 8192;

export function literalOf(node: Node): StringLiteral | undefined {
  if (node.type !== 'string' || node.endIndex - node.startIndex > MAX_LITERAL_LENGTH) return undefined;
  const start = node.firstChild;
  const end = node.lastChild;
  if (!start || !end || start.type !== 'string_start' || end.type !== 'string_end') return undefined;
  const text = node.text;
  const open = start.endIndex - node.startIndex;
  const close = end.startIndex - node.startIndex;
  const interpolated = /f/i.test(start.text) && node.namedChildren.some((child) => child?.type === 'interpolation');
  return { value: text.slice(open, close), valueStart: start.endIndex, interpolated };
}

/** A docstring or a bare string statement: documentation, where URIs and paths are examples. */
export function isDocString(node: Node): boolean {
  return node.parent?.type === 'expression_statement' && node.parent.namedChildCount === 1;
}

/** The call whose argument list holds `keywordArgument`. */
export function callOfKeyword(keywordArgument: Node): Node | undefined {
  const list = keywordArgument.parent;
  const call = list?.parent;
  return list?.type === 'argument_list' && call?.type === 'call' ? call : undefined;
}

export function keywordArgument(call: Node, name: string): Node | undefined {
  const args = call.childForFieldName('arguments');
  for (const arg of args?.namedChildren ?? []) {
    if (arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name) return arg;
  }
  return undefined;
}

/** Dotted callee with its first segment resolved through the imports: `sp.run` -> `subprocess.run`. */
export function calleeName(context: RuleContext, call: Node): string | undefined {
  const callee = call.childForFieldName('function');
  if (!callee || (callee.type !== 'identifier' && callee.type !== 'attribute')) return undefined;
  const text = callee.text.replace(/\s+/g, '');
  const dot = text.indexOf('.');
  const head = dot < 0 ? text : text.slice(0, dot);
  const resolved = context.model.qualifiedName(head);
  return resolved === undefined ? text : resolved + (dot < 0 ? '' : text.slice(dot));
}

/** The `call` node whose callee name ends at the trigger `name(`. */
export function callAt(tree: Tree, index: number): Node | undefined {
  let node: Node | null = nodeAt(tree, index);
  for (let depth = 0; node && depth < 3; depth++, node = node.parent) {
    if (node.type === 'call') return node;
  }
  return undefined;
}

/** Range of source offsets [start, end) that lie inside `node` (for a match inside a literal). */
export function rangeWithin(node: Node, source: string, start: number, end: number): Range {
  return { start: positionFrom(node, source, start), end: positionFrom(node, source, end) };
}

function positionFrom(node: Node, source: string, offset: number): Range['start'] {
  let { row: line, column: character } = node.startPosition;
  for (let i = node.startIndex; i < offset; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      character = 0;
    } else {
      character++;
    }
  }
  return { line, character };
}
