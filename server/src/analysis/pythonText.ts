/** A problem CPython's tokenizer reports, at a 0-based position. */
export interface TextProblem {
  readonly line: number;
  readonly character: number;
  readonly message: string;
}

/** CPython's tokenizer limit (MAXLEVEL): deeper bracket nesting is a SyntaxError. */
export const MAX_NESTING = 200;

interface Indent {
  readonly wide: number;
  readonly narrow: number;
}

/**
 * A pass over the text that follows CPython's tokenizer for what tree-sitter's forgiving grammar accepts: bracket
 * nesting depth, and the indentation of logical lines (unexpected indent, unindent mismatch, inconsistent tabs).
 * Plain string scanning, no tree access, so it costs microseconds per file. Stops at the first problem of each kind.
 */
export interface TextScan {
  nesting?: TextProblem;
  indentation?: TextProblem;
  /** `f(a=1, a=2)` (or a repeated parameter in a def): "keyword argument repeated". */
  repeatedKeyword?: TextProblem;
  /** A bracket never closed (at the bracket), or a closing one that does not match (at it), in Python's words. */
  brackets?: TextProblem;
  /** A string literal that does not end, at its opening quote. */
  unterminated?: TextProblem;
}

export function scanPythonText(source: string): TextScan {
  // decodeSource and the syntax rule both ask for the same file, one after the other
  if (source !== lastSource) {
    lastResult = scan(source);
    lastSource = source;
  }
  return lastResult;
}

let lastSource: string | undefined;
let lastResult: TextScan = {};

function scan(source: string): TextScan {
  const result: TextScan = {};
  // one frame per open bracket: the keyword names seen directly inside a `(`, or null for `[` and `{`
  const frames: (Set<string> | null)[] = [];
  // one entry per open bracket: the bracket and where it is
  const opened: { bracket: string; line: number; character: number }[] = [];
  let quoteAt = { line: 0, character: 0 };
  // the line that opened the current logical line, and its first word (the keyword of a block header)
  let logical = { line: 0, start: 0 };
  let header: Header | undefined;
  let argumentStart = false;
  const stack: Indent[] = [{ wide: 0, narrow: 0 }];
  let depth = 0;
  let quote = '';
  let continuation = false;
  let colonEnded = false;
  let line = 0;
  let i = 0;
  const n = source.length;
  while (i < n) {
    const lineStart = i;
    // indentation of a new logical line
    if (depth === 0 && quote === '' && !continuation) {
      let j = i;
      while (j < n && (source[j] === ' ' || source[j] === '\t' || source[j] === '\f')) j++;
      const next = source[j];
      if (j < n && next !== '\n' && next !== '\r' && next !== '#' && result.indentation === undefined) {
        const problem = indentationProblem(source.slice(i, j), stack, colonEnded ? header : undefined);
        if (problem) result.indentation = { line, character: j - i, message: problem };
      }
      logical = { line, start: j };
      i = j;
    }
    continuation = false;
    let last = 0;
    // the rest of the physical line; runs of ordinary characters are skipped with one native regex step
    for (; i < n; i++) {
      if (quote) {
        const stop = quote.charCodeAt(0) === DOUBLE ? DOUBLE_STOP : SINGLE_STOP;
        stop.lastIndex = i;
        if (!stop.test(source)) {
          i = n;
          break;
        }
        i = stop.lastIndex - 1;
      } else if (!argumentStart) {
        PLAIN.lastIndex = i;
        if (PLAIN.test(source)) {
          const end = PLAIN.lastIndex;
          let k = end - 1;
          while (k >= i && isSpace(source.charCodeAt(k))) k--;
          if (k >= i) last = source.charCodeAt(k);
          i = end;
          if (i >= n) break;
        }
      }
      const c = source.charCodeAt(i);
      if (c === NEWLINE) break;
      if (quote) {
        if (c === BACKSLASH) i++;
        else if (c === quote.charCodeAt(0) && (quote.length === 1 || source.startsWith(quote, i))) {
          i += quote.length - 1;
          quote = '';
          last = c;
        }
        continue;
      }
      if (c === HASH) {
        const end = source.indexOf('\n', i);
        i = end < 0 ? n : end;
        break;
      }
      if (argumentStart && c !== 32 && c !== 9 && c !== 13) {
        argumentStart = false;
        const frame = frames[frames.length - 1];
        if (frame && isIdentifierStart(c) && result.repeatedKeyword === undefined) {
          let j = i + 1;
          while (j < n && isIdentifierPart(source.charCodeAt(j))) j++;
          let k = j;
          while (source.charCodeAt(k) === 32 || source.charCodeAt(k) === 9) k++;
          if (source.charCodeAt(k) === 61 /* = */ && source.charCodeAt(k + 1) !== 61) {
            const name = source.slice(i, j);
            if (frame.has(name)) result.repeatedKeyword = { line, character: i - lineStart, message: `keyword argument "${name}" repeated` };
            frame.add(name);
          }
        }
      }
      if (c === DOUBLE || c === SINGLE) {
        const ch = source[i]!;
        quote = source.startsWith(ch + ch + ch, i) ? ch + ch + ch : ch;
        quoteAt = { line, character: i - lineStart };
        i += quote.length - 1;
      } else if (c === 40 || c === 91 || c === 123) {
        opened.push({ bracket: source[i]!, line, character: i - lineStart });
        depth++;
        frames.push(c === 40 ? new Set() : null);
        argumentStart = c === 40;
        if (depth >= MAX_NESTING && result.nesting === undefined) {
          result.nesting = { line, character: i - lineStart, message: `too many nested parentheses (Python allows ${MAX_NESTING})` };
          return result;
        }
      } else if (c === 41 || c === 93 || c === 125) {
        if (depth > 0) depth--;
        frames.pop();
        const open = opened.pop();
        if (result.brackets === undefined && (!open || CLOSER[open.bracket] !== source[i])) {
          const closer = source[i]!;
          const message = !open
            ? `unmatched '${closer}'`
            : `closing parenthesis '${closer}' does not match opening parenthesis '${open.bracket}'${open.line === line ? '' : ` on line ${open.line + 1}`}`;
          result.brackets = { line, character: i - lineStart, message };
        }
      } else if (c === 44 /* , */) {
        argumentStart = frames.length > 0;
      } else if (c === BACKSLASH && (source.charCodeAt(i + 1) === NEWLINE || (source.charCodeAt(i + 1) === 13 && source.charCodeAt(i + 2) === NEWLINE))) {
        continuation = true;
      }
      if (c !== 32 && c !== 9 && c !== 13 && c !== BACKSLASH) last = c;
    }
    if (quote.length === 1) {
      result.unterminated ??= { ...quoteAt, message: `unterminated string literal (detected at line ${line + 1})` };
      quote = '';
    }
    if (depth === 0 && quote === '' && !continuation && last !== 0) {
      colonEnded = last === COLON;
      header = colonEnded ? { line: logical.line, keyword: /^(?:async\s+)?([A-Za-z_]+)/.exec(source.slice(logical.start, logical.start + 40))?.[1] ?? '' } : undefined;
    }
    line++;
    i++;
  }
  if (quote.length === 3) result.unterminated ??= { ...quoteAt, message: `unterminated triple-quoted string literal (detected at line ${source.endsWith('\n') ? line - 1 : line})` };
  const unclosed = opened.at(-1);
  if (unclosed && result.brackets === undefined) result.brackets = { line: unclosed.line, character: unclosed.character, message: `'${unclosed.bracket}' was never closed` };
  return result;
}

