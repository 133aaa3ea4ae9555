import { createHash } from 'node:crypto';
import type { Node } from '../analysis/parser';

/**
 * The canonical form of Python source the DAG diff compares: a node's tokens without comments and line
 * continuations, without a trailing comma before a closing bracket (`(x,)` keeps its comma), with simple strings
 * in double quotes, joined with single spaces where a reader expects them (`f(a, b)`, `{"k": 1}`, `a >> b`); the
 * statements of a block are wrapped in `{ }` since indentation has no token. It depends on the tokens and the
 * syntax tree only, so texts that differ in layout, comments or quote style have the same canonical form.
 *
 * The tree is copied once into plain arrays (one cursor walk): reading tree-sitter nodes one by one costs a call
 * into WebAssembly per property, and a snapshot reads most of a file several times.
 */
export class SourceText {
  private readonly types: string[] = [];
  private readonly named: boolean[] = [];
  private readonly fields: (string | null)[] = [];
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly ids: number[] = [];
  private readonly children: number[][] = [];
  private readonly indexById = new Map<number, number>();
  private readonly source: string;
  private readonly offset: number;
  private readonly language: Node['tree']['language'];
  private readonly typeInfo = new Map<number, { type: string; named: boolean }>();

  constructor(root: Node) {
    this.language = root.tree.language;
    this.source = root.text;
    this.offset = root.startIndex;
    const cursor = root.walk();
    try {
      const parents: number[] = [];
      let current = this.add(cursor, -1);
      for (;;) {
        if (cursor.gotoFirstChild()) {
          parents.push(current);
          current = this.add(cursor, current);
          continue;
        }
        this.setRange(current, cursor);
        while (!cursor.gotoNextSibling()) {
          if (!cursor.gotoParent()) return;
          parents.pop();
        }
        current = this.add(cursor, parents.at(-1)!);
      }
    } finally {
      cursor.delete();
    }
  }

  /**
   * The canonical text of `node`. `described` (node ids) leaves nodes out, with the syntax that only binds or
   * wraps them: `x = <described>`, an emptied statement, `with <described> as x:` (its body stays, unwrapped), the
   * commas around a left-out argument, an import whose every name is left out.
   */
  text(node: Node, described: ReadonlySet<number> = new Set()): string {
    const index = this.indexById.get(node.id);
    if (index === undefined) throw new Error('SourceText: the node is not in this tree');
    const tokens: Token[] = [];
    new Collector(this, tokens, described).collect(index);
    let text = '';
    let previous: Token | undefined;
    for (const token of tokens) {
      if (previous && spaceBetween(previous, token)) text += ' ';
      text += token.text;
      previous = token;
    }
    return text;
  }

  type(i: number): string {
    return this.types[i]!;
  }

  isNamed(i: number): boolean {
    return this.named[i]!;
  }

  id(i: number): number {
    return this.ids[i]!;
  }

  childrenOf(i: number): readonly number[] {
    return this.children[i]!;
  }

  /** The children of `i` in the field `name` (for the FIELD_PARENTS types). */
  field(i: number, name: string): number[] {
    return this.children[i]!.filter((c) => this.fields[c] === name);
  }

  raw(i: number): string {
    return this.source.slice(this.starts[i]! - this.offset, this.ends[i]! - this.offset);
  }

  /** Copies the cursor's node; only what canonical text reads (each property is a call into WebAssembly). */
  private add(cursor: TreeCursor, parent: number): number {
    const index = this.types.length;
    const { type, named } = this.typeOf(cursor.nodeTypeId);
    const id = cursor.nodeId;
    this.types.push(type);
    this.named.push(named);
    this.fields.push(parent >= 0 && FIELD_PARENTS.has(this.types[parent]!) ? cursor.currentFieldName : null);
    this.ids.push(id);
    this.children.push([]);
    this.indexById.set(id, index);
    if (parent >= 0) this.children[parent]!.push(index);
    if (type === 'string') this.setRange(index, cursor);
    return index;
  }

