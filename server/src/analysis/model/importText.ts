/** Where a piece of an import statement is, as offsets into the statement's text. */
export interface Span {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

export interface ImportedItem {
  readonly name: Span;
  readonly alias?: Span;
  /** `name` or `name as alias`. */
  readonly item: Span;
}

export type ImportText =
  | { readonly kind: 'from'; readonly module: Span; readonly names: readonly ImportedItem[] }
  | { readonly kind: 'import'; readonly items: readonly ImportedItem[] };

const FROM = /from[ \t]+(\.*(?:[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)?)[ \t]+import\b[ \t]*/dy;
const IMPORT = /import[ \t]+/y;
const DOTTED_ITEM = /([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?/dy;
const NAME_ITEM = /([A-Za-z_]\w*)(?:[ \t]+as[ \t]+([A-Za-z_]\w*))?/dy;
const NAME_ITEM_IN_PARENTHESES = /([A-Za-z_]\w*)(?:\s+as\s+([A-Za-z_]\w*))?/dy;

/**
 * Reads the common forms of an import statement from its text: `import a.b as c, d`, `from x import a, b as c`,
 * `from .x import (a,\n b,)`, `from x import *`. Anything else (comments, line continuations, spaces around dots)
 * gives undefined, and the caller reads the syntax tree instead; reading the text costs no calls into WebAssembly.
 */
export function parseImportText(text: string): ImportText | undefined {
  if (text.includes('#') || text.includes('\\')) return undefined;
  FROM.lastIndex = 0;
  const from = FROM.exec(text);
  if (from) {
    const [start, end] = from.indices![1]!;
    if (start === end) return undefined;
    const at = FROM.lastIndex;
    if (text.slice(at).trim() === '*') return { kind: 'from', module: span(text, start, end), names: [] };
    const names = text[at] === '(' ? parenthesizedItems(text, at) : items(text, at, text.length, NAME_ITEM, /[ \t]/);
    return names && { kind: 'from', module: span(text, start, end), names };
  }
  IMPORT.lastIndex = 0;
  if (!IMPORT.test(text)) return undefined;
  const imported = items(text, IMPORT.lastIndex, text.length, DOTTED_ITEM, /[ \t]/);
  return imported && { kind: 'import', items: imported };
}

function span(text: string, start: number, end: number): Span {
  return { start, end, text: text.slice(start, end) };
}

/** `(a, b as c,)`: may span lines and end with a comma; nothing may follow the closing parenthesis. */
function parenthesizedItems(text: string, open: number): ImportedItem[] | undefined {
  const close = text.length - 1;
  if (text[close] !== ')') return undefined;
  let at = open + 1;
  while (at < close && /\s/.test(text[at]!)) at++;
  return items(text, at, close, NAME_ITEM_IN_PARENTHESES, /\s/, true);
}

/** `item, item, ...` from `at` to exactly `end`, with `space` between the parts. */
function items(text: string, at: number, end: number, item: RegExp, space: RegExp, trailingComma = false): ImportedItem[] | undefined {
  const found: ImportedItem[] = [];
  const skipSpace = (from: number): number => {
    while (from < end && space.test(text[from]!)) from++;
    return from;
  };
  for (let position = at; ;) {
    item.lastIndex = position;
    const match = item.exec(text);
    if (!match || item.lastIndex > end) return undefined;
    const [nameStart, nameEnd] = match.indices![1]!;
    const aliasAt = match.indices![2];
    found.push({
      name: span(text, nameStart, nameEnd),
      ...(aliasAt ? { alias: span(text, aliasAt[0], aliasAt[1]) } : {}),
      item: span(text, nameStart, aliasAt ? aliasAt[1] : nameEnd),
    });
    position = skipSpace(item.lastIndex);
    if (position === end) return found;
    if (text[position] !== ',') return undefined;
    position = skipSpace(position + 1);
    if (position === end) return trailingComma ? found : undefined;
  }
}
