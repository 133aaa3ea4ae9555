import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver/node';
import type { Finding } from '../analysis/findings';

const severities: Record<Finding['severity'], DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function toDiagnostic(finding: Finding): Diagnostic {
  return {
    range: finding.range,
    severity: severities[finding.severity],
    code: finding.ruleId,
    source: 'hangar',
    message: finding.message,
  };
}

/** A diagnostic about the file as a whole (too large, binary), at its first character. */
export function fileNotice(code: string, message: string, severity: 'info' | 'warning' = 'info'): Diagnostic {
  const start = { line: 0, character: 0 };
  return { range: { start, end: start }, severity: severities[severity], code, source: 'hangar', message };
}
