import type { Range } from '../findings';
import type { Node } from '../parser';
import type { Known } from './types';

/** Small, allocation-light readers over tree-sitter Python nodes, shared by the model builder and the rules. */

export function rangeOf(node: Node): Range {
  return {
    start: { line: node.startPosition.row, character: node.startPosition.column },
    end: { line: node.endPosition.row, character: node.endPosition.column },
  };
}

export function known<T>(value: T): Known<T> {
  return { known: true, value };
}

export function unknown<T>(why: string): Known<T> {
  return { known: false, why };
}

/** A keyword argument starts with `name =` (not `==`); nothing else in an argument list does. */
const KEYWORD_START = /([A-Za-z_]\w*)\s*=(?!=)/y;

/**
 * Keyword arguments of a call by name; `**kwargs` is stored under `**`. Arguments are told apart and named from
 * `source`: every node read is a call into WebAssembly, and this runs for every call of interest.
 */
export function keywordArguments(call: Node, source: string): Map<string, Node> {
  const result = new Map<string, Node>();
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return result;
  for (const arg of args.namedChildren) {
    if (!arg) continue;
    const start = arg.startIndex;
    KEYWORD_START.lastIndex = start;
    const keyword = KEYWORD_START.exec(source);
    if (keyword) {
      const value = arg.childForFieldName('value');
      if (value) result.set(keyword[1]!, value);
    } else if (source.startsWith('**', start)) {
      result.set('**', arg);
    }
  }
  return result;
}

/**
 * The outermost call whose text starts at `index` (`f(...)`, `a.b(...)`, `f.override(...)(...)`), if any; with
 * `calleeEnd`, only a call whose callee ends there (`a.b(...)`, not `a.b(...).c(...)`).
 */
export function callStartingAt(root: Node, index: number, calleeEnd?: number): Node | undefined {
  let node: Node | null = root.descendantForIndex(index);
  let call: Node | undefined;
  while (node && node.startIndex === index) {
    const type = node.type;
    if (type === 'call') {
      if (calleeEnd === undefined || node.childForFieldName('function')?.endIndex === calleeEnd) call = node;
    } else if (type !== 'identifier' && type !== 'attribute') break;
    node = node.parent;
  }
  return call;
}

/** Positional arguments of a call (not keywords, not splats). */
export function positionalArguments(call: Node): Node[] {
  const args = call.childForFieldName('arguments');
  if (!args || args.type !== 'argument_list') return [];
  const result: Node[] = [];
  for (const arg of args.namedChildren) {
    if (!arg || arg.type === 'keyword_argument' || arg.type === 'comment') continue;
    result.push(arg);
  }
  return result;
}

/** The keyword_argument node (name = value) that holds `value`, if any. */
export function keywordArgumentOf(value: Node): Node | undefined {
  const parent = value.parent;
  return parent?.type === 'keyword_argument' ? parent : undefined;
}

/** `a.b.c` for identifiers and attribute chains, undefined for anything else. */
export function dottedName(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type === 'attribute') {
    const object = node.childForFieldName('object');
    const attribute = node.childForFieldName('attribute');
    if (!object || !attribute) return undefined;
    const head = dottedName(object);
    return head === undefined ? undefined : `${head}.${attribute.text}`;
  }
  return undefined;
}

const SIMPLE_STRING = /^([rRuUfF]{0,2})("""|'''|"|')([\s\S]*)\2$/;

/** Contents of a plain string literal (no interpolation, no bytes, no escapes), else undefined. Read from the text. */
export function plainString(node: Node): string | undefined {
  const type = node.type;
  if (type === 'concatenated_string') {
    let text = '';
    for (const part of node.namedChildren) {
      const value = part ? plainString(part) : undefined;
      if (value === undefined) return undefined;
      text += value;
    }
    return text;
  }
  if (type !== 'string') return undefined;
  const match = SIMPLE_STRING.exec(node.text);
  if (!match) return undefined;
  const prefix = match[1]!.toLowerCase();
  const body = match[3]!;
  if (body.includes('\\') && !prefix.includes('r')) return undefined;
  if (prefix.includes('f') && body.includes('{')) return undefined;
  return body;
}

/** Identifiers bound by an assignment target (`a`, `a, b`, `[a, *b]`); attributes and subscripts bind nothing. */
export function targetNames(node: Node, into: string[] = []): string[] {
  switch (node.type) {
    case 'identifier':
      into.push(node.text);
      break;
    case 'pattern_list':
    case 'tuple_pattern':
    case 'list_pattern':
    case 'tuple':
    case 'list':
    case 'parenthesized_expression':
    case 'list_splat_pattern':
    case 'list_splat':
      for (const child of node.namedChildren) if (child) targetNames(child, into);
      break;
    default:
      break;
  }
  return into;
}

/** Identifiers bound by a parameter list. */
export function parameterNames(parameters: Node, into: string[] = []): string[] {
  for (const parameter of parameters.namedChildren) {
    if (!parameter) continue;
    if (parameter.type === 'identifier') into.push(parameter.text);
    else {
      const name = parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier');
      if (name?.type === 'identifier') into.push(name.text);
    }
  }
  return into;
}

/** Name of the decorator (`dag`, `task.bash`) and its call node when written `@x(...)`. */
export function decoratorTarget(decorator: Node): { expression: Node; call?: Node } | undefined {
  const expression = decorator.namedChildren.find((c) => c && c.type !== 'comment');
  if (!expression) return undefined;
  if (expression.type === 'call') {
    const fn = expression.childForFieldName('function');
    return fn ? { expression: fn, call: expression } : undefined;
  }
  return { expression };
}

const HEAD = /[A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*/y;

/** The dotted name a call starts with (`BashOperator`, `Op.partial`, `chain`), read from the text. */
export function calleeHead(source: string, start: number): string | undefined {
  HEAD.lastIndex = start;
  const match = HEAD.exec(source);
  return match ? match[0].replace(/\s+/g, '') : undefined;
}

/** The enclosing statement-level node types that start a new scope or loop for a node inside an expression. */
export const LOOP_EXPRESSIONS = new Set(['list_comprehension', 'generator_expression', 'set_comprehension', 'dictionary_comprehension', 'lambda']);
