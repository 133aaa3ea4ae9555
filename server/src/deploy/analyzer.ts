import { analyzeSource } from '../analysis/engine';
import { ruleById } from '../analysis/rules/catalog';

/** What the gate needs to know about one file. */
export interface FileVerdict {
  readonly dagIds: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly highSecurity: number;
  /** `rule: message (line n)` of the first findings that block a deploy. */
  readonly blocking: readonly string[];
  /** How many findings block a deploy (`blocking` lists the first few). */
  readonly blockingCount: number;
}

export type FileAnalyzer = (path: string, text: string) => Promise<FileVerdict>;

/** The analysis engine's verdict: error-level findings and high-severity security findings block a deploy. */
export const analyzeForDeploy: FileAnalyzer = async (path, text) => {
  const { findings, model } = await analyzeSource({ path, source: text });
  const isHighSecurity = (ruleId: string): boolean => ruleById(ruleId)?.securitySeverity === 'high';
  const blocking = findings.filter((f) => f.severity === 'error' || isHighSecurity(f.ruleId));
  return {
    dagIds: model.dags.flatMap((d) => (d.dagId.known ? [d.dagId.value] : [])),
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    highSecurity: findings.filter((f) => isHighSecurity(f.ruleId)).length,
    blocking: blocking.slice(0, 3).map((f) => `${f.ruleId}: ${f.message} (line ${f.range.start.line + 1})`),
    blockingCount: blocking.length,
  };
};
