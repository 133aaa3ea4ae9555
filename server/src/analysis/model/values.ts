import type { Node } from '../parser';
import type { LoopBinding } from './building';
import { BINDERS, Scope } from './scope';
import { callStartingAt, keywordArguments, known, plainString, positionalArguments, unknown } from './syntax';
import type { Known } from './types';

/** At `lastIndex`: a name starts there that is not an attribute and not the one a `def` defines. */
const NAME_START = /(?<![\w.])(?<!\bdef\s+)/y;
const CALL_OR_ATTRIBUTE = /\s*[(.]/y;
const BARE_CALL = /(?<![\w.])(?<!\b(?:def|class)[ \t]+)([A-Za-z_]\w*)[ \t]*\(/g;
const MODULE_ASSIGNMENT = /^([A-Za-z_]\w*)[ \t]*(?::[^=\n]*)?=(?!=)/gm;
const STRINGISH = new Set(['string', 'concatenated_string', 'binary_operator', 'parenthesized_expression']);
/** Words that start a statement or an expression, not a call of a function of that name. */
export const KEYWORDS = new Set(['def', 'class', 'if', 'elif', 'while', 'for', 'return', 'and', 'or', 'not', 'in', 'is', 'lambda', 'with', 'yield', 'assert', 'print', 'del', 'await', 'except', 'raise', 'import', 'from']);
/** `python_callable=name`, `on_failure_callback=name`, ...: functions Airflow calls at task runtime. */
const CALLBACK_ARGUMENT = /\b(?:python_callable|on_\w+_callback|sla_miss_callback)\s*=\s*([A-Za-z_]\w*)/g;

/**
 * The second pass of the model builder: scopes and values. Which names the file binds and calls, the values of
 * module-level constants as the walk passes their assignments (flow-sensitive, like the module's execution), and
 * what an expression evaluates to statically: strings (literals, concatenation, f-strings of constants), dict
 * literals, the elements and iteration counts of literal loops.
 */
export class Values {
  /** Names assigned at column 0 (`NAME = ...`): the only candidates for module constants. */
  readonly moduleAssignments = new Map<string, number>();
  /** Functions passed as `python_callable=` or a callback: they run at task runtime. */
  readonly callbackNames = new Set<string>();
  /** Values of module-level `NAME = value` statements seen so far in the walk. */
  private readonly moduleValues = new Map<string, Node>();
  /** Loop variable values while ids of one loop iteration are evaluated (see evalForEach). */
  private env: ReadonlyMap<string, string> | undefined;
  private scopeCache: Scope | undefined;
  private calledNamesCache: Set<string> | undefined;

  constructor(
    private readonly root: Node,
    private readonly source: string,
  ) {
    for (const match of source.matchAll(MODULE_ASSIGNMENT)) this.moduleAssignments.set(match[1]!, (this.moduleAssignments.get(match[1]!) ?? 0) + 1);
    if (source.includes('callable') || source.includes('_callback')) {
      for (const match of source.matchAll(CALLBACK_ARGUMENT)) this.callbackNames.add(match[1]!);
    }
  }

  /** Name bindings of the whole file, computed on first use (one more traversal). */
  get scope(): Scope {
    this.scopeCache ??= new Scope(this.root.descendantsOfType(BINDERS).filter((n): n is Node => n !== null), this.calledNames(), this.source);
    return this.scopeCache;
  }

  /** Identifiers called somewhere in the file (`name(`), from the text (a call in a string or comment counts too). */
  calledNames(): Set<string> {
    if (this.calledNamesCache) return this.calledNamesCache;
    this.calledNamesCache = new Set();
    for (const match of this.source.matchAll(BARE_CALL)) if (!KEYWORDS.has(match[1]!)) this.calledNamesCache.add(match[1]!);
    return this.calledNamesCache;
  }

  /** The first call `name(...)` (or `name.override(...)(...)`) in the file, outside strings and comments. */
  firstCallOf(name: string): Node | undefined {
    for (const use of this.usesOf(name, CALL_OR_ATTRIBUTE)) {
      const call = callStartingAt(this.root, use.index);
      if (call) return call;
    }
    return undefined;
  }

  /**
   * Where `name` starts a use followed by `after` (a sticky regex), not as an attribute nor in its own `def`, in order.
   * Found by indexOf and checked by fixed regexes: a regex made for each file's names would be compiled per file.
   */
  *usesOf(name: string, after: RegExp): Generator<{ index: number; suffix: string }> {
    // Resumes after each use, as a global regex would (the name can be empty when the parser inserted a missing one).
    for (let from = 0; from <= this.source.length;) {
      const index = this.source.indexOf(name, from);
      if (index < 0) return;
      NAME_START.lastIndex = index;
      after.lastIndex = index + name.length;
      const suffix = NAME_START.test(this.source) ? after.exec(this.source)?.[0] : undefined;
      if (suffix !== undefined) yield { index, suffix };
      from = suffix === undefined ? index + 1 : index + name.length + suffix.length;
    }
  }

  /** The walk has run the top-level statement `name = value`. */
  assignModuleValue(name: string, value: Node): void {
    this.moduleValues.set(name, value);
  }

  /** The value `name` holds at module level: assigned once at column 0, by a top-level statement already walked. */
  moduleValue(name: string): Node | undefined {
    return this.moduleAssignments.get(name) === 1 ? this.moduleValues.get(name) : undefined;
  }

  /** A string expression's value: literals, concatenation, f-strings of constants, and module constants. */
  evalString(node: Node): Known<string> {
    const plain = plainString(node);
    if (plain !== undefined) return known(plain);
    switch (node.type) {
      case 'identifier': {
        const bound = this.env?.get(node.text);
        if (bound !== undefined) return known(bound);
        const constant = this.moduleValue(node.text);
        if (constant && !STRINGISH.has(constant.type)) return unknown(`"${node.text}" is not a string constant`);
        if (constant === undefined) return unknown(`"${node.text}" is not a constant`);
        return this.evalString(constant);
      }
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.text;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        if (!left || !right) break;
        if (operator === '*') return this.repeatString(left, right);
        if (operator !== '+') break;
        const a = this.evalString(left);
        if (!a.known) return a;
        const b = this.evalString(right);
        return b.known ? known(a.value + b.value) : b;
      }
      case 'parenthesized_expression': {
        const inner = node.namedChildren[0];
        return inner ? this.evalString(inner) : unknown('empty');
      }
      case 'string':
        return this.evalFString(node);
      default:
        break;
    }
    return unknown('computed at runtime');
  }

  /** The string `node` evaluates to on each iteration of a literal loop, when every one is known. */
  evalForEach(node: Node, binding: LoopBinding): string[] | undefined {
    const values: string[] = [];
    try {
      for (const value of binding.values) {
        this.env = new Map([[binding.name, value]]);
        const result = this.evalString(node);
        if (!result.known) return undefined;
        values.push(result.value);
      }
    } finally {
      this.env = undefined;
    }
    return values;
  }

  /** Entries of a dict literal, `dict(...)` call, or module-level variable holding one; undefined when not static. */
  dictEntries(node: Node | undefined, depth = 0): ReadonlyMap<string, Node> | undefined {
    if (!node || depth > 3) return undefined;
    if (node.type === 'identifier') {
      return this.dictEntries(this.moduleValue(node.text), depth + 1);
    }
    if (node.type === 'call' && node.childForFieldName('function')?.text === 'dict') {
      const entries = keywordArguments(node, this.source);
      return entries.has('**') || positionalArguments(node).length > 0 ? undefined : entries;
    }
    if (node.type !== 'dictionary') return undefined;
    const entries = new Map<string, Node>();
    for (const pair of node.namedChildren) {
      if (!pair || pair.type === 'comment') continue;
      if (pair.type !== 'pair') return undefined;
      const key = plainString(pair.childForFieldName('key')!);
      const value = pair.childForFieldName('value');
      if (key === undefined || !value) return undefined;
      entries.set(key, value);
    }
    return entries;
  }

  /** The strings of a literal list/tuple (inline or a module-level constant), when every element is a plain string. */
  stringValues(iterable: Node | null): string[] | undefined {
    const list = iterable?.type === 'identifier' ? this.moduleValue(iterable.text) : iterable;
    if (!list || (list.type !== 'list' && list.type !== 'tuple') || list.namedChildCount > 100) return undefined;
    const values: string[] = [];
    for (const item of list.namedChildren) {
      const value = item ? plainString(item) : undefined;
      if (value === undefined) return undefined;
      values.push(value);
    }
    return values;
  }

  /** How many times `for ... in <iterable>` runs, when the iterable is a literal, a module-level literal or range(N). */
  iterationCount(iterable: Node | null): number | undefined {
    if (!iterable) return undefined;
    const type = iterable.type;
    if (type === 'list' || type === 'tuple' || type === 'set') {
      return iterable.namedChildren.some((c) => c?.type === 'list_splat' || c?.type === 'comment') ? undefined : iterable.namedChildCount;
    }
    if (type === 'identifier') {
      const value = this.moduleValue(iterable.text);
      return value && value.type !== 'identifier' ? this.iterationCount(value) : undefined;
    }
    if (type === 'call' && iterable.childForFieldName('function')?.text === 'range') {
      const args = positionalArguments(iterable).map((a) => (a.type === 'integer' ? Number(a.text) : NaN));
      if (args.length === 1) return args[0];
      if (args.length === 2) return args[1]! - args[0]!;
    }
    return undefined;
  }

  /** `"ab" * 3` (either side). */
  private repeatString(left: Node, right: Node): Known<string> {
    const [text, count] = left.type === 'integer' ? [right, left] : [left, right];
    if (count.type !== 'integer') return unknown('computed at runtime');
    const times = Number(count.text);
    const value = this.evalString(text);
    if (!value.known) return value;
    return times >= 0 && times * value.value.length <= 100_000 ? known(value.value.repeat(times)) : unknown('too long');
  }

  private evalFString(node: Node): Known<string> {
    let text = '';
    for (const child of node.children) {
      if (!child) continue;
      if (child.type === 'string_start') {
        if (/[bB]/.test(child.text)) return unknown('bytes');
      } else if (child.type === 'string_content') {
        text += child.text;
      } else if (child.type === 'interpolation') {
        const expression = child.childForFieldName('expression');
        if (!expression || child.namedChildren.length > 1) return unknown('formatted at runtime');
        const value = this.evalString(expression);
        if (!value.known) return unknown('an f-string with values known only at runtime');
        text += value.value;
      } else if (child.type === 'escape_sequence') {
        return unknown('escape sequence');
      }
    }
    return known(text);
  }
}
