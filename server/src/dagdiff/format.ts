import { printable } from '../printable';
import type { DagChange, DagSummary, SemanticDiff, TaskChange, TaskSummary, ValueChange } from './types';

export interface SummaryOptions {
  /** Markdown (code spans, a bullet per DAG) for pull-request comments; plain text otherwise. */
  readonly markdown?: boolean;
  /** DAG lines at most; the rest is counted in a last line. Default 20. */
  readonly maxDags?: number;
  /** Changes listed per DAG at most; the rest is counted. Default 8. */
  readonly maxChangesPerDag?: number;
  /** Values longer than this are cut with `…`. Default 40. */
  readonly maxValueLength?: number;
}

/**
 * The short form: one line per DAG (`~ orders: schedule "@daily" → "0 6 * * *"; task load: retries 2 → 5`),
 * then the non-DAG files and the warnings. For deploy summaries and pull-request comments.
 */
export function summaryLines(diff: SemanticDiff, options: SummaryOptions = {}): string[] {
  const style = new Style(options.markdown ?? false, options.maxValueLength ?? 40);
  const maxChanges = options.maxChangesPerDag ?? 8;
  const dagLines = [
    ...diff.dags.changed.map((d) => style.dagLine('~', d.dagId, limit(changePhrases(d, style), maxChanges, (n) => `${n} more`).join('; '))),
    ...diff.dags.added.map((d) => style.dagLine('+', d.dagId, summaryNote(d, style))),
    ...diff.dags.removed.map((d) => style.dagLine('-', d.dagId, summaryNote(d, style))),
  ];
  const maxDags = options.maxDags ?? 20;
  const lines = limit(dagLines, maxDags, (n) => style.bullet(`… and ${n} more DAGs`));
  const files = filePhrases(diff, style);
  if (files.length) lines.push(style.bullet(`files: ${limit(files, maxChanges, (n) => `${n} more`).join(', ')}`));
  lines.push(...diff.warnings.map((w) => style.bullet(`warning: ${style.name(w)}`)));
  return (lines.length ? lines : [style.bullet('no DAG changes')]).map(printableLine);
}

/** The long form for `hangar diff`: a heading line per DAG and one indented line per change. */
export function describeDiff(diff: SemanticDiff): string[] {
  const style = new Style(false, 100);
  const lines: string[] = [];
  for (const d of diff.dags.changed) {
    const renamed = d.renamedFrom !== undefined ? `, renamed from ${d.renamedFrom}` : '';
    const moved = d.movedFrom !== undefined ? `, moved from ${d.movedFrom}` : '';
    lines.push(`~ dag ${d.dagId} (${d.file}${renamed}${moved})`, ...changePhrases(d, style, false).map((p) => `    ${p}`));
  }
  for (const d of diff.dags.added) lines.push(`+ dag ${d.dagId} (${summaryNote(d)})`);
  for (const d of diff.dags.removed) lines.push(`- dag ${d.dagId} (${summaryNote(d)})`);
  const files = filePhrases(diff, style);
  if (files.length) lines.push(`files without DAGs: ${files.join(', ')}`);
  lines.push(...diff.warnings.map((w) => `warning: ${w}`));
  if (lines.length === 0) lines.push('no DAG changes');
  const unknown = [diff.dags.changed, diff.dags.added, diff.dags.removed].flat().some((d) => !d.known) || lines.some((l) => l.includes('?('));
  if (unknown) lines.push('?(…) is an id Hangar cannot know without running the file: it is compared by the source of the expression that computes it.');
  if (diff.dags.unchanged) lines.push(`${diff.dags.unchanged} DAG${diff.dags.unchanged === 1 ? '' : 's'} compared and unchanged`);
  return lines.map(printableLine);
}

/** Everything that changed in one DAG, one phrase each; `heading` adds the rename and move to the phrases. */
function changePhrases(d: DagChange, style: Style, heading = true): string[] {
  const phrases: string[] = [];
  if (heading && d.renamedFrom !== undefined) phrases.push(`renamed from ${style.id(d.renamedFrom)}`);
  if (heading && d.movedFrom !== undefined) phrases.push(`moved from ${style.id(d.movedFrom)} to ${style.id(d.file)}`);
  phrases.push(...d.settings.map((c) => style.change(c)));
  phrases.push(...d.constants.map((c) => `constant ${style.change(c)}`));
  phrases.push(...d.definitions.map((c) => `${c.before === null ? 'now uses' : c.after === null ? 'no longer uses' : 'changed code of'} ${style.id(c.name)}`));
  phrases.push(...d.tasks.added.map((t) => `+ task ${taskNote(t, style)}`));
  phrases.push(...d.tasks.removed.map((t) => `- task ${taskNote(t, style)}`));
  phrases.push(...d.tasks.changed.map((t) => taskPhrase(t, style)));
  phrases.push(...d.edges.added.map((e) => `+ edge ${style.id(`${e.upstream} >> ${e.downstream}`)}`));
  phrases.push(...d.edges.removed.map((e) => `- edge ${style.id(`${e.upstream} >> ${e.downstream}`)}`));
  phrases.push(...d.groups.added.map((g) => `+ group ${style.id(g)}`));
  phrases.push(...d.groups.removed.map((g) => `- group ${style.id(g)}`));
  phrases.push(...d.groups.changed.map((g) => `group ${style.id(g.groupId)}: ${g.changes.map((c) => style.change(c)).join(', ')}`));
  if (d.otherCode) phrases.push(`other code in ${style.id(d.file)} changed`);
  return phrases;
}