  /** A node type's name and whether it is named, asked once per type. */
  private typeOf(typeId: number): { type: string; named: boolean } {
    let known = this.typeInfo.get(typeId);
    if (!known) this.typeInfo.set(typeId, (known = { type: this.language.types[typeId] ?? '', named: this.language.nodeTypeIsNamed(typeId) }));
    return known;
  }

  /** Leaves and strings are read as text. */
  private setRange(index: number, cursor: TreeCursor): void {
    this.starts[index] = cursor.startIndex;
    this.ends[index] = cursor.endIndex;
  }
}

/** The canonical text of a node of a tree no SourceText was made for (copies the node's subtree). */
export function canonicalText(node: Node): string {
  return new SourceText(node).text(node);
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

type TreeCursor = ReturnType<Node['walk']>;

/** Node types whose children are looked up by field. */
const FIELD_PARENTS = new Set(['assignment', 'with_item', 'with_statement', 'import_from_statement', 'import_statement']);

/** The grammar's extras that are nodes: they never count. */
const EXTRAS = new Set(['comment', 'line_continuation']);
const SPACED_PARENTS = new Set(['binary_operator', 'comparison_operator', 'boolean_operator', 'assignment', 'augmented_assignment', 'conditional_expression']);
const TUPLES = new Set(['tuple', 'expression_list', 'pattern_list', 'tuple_pattern']);
const CLOSING = new Set([')', ']', '}']);
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'for', 'lambda', 'await', 'async', 'from', 'yield', 'return', 'import', 'as', 'with', 'del', 'assert', 'raise', 'elif', 'while', 'except', 'def', 'class', 'global', 'nonlocal']);

interface Visit {
  readonly node: number;
  readonly parent: string;
}

/**
 * Walks the copy with a work list instead of recursion: a long chain such as `"a" + "b" + …` nests one level per
 * operand, deeper than the call stack allows.
 */
class Collector {
  private readonly work: (Visit | (() => void))[] = [];

  constructor(private readonly tree: SourceText, private readonly out: Token[], private readonly described: ReadonlySet<number>) {}

  collect(root: number): void {
    this.work.push({ node: root, parent: '' });
    for (let item = this.work.pop(); item !== undefined; item = this.work.pop()) {
      if (typeof item === 'function') item();
      else this.node(item.node, item.parent);
    }
  }

  /** Emits a leaf, or schedules a node's children (pushed in reverse: the work list is a stack). */
  private node(node: number, parent: string): void {
    const { tree } = this;
    const type = tree.type(node);
    if (EXTRAS.has(type) || this.leftOut(node)) return;
    if (type === 'string') return this.push(this.canonicalString(node));
    const children = tree.childrenOf(node).filter((c) => !EXTRAS.has(tree.type(c)));
    if (tree.childrenOf(node).length === 0) {
      this.out.push({ text: tree.raw(node), spaced: !tree.isNamed(node) && SPACED_PARENTS.has(parent), colon: type === ':' && (parent === 'pair' || parent === 'lambda') });
      return;
    }
    if (type === 'module' || type === 'block') return this.statements(children, type, type === 'block');
    if (type === 'with_statement' && this.onlyWrapsDescribed(node)) {
      const [body] = tree.field(node, 'body');
      return this.statements(body === undefined ? [] : tree.childrenOf(body).filter((c) => !EXTRAS.has(tree.type(c))), 'block', false);
    }
    const kept = children.filter((c) => !this.leftOut(c));
    const singleTuple = TUPLES.has(type) && children.filter((c) => tree.isNamed(c)).length === 1;
    const emitted = kept.filter((child, i) => tree.type(child) !== ',' || this.separates(kept[i - 1], kept[i + 1]) || (singleTuple && kept[i - 1] !== undefined && tree.isNamed(kept[i - 1]!)));
    for (let i = emitted.length - 1; i >= 0; i--) this.work.push({ node: emitted[i]!, parent: type });
  }

