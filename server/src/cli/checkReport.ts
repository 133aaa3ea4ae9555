import type { Finding, Severity } from '../analysis/findings';
import { ruleById } from '../analysis/rules/catalog';
import { version } from '../version';

export type ReportFormat = 'text' | 'json' | 'sarif' | 'github';

export interface FileFindings {
  /** Path relative to the working directory, with forward slashes. */
  readonly path: string;
  readonly findings: readonly Finding[];
}

export interface Summary {
  readonly files: number;
  readonly error: number;
  readonly warning: number;
  readonly info: number;
  readonly hint: number;
}

export function summarize(results: readonly FileFindings[]): Summary {
  const counts = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const file of results) for (const finding of file.findings) counts[finding.severity]++;
  return { files: results.length, ...counts };
}

/** The report; the SARIF builder (and the file-system library it loads) only when SARIF is asked for. */
export async function render(format: ReportFormat, results: readonly FileFindings[]): Promise<string> {
  switch (format) {
    case 'json':
      return renderJson(results);
    case 'sarif':
      return (await import('./checkSarif')).renderSarif(results);
    case 'github':
      return renderGithub(results);
    default:
      return renderText(results);
  }
}

function renderText(results: readonly FileFindings[]): string {
  const lines: string[] = [];
  for (const file of results) {
    for (const f of file.findings) {
      const rule = ruleById(f.ruleId);
      const fixable = f.fix && rule?.safeFix ? ' [*]' : '';
      lines.push(`${file.path}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.ruleId} ${f.severity}: ${f.message}${fixable}`);
    }
  }
  const s = summarize(results);
  const total = s.error + s.warning + s.info + s.hint;
  lines.push(total === 0
    ? `No problems in ${s.files} file${s.files === 1 ? '' : 's'}.`
    : `${s.error} error${s.error === 1 ? '' : 's'}, ${s.warning} warning${s.warning === 1 ? '' : 's'}${s.info + s.hint ? `, ${s.info + s.hint} note${s.info + s.hint === 1 ? '' : 's'}` : ''} in ${s.files} file${s.files === 1 ? '' : 's'}.`);
  return lines.join('\n') + '\n';
}

function renderJson(results: readonly FileFindings[]): string {
  const findings = results.flatMap((file) => file.findings.map((f) => ({
    path: file.path,
    ruleId: f.ruleId,
    rule: ruleById(f.ruleId)?.name,
    severity: f.severity,
    message: f.message,
    line: f.range.start.line + 1,
    column: f.range.start.character + 1,
    endLine: f.range.end.line + 1,
    endColumn: f.range.end.character + 1,
    ...(f.fix ? { fix: { title: f.fix.title, safe: ruleById(f.ruleId)?.safeFix === true, edits: f.fix.edits } } : {}),
  })));
  return JSON.stringify({ version, summary: summarize(results), findings }, null, 2) + '\n';
}

/** GitHub Actions workflow commands: annotations on the pull request's changed lines. */
function renderGithub(results: readonly FileFindings[]): string {
  const escapeData = (s: string): string => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  const escapeProperty = (s: string): string => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
  const command: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };
  const lines: string[] = [];
  for (const file of results) {
    for (const f of file.findings) {
      const rule = ruleById(f.ruleId);
      const props = [
        `file=${escapeProperty(file.path)}`,
        `line=${f.range.start.line + 1}`,
        `col=${f.range.start.character + 1}`,
        `endLine=${f.range.end.line + 1}`,
        `endColumn=${f.range.end.character + 1}`,
        `title=${escapeProperty(`${f.ruleId}${rule ? ` ${rule.name}` : ''}`)}`,
      ];
      lines.push(`::${command[f.severity]} ${props.join(',')}::${escapeData(f.message)}`);
    }
  }
  return lines.length ? lines.join('\n') + '\n' : '';
}