function taskPhrase(t: TaskChange, style: Style): string {
  const group = t.changes.find((c) => c.name === 'group');
  const rest = t.changes.filter((c) => c !== group).map((c) => style.change(c));
  if (!group) return `task ${style.id(t.taskId)}: ${rest.join(', ')}`;
  const where = (g: string | null) => (g === null ? 'no group' : `group ${style.id(g)}`);
  const renamed = t.previousId !== undefined ? ` (${style.id(t.previousId)} → ${style.id(t.taskId)})` : '';
  return `task ${style.id(t.taskId)} moved from ${where(group.before)} to ${where(group.after)}${renamed}${rest.length ? `: ${rest.join(', ')}` : ''}`;
}

function taskNote(t: TaskSummary, style: Style): string {
  return `${style.id(t.taskId)} (${style.id(t.operator)}${t.group !== undefined ? ` in group ${style.id(t.group)}` : ''})`;
}

function summaryNote(d: DagSummary, style?: Style): string {
  return `${style ? style.id(d.file) : d.file}, ${d.tasks} task${d.tasks === 1 ? '' : 's'}`;
}

function filePhrases(diff: SemanticDiff, style: Style): string[] {
  const { added, removed, changed } = diff.files;
  return [...added.map((f) => `+ ${style.id(f)}`), ...removed.map((f) => `- ${style.id(f)}`), ...changed.map((f) => `~ ${style.id(f)}`)];
}

/** The first `max` items, and one `more(n)` for the rest. */
function limit(items: string[], max: number, more: (n: number) => string): string[] {
  return items.length <= max ? items : [...items.slice(0, max), more(items.length - max)];
}

/** How names and values are written: as they are (cut when long), or as Markdown code spans. */
class Style {
  constructor(private readonly markdown: boolean, private readonly maxValueLength: number) {}

  dagLine(sign: '+' | '-' | '~', dagId: string, rest: string): string {
    if (!this.markdown) return `${sign} ${dagId}${rest ? `: ${rest}` : ''}`;
    const verb = sign === '+' ? 'added' : sign === '-' ? 'removed' : 'changed';
    return `- ${this.id(dagId)} ${verb}${rest ? `: ${rest}` : ''}`;
  }

  bullet(text: string): string {
    return this.markdown ? `- ${text}` : text;
  }

  /** `name before → after`; long values start near their first difference, so the cut keeps what changed. */
  change(c: ValueChange): string {
    if (c.name === 'operator') return `operator ${this.id(c.before ?? '(unset)')} → ${this.id(c.after ?? '(unset)')}`;
    const [before, after] = [c.before, c.after].map((v) => (v === null ? null : v.replace(/\r?\n/g, '\\n')));
    const long = Math.max(before?.length ?? 0, after?.length ?? 0) > this.maxValueLength;
    const skip = long && before !== null && after !== null ? Math.max(0, commonPrefix(before, after) - Math.floor(this.maxValueLength / 3)) : 0;
    const from = (v: string | null) => (v === null || skip === 0 ? v : `…${v.slice(skip)}`);
    return `${this.name(c.name)} ${this.value(from(before))} → ${this.value(from(after))}`;
  }

  /** Plain text from the DAG files (an argument name, a `default_args` key, a path): Markdown syntax in it is escaped. */
  name(text: string): string {
    return this.markdown ? text.replace(/[\\`*_[\]<>|~#]/g, (c) => `\\${c}`) : text;
  }

  id(text: string): string {
    return this.markdown ? codeSpan(text) : text;
  }

  value(text: string | null): string {
    if (text === null) return '(unset)';
    const oneLine = text.replace(/\r?\n/g, '\\n');
    const cut = oneLine.length > this.maxValueLength ? `${oneLine.slice(0, this.maxValueLength - 1)}…` : oneLine;
    return this.markdown ? codeSpan(cut) : cut;
  }
}

/** Control characters from the DAG files (an escape sequence in a string) are shown, never sent to the terminal. */
const printableLine = (line: string): string => printable(line, { oneLine: true });

function commonPrefix(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

/** A Markdown code span that holds any text: enough backticks around it, padded when it starts or ends with one. */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