  /** Statements in order, separated by `;`; a statement that leaves nothing is dropped with its separator. */
  private statements(children: readonly number[], parent: string, wrap: boolean): void {
    let first = true;
    const steps: (Visit | (() => void))[] = [];
    if (wrap) steps.push(() => this.push('{'));
    for (const statement of children.filter((c) => this.tree.type(c) !== ';')) {
      let start = 0;
      steps.push(() => {
        start = this.out.length;
        if (!first) this.push(';');
      });
      steps.push({ node: statement, parent });
      steps.push(() => {
        if (this.out.length === start + (first ? 0 : 1)) this.out.length = start;
        else first = false;
      });
    }
    if (wrap) steps.push(() => this.push('}'));
    for (let i = steps.length - 1; i >= 0; i--) this.work.push(steps[i]!);
  }

  /** Described, or syntax that only binds a described value (`x = <described>`, `<described> as x`). */
  private leftOut(node: number): boolean {
    const { tree } = this;
    if (this.described.has(tree.id(node))) return true;
    if (this.described.size === 0) return false;
    const type = tree.type(node);
    if (type === 'assignment') return tree.field(node, 'right').some((c) => this.isDescribed(c));
    if (type === 'with_item') return this.withValue(node).some((c) => this.isDescribed(c));
    if (type === 'import_from_statement' || type === 'import_statement') {
      const names = tree.field(node, 'name');
      return names.length > 0 && names.every((n) => this.isDescribed(n));
    }
    return false;
  }

  private onlyWrapsDescribed(statement: number): boolean {
    const { tree } = this;
    const clause = tree.childrenOf(statement).find((c) => tree.type(c) === 'with_clause');
    const items = clause === undefined ? [] : tree.childrenOf(clause).filter((c) => tree.type(c) === 'with_item');
    return items.length > 0 && items.every((item) => this.leftOut(item));
  }

  /** The value of `with X as y` / `with X`: X. */
  private withValue(item: number): number[] {
    return this.tree.field(item, 'value').map((value) => (this.tree.type(value) === 'as_pattern' ? (this.tree.childrenOf(value).find((c) => this.tree.isNamed(c)) ?? value) : value));
  }

  private isDescribed(node: number): boolean {
    return this.described.has(this.tree.id(node));
  }

  /** A comma between two things; not after `(`, `import` or another comma, nor a trailing one. */
  private separates(previous: number | undefined, next: number | undefined): boolean {
    const { tree } = this;
    const afterSomething = previous !== undefined && (tree.isNamed(previous) || CLOSING.has(tree.type(previous)));
    const beforeSomething = next !== undefined && tree.type(next) !== ',' && !CLOSING.has(tree.type(next));
    return afterSomething && beforeSomething;
  }

  /** `'x'` and `"x"` (and `'''x'''` / `"""x"""`) are one value; strings with prefixes, escapes or inner double quotes stay as written. */
  private canonicalString(node: number): string {
    const { tree } = this;
    const text = tree.raw(node);
    const simple = tree.childrenOf(node).every((c) => {
      const type = tree.type(c);
      return type === 'string_start' || type === 'string_end' || (type === 'string_content' && tree.childrenOf(c).length === 0);
    });
    const quote = /^('''|')/.exec(text)?.[1];
    if (!simple || !quote) return text;
    const content = text.slice(quote.length, text.length - quote.length);
    if (content.includes('"') || content.includes('\\')) return text;
    const double = quote.length === 3 ? '"""' : '"';
    return `${double}${content}${double}`;
  }

  private push(text: string): void {
    this.out.push({ text, spaced: false, colon: false });
  }
}

function spaceBetween(previous: Token, next: Token): boolean {
  if (CLOSING.has(next.text) || next.text === ',' || (next.text === ':' && !next.spaced)) return false;
  if (previous.text === ',' || previous.colon || previous.spaced || next.spaced) return true;
  if (KEYWORDS.has(previous.text) || KEYWORDS.has(next.text)) return true;
  return /[\w"']$/.test(previous.text) && /^[\w"']/.test(next.text);
}
