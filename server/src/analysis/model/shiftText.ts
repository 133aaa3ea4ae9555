/** A name in a dependency statement, as offsets into the statement's text. */
export interface ShiftName {
  readonly name: string;
  readonly start: number;
}

/** `a` or `[a, b]`. */
export interface ShiftOperand {
  readonly start: number;
  readonly end: number;
  readonly names: readonly ShiftName[];
  readonly isList: boolean;
}

export interface ShiftChain {
  readonly operands: readonly ShiftOperand[];
  /** `operators[i]` stands between `operands[i]` and `operands[i + 1]`. */
  readonly operators: readonly ('>>' | '<<')[];
}

const NAME = /[A-Za-z_]\w*/y;
/** Words that are not plain names in an expression (literals, keywords, Python 2 statements): left to the tree. */
const NOT_NAMES = new Set(['None', 'True', 'False', 'print', 'exec', 'and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda', 'await', 'async', 'yield', 'for', 'from', 'import', 'return', 'del', 'pass', 'break', 'continue', 'raise', 'global', 'nonlocal', 'assert', 'with', 'while', 'try', 'except', 'finally', 'class', 'def', 'elif', 'as']);
const OPERATOR = /[ \t]*(>>|<<)[ \t]*/y;
const SPACE = /\s*/y;

/**
 * Reads a statement made only of names and lists of names joined by `>>` / `<<` (`a >> [b, c] >> d`), the usual
 * way dependencies are written; anything else (calls, attributes, comments, line continuations) gives undefined.
 */
export function parseShiftChain(text: string): ShiftChain | undefined {
  const operands: ShiftOperand[] = [];
  const operators: ('>>' | '<<')[] = [];
  let position = 0;
  for (;;) {
    const operand = readOperand(text, position);
    if (!operand) return undefined;
    operands.push(operand);
    position = operand.end;
    if (position === text.length) return operators.length > 0 ? { operands, operators } : undefined;
    OPERATOR.lastIndex = position;
    const operator = OPERATOR.exec(text);
    if (!operator) return undefined;
    operators.push(operator[1] as '>>' | '<<');
    position = OPERATOR.lastIndex;
  }
}

function readOperand(text: string, start: number): ShiftOperand | undefined {
  if (text[start] !== '[') {
    const name = readName(text, start);
    return name && { start, end: start + name.name.length, names: [name], isList: false };
  }
  const names: ShiftName[] = [];
  let position = skipSpace(text, start + 1);
  while (text[position] !== ']') {
    const name = readName(text, position);
    if (!name) return undefined;
    names.push(name);
    position = skipSpace(text, position + name.name.length);
    if (text[position] === ',') position = skipSpace(text, position + 1);
    else if (text[position] !== ']') return undefined;
  }
  return { start, end: position + 1, names, isList: true };
}

function readName(text: string, start: number): ShiftName | undefined {
  NAME.lastIndex = start;
  const match = NAME.exec(text);
  return match && !NOT_NAMES.has(match[0]) ? { name: match[0], start } : undefined;
}

function skipSpace(text: string, position: number): number {
  SPACE.lastIndex = position;
  SPACE.exec(text);
  return SPACE.lastIndex;
}
