import { CodeActionKind, type CodeAction, type Diagnostic, type Range, type TextEdit } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/findings';
import type { CurrentAnalysis } from './analyzer';
import { toDiagnostic } from './diagnostics';
import { isSafeFix } from './engineAdapter';

export const FIX_ALL_KIND = `${CodeActionKind.SourceFixAll}.hangar`;

const NOQA_LIST = /#\s*noqa:\s*[\w-]+(?:\s*,\s*[\w-]+)*/i;

const overlaps = (a: Range, b: Range): boolean =>
  !(a.end.line < b.start.line || (a.end.line === b.start.line && a.end.character <= b.start.character)) &&
  !(b.end.line < a.start.line || (b.end.line === a.start.line && b.end.character <= a.start.character));

const intersects = (a: Range, b: Range): boolean =>
  overlaps(a, b) || (a.start.line === b.start.line && a.start.character === b.start.character);

/**
 * The edit that adds `ruleId` to the `# noqa` of the finding's first line: appended to an existing
 * `# noqa: A, B` list, or a new comment at the end of the line. None when the line ends inside a
 * multi-line string, where a comment would become part of the string.
 */
export function noqaEdit(analysis: CurrentAnalysis, finding: Finding): TextEdit | undefined {
  const line = finding.range.start.line;
  const text = analysis.text.split('\n', line + 1)[line]?.replace(/\r$/, '');
  if (text === undefined) return undefined;
  const existing = NOQA_LIST.exec(text);
  if (existing) {
    const end = existing.index + existing[0].length;
    return { range: { start: { line, character: end }, end: { line, character: end } }, newText: `, ${finding.ruleId}` };
  }
  const tree = analysis.stored.parsed;
  const last = tree?.rootNode.descendantForPosition({ row: line, column: Math.max(0, text.length - 1) });
  for (let node = last; node; node = node.parent) {
    if (node.type === 'string' && node.endPosition.row > line) return undefined;
  }
  const at = { line, character: text.length };
  return { range: { start: at, end: at }, newText: `${text.trim() ? '  ' : ''}# noqa: ${finding.ruleId}` };
}

function quickFix(analysis: CurrentAnalysis, finding: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  if (!finding.fix) return undefined;
  return {
    title: finding.fix.title,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: isSafeFix(finding.ruleId),
    edit: { changes: { [analysis.uri]: finding.fix.edits } },
  };
}

function suppress(analysis: CurrentAnalysis, finding: Finding, diagnostic: Diagnostic): CodeAction | undefined {
  const edit = noqaEdit(analysis, finding);
  if (!edit) return undefined;
  return {
    title: `Suppress ${finding.ruleId} with # noqa: ${finding.ruleId}`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    edit: { changes: { [analysis.uri]: [edit] } },
  };
}

/** Every safe fix of the file whose edits do not overlap an earlier one's. */
export function fixAll(analysis: CurrentAnalysis): CodeAction | undefined {
  const edits: TextEdit[] = [];
  for (const finding of analysis.findings) {
    if (!finding.fix || !isSafeFix(finding.ruleId)) continue;
    if (finding.fix.edits.some((e) => edits.some((taken) => overlaps(e.range, taken.range)))) continue;
    edits.push(...finding.fix.edits);
  }
  if (edits.length === 0) return undefined;
  return { title: 'Fix all Hangar safe fixes in file', kind: FIX_ALL_KIND, edit: { changes: { [analysis.uri]: edits } } };
}

/** Quick fixes and suppressions for the findings in `range`, and the file's "fix all" when asked for. */
export function codeActions(analysis: CurrentAnalysis, range: Range, only: readonly string[] | undefined): CodeAction[] {
  const wants = (kind: string): boolean => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    const here = analysis.findings.filter((f) => intersects(f.range, range));
    for (const finding of here) {
      const diagnostic = toDiagnostic(finding);
      const fix = quickFix(analysis, finding, diagnostic);
      if (fix) actions.push(fix);
    }
    for (const finding of here) {
      const action = suppress(analysis, finding, toDiagnostic(finding));
      if (action) actions.push(action);
    }
  }
  if (wants(FIX_ALL_KIND)) {
    const all = fixAll(analysis);
    if (all) actions.push(all);
  }
  return actions;
}