const CLOSER: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/** The header of the block a line ending with ':' opens. */
interface Header {
  readonly line: number;
  readonly keyword: string;
}

/** "function definition", "'if' statement": how Python names a block header in "expected an indented block after …". */
function describeHeader(header: Header): string {
  if (header.keyword === 'def') return `function definition on line ${header.line + 1}`;
  if (header.keyword === 'class') return `class definition on line ${header.line + 1}`;
  return BLOCK_KEYWORDS.has(header.keyword) ? `'${header.keyword}' statement on line ${header.line + 1}` : `the block header on line ${header.line + 1}`;
}

const BLOCK_KEYWORDS = new Set(['if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'match', 'case']);

/** Characters with no meaning to the scan outside strings (brackets, quotes, comments, commas, backslashes do). */
const PLAIN = /[^\n"'#()[\]{},\\]+/y;
/** Inside a string, the next character that may end it, escape something or end the line. */
const DOUBLE_STOP = /["\\\n]/g;
const SINGLE_STOP = /['\\\n]/g;

function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 13;
}

function isIdentifierStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c > 127;
}

function isIdentifierPart(c: number): boolean {
  return isIdentifierStart(c) || (c >= 48 && c <= 57);
}

/** `header`: the block the previous logical line opened (it ended with ':'), which this line must indent. */
function indentationProblem(indent: string, stack: Indent[], header: Header | undefined): string | undefined {
  const wide = width(indent, 8);
  const narrow = width(indent, 1);
  let top = stack[stack.length - 1]!;
  if (header && wide <= top.wide) return `expected an indented block after ${describeHeader(header)}`;
  if (wide === top.wide) return narrow === top.narrow ? undefined : TAB_ERROR;
  if (wide > top.wide) {
    if (narrow <= top.narrow) return TAB_ERROR;
    if (!header) return 'unexpected indent';
    stack.push({ wide, narrow });
    return undefined;
  }
  while (stack.length > 1 && wide < top.wide) {
    stack.pop();
    top = stack[stack.length - 1]!;
  }
  if (wide !== top.wide) return 'unindent does not match any outer indentation level';
  return narrow === top.narrow ? undefined : TAB_ERROR;
}

const NEWLINE = 10;
const BACKSLASH = 92;
const HASH = 35;
const DOUBLE = 34;
const SINGLE = 39;
const COLON = 58;
const TAB_ERROR = 'inconsistent use of tabs and spaces in indentation';

function width(indent: string, tabSize: number): number {
  let column = 0;
  for (const ch of indent) column = ch === '\t' ? (Math.floor(column / tabSize) + 1) * tabSize : ch === '\f' ? 0 : column + 1;
  return column;
}
