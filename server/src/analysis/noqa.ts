import type { Finding } from './findings';

const NOQA = /#\s*noqa\b(?::\s*([\w-]+(?:\s*,\s*[\w-]+)*))?/gi;

/** Per line: `all` for a bare `# noqa`, else the ids and names listed after `# noqa:`. */
export type NoqaMap = ReadonlyMap<number, 'all' | ReadonlySet<string>>;

/** Finds `# noqa` comments with one regex pass; the caller only keeps those that sit in comments. */
export function parseNoqa(source: string): NoqaMap {
  const result = new Map<number, 'all' | Set<string>>();
  if (!/noqa/i.test(source)) return result;
  let line = 0;
  let lineStart = 0;
  NOQA.lastIndex = 0;
  for (let match = NOQA.exec(source); match; match = NOQA.exec(source)) {
    for (let i = source.indexOf('\n', lineStart); i !== -1 && i < match.index; i = source.indexOf('\n', i + 1)) {
      line++;
      lineStart = i + 1;
    }
    if (!match[1]) result.set(line, 'all');
    else if (result.get(line) !== 'all') {
      const codes = (result.get(line) as Set<string> | undefined) ?? new Set<string>();
      for (const code of match[1].split(',')) codes.add(code.trim().toUpperCase());
      result.set(line, codes);
    }
  }
  return result;
}

/** True when the finding's first line carries a `# noqa` that covers its rule (by id or name). */
export function isSuppressed(finding: Finding, ruleName: string | undefined, noqa: NoqaMap): boolean {
  const entry = noqa.get(finding.range.start.line);
  if (!entry) return false;
  if (entry === 'all') return true;
  return entry.has(finding.ruleId.toUpperCase()) || (ruleName !== undefined && entry.has(ruleName.toUpperCase()));
}
