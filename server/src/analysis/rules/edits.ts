import type { TextEdit } from '../findings';
import { rangeOf } from '../model/syntax';
import type { Node } from '../parser';

/** Deletes a keyword argument and its separating comma, leaving valid Python whatever its position. */
export function removeArgument(keyword: Node): TextEdit {
  const list = keyword.parent!;
  const args = list.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment');
  const index = args.findIndex((a) => a.id === keyword.id);
  const start = keyword.startPosition;
  if (args.length === 1) {
    const open = list.firstChild!;
    const close = list.lastChild!;
    return { range: { start: { line: open.endPosition.row, character: open.endPosition.column }, end: { line: close.startPosition.row, character: close.startPosition.column } }, newText: '' };
  }
  if (index < args.length - 1) {
    const next = args[index + 1]!;
    return { range: { start: { line: start.row, character: start.column }, end: { line: next.startPosition.row, character: next.startPosition.column } }, newText: '' };
  }
  const previous = args[index - 1]!;
  return { range: { start: { line: previous.endPosition.row, character: previous.endPosition.column }, end: rangeOf(keyword).end }, newText: '' };
}

/** Renames the keyword of `name=value`. */
export function renameArgument(keyword: Node, newName: string): TextEdit {
  return { range: rangeOf(keyword.childForFieldName('name')!), newText: newName };
}
