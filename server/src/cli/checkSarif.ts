import { SarifBuilder, SarifResultBuilder, SarifRuleBuilder, SarifRunBuilder } from 'node-sarif-builder';
import type { Severity } from '../analysis/findings';
import { catalog } from '../analysis/rules/catalog';
import { version } from '../version';
import type { FileFindings } from './checkReport';

const SARIF_LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };
const SECURITY_SCORE = { high: '8.0', medium: '5.5', low: '3.0' } as const;

/** SARIF 2.1.0, one run, rule metadata from the catalog, uris relative to the working directory. */
export function renderSarif(results: readonly FileFindings[]): string {
  const run = new SarifRunBuilder().initSimple({ toolDriverName: 'hangar', toolDriverVersion: version, url: 'https://example.invalid/hangar#rules' });
  for (const rule of catalog) {
    const builder = new SarifRuleBuilder().initSimple({
      ruleId: rule.id,
      shortDescriptionText: rule.title,
      fullDescriptionText: rule.doc.split('\n\n')[0]!.replace(/\n/g, ' '),
      helpUri: /https?:\/\/\S+/.exec(rule.reference)?.[0]?.replace(/[),;]+$/, ''),
    });
    builder.rule.name = rule.name;
    builder.rule.help = { text: rule.doc, markdown: rule.doc };
    builder.rule.defaultConfiguration = { level: SARIF_LEVEL[rule.severity] };
    builder.rule.properties = {
      tags: rule.family === 'security' ? ['security', rule.family] : [rule.family],
      ...(rule.securitySeverity ? { 'security-severity': SECURITY_SCORE[rule.securitySeverity] } : {}),
    };
    run.addRule(builder);
  }
  for (const file of results) {
    for (const f of file.findings) {
      run.addResult(new SarifResultBuilder().initSimple({
        level: SARIF_LEVEL[f.severity],
        messageText: f.message,
        ruleId: f.ruleId,
        fileUri: file.path,
        startLine: f.range.start.line + 1,
        startColumn: f.range.start.character + 1,
        endLine: f.range.end.line + 1,
        endColumn: f.range.end.character + 1,
      }));
    }
  }
  const log = new SarifBuilder();
  log.addRun(run);
  return log.buildSarifJsonString({ indent: true }) + '\n';
}
