import { createHash } from 'node:crypto';
import type { Node } from '../analysis/parser';

/**
 * The canonical form of Python source the DAG diff compares: the node's tokens without comments and line
 * continuations, without a trailing comma before a closing bracket (`(x,)` keeps its comma), with simple strings
 * in double quotes, joined with single spaces where a reader expects them (`f(a, b)`, `{"k": 1}`, `a >> b`); the
 * statements of a block are wrapped in `{ }` since indentation has no token. It depends on the tokens and the
 * syntax tree only, so texts that differ in layout, comments or quote style have the same canonical form.
 *
 * `described` (node ids) leaves nodes out, with the syntax that only binds or wraps them: `x = <described>`, an
 * emptied statement, `with <described> as x:` (its body stays, unwrapped), the commas around a left-out argument.
 */
export function canonicalText(node: Node, described?: ReadonlySet<number>): string {
  const tokens: Token[] = [];
  new Collector(tokens, described ?? new Set()).node(node);
  let text = '';
  let previous: Token | undefined;
  for (const token of tokens) {
    if (previous && spaceBetween(previous, token)) text += ' ';
    text += token.text;
    previous = token;
  }
  return text;
}

/** A short, stable digest of a text (for code that is compared, not shown). */
export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
}

interface Token {
  readonly text: string;
  /** An operator that reads better with spaces around it (`a >> b`, `x = 1`, `a == b`). */
  readonly spaced: boolean;
  /** `:` of a dict entry or a lambda, which reads better followed by a space. */
  readonly colon: boolean;
}

const SPACED_PARENTS = new Set(['binary_operator', 'comparison_operator', 'boolean_operator', 'assignment', 'augmented_assignment', 'conditional_expression']);
const TUPLES = new Set(['tuple', 'expression_list', 'pattern_list', 'tuple_pattern']);
const CLOSING = new Set([')', ']', '}']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'for', 'lambda', 'await', 'async', 'from', 'yield', 'return', 'import', 'as', 'with', 'del', 'assert', 'raise', 'elif', 'while', 'except', 'def', 'class', 'global', 'nonlocal']);

class Collector {
  constructor(private readonly out: Token[], private readonly described: ReadonlySet<number>) {}

  node(node: Node): void {
    if (node.isExtra || this.leftOut(node)) return;
    if (node.type === 'string') return this.push(canonicalString(node));
    if (node.childCount === 0) {
      const parent = node.parent?.type ?? '';
      this.out.push({ text: node.text, spaced: !node.isNamed && SPACED_PARENTS.has(parent), colon: node.text === ':' && (parent === 'pair' || parent === 'lambda') });
      return;
    }
    const children = node.children.filter((c): c is Node => c !== null && !c.isExtra);
    if (node.type === 'module' || node.type === 'block') return this.statements(children, node.type === 'block');
    if (node.type === 'with_statement' && this.onlyWrapsDescribed(node)) {
      const body = node.childForFieldName('body');
      return this.statements(body ? body.children.filter((c): c is Node => c !== null && !c.isExtra) : [], false);
    }
    const kept = children.filter((c) => !this.leftOut(c));
    const singleTuple = TUPLES.has(node.type) && children.filter((c) => c.isNamed).length === 1;
    kept.forEach((child, i) => {
      if (child.type !== ',' || separates(kept[i - 1], kept[i + 1]) || (singleTuple && kept[i - 1]?.isNamed)) this.node(child);
    });
  }

  /** Statements in order, separated by `;`; a statement that leaves nothing is dropped with its separator. */
  private statements(children: readonly Node[], wrap: boolean): void {
    if (wrap) this.push('{');
    let first = true;
    for (const statement of children) {
      if (statement.type === ';') continue;
      const start = this.out.length;
      if (!first) this.push(';');
      this.node(statement);
      if (this.out.length === start + (first ? 0 : 1)) this.out.length = start;
      else first = false;
    }
    if (wrap) this.push('}');
  }

  /** Described, or syntax that only binds a described value (`x = <described>`, `<described> as x`). */
  private leftOut(node: Node): boolean {
    if (this.described.has(node.id)) return true;
    if (this.described.size === 0) return false;
    if (node.type === 'assignment') return this.isDescribed(node.childForFieldName('right'));
    if (node.type === 'with_item') return this.isDescribed(withValue(node));
    if (node.type === 'import_from_statement' || node.type === 'import_statement') {
      const names = node.childrenForFieldName('name');
      return names.length > 0 && names.every((n) => this.isDescribed(n));
    }
    return false;
  }

  private onlyWrapsDescribed(statement: Node): boolean {
    const clause = statement.namedChildren.find((c) => c?.type === 'with_clause');
    const items = clause?.namedChildren.filter((c): c is Node => c?.type === 'with_item') ?? [];
    return items.length > 0 && items.every((item) => this.leftOut(item));
  }

  private isDescribed(node: Node | null | undefined): boolean {
    return node !== null && node !== undefined && this.described.has(node.id);
  }

  private push(text: string): void {
    this.out.push({ text, spaced: false, colon: false });
  }
}

/** A comma between two things; not after `(`, `import` or another comma, nor a trailing one. */
function separates(previous: Node | undefined, next: Node | undefined): boolean {
  const afterSomething = previous !== undefined && (previous.isNamed || CLOSING.has(previous.type));
  const beforeSomething = next !== undefined && next.type !== ',' && !CLOSING.has(next.type);
  return afterSomething && beforeSomething;
}

/** The value of `with X as y` / `with X`: X. */
function withValue(item: Node): Node | null {
  const value = item.childForFieldName('value');
  return value?.type === 'as_pattern' ? value.namedChild(0) : value;
}

/** `'x'` and `"x"` (and `'''x'''` / `"""x"""`) are one value; strings with prefixes, escapes or inner double quotes stay as written. */
function canonicalString(node: Node): string {
  const text = node.text;
  const simple = node.namedChildren.every((c) => c === null || c.type === 'string_start' || c.type === 'string_end' || (c.type === 'string_content' && c.namedChildCount === 0));
  if (!simple) return text;
  const quote = /^('''|')/.exec(text)?.[1];
  if (!quote) return text;
  const content = text.slice(quote.length, text.length - quote.length);
  if (content.includes('"') || content.includes('\\')) return text;
  const double = quote.length === 3 ? '"""' : '"';
  return `${double}${content}${double}`;
}

function spaceBetween(previous: Token, next: Token): boolean {
  if (CLOSING.has(next.text) || next.text === ',' || (next.text === ':' && !next.spaced)) return false;
  if (previous.text === ',' || previous.colon || previous.spaced || next.spaced) return true;
  if (KEYWORDS.has(previous.text) || KEYWORDS.has(next.text)) return true;
  return /[\w"']$/.test(previous.text) && /^[\w"']/.test(next.text);
}
