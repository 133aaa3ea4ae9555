import { describeDiff } from './diff';
import type { DeployPlan } from './service';
import type { HistoryRecord, VerificationResult } from './types';

export function describePlan(plan: DeployPlan): string {
  const verb = plan.action === 'rollback' ? `Roll back to version ${plan.restores}` : plan.action === 'promote' ? `Promote ${plan.promotedFrom?.environment} version ${plan.promotedFrom?.version}` : 'Deploy';
  const lines = [`${verb} → ${plan.environment.name}`];
  for (const r of plan.repositories) lines.push(`  ${r.name}: ${r.ref} (${r.commit.slice(0, 12)})${r.excluded.length ? `, ${r.excluded.length} file(s) left out (dag_id owned by a higher-priority repository)` : ''}`);
  lines.push(`  DAGs: ${describeDiff(plan.dagDiff)}`);
  const v = plan.validation;
  lines.push(`  Validation: ${v.files} file(s), ${v.errors} error(s), ${v.highSecurity} high-severity security, ${v.warnings} warning(s)`);
  if (v.dependencies) lines.push(`  Imports: checked against ${v.dependencies.python} (Airflow ${v.dependencies.airflow}), ${v.dependencies.missing} missing`);
  if (plan.forced) lines.push(`  FORCED: ${plan.forced.reason}`);
  return lines.join('\n');
}

export function describeVerification(v: VerificationResult | undefined): string {
  if (!v) return 'not verified';
  const lines = [`${v.status}: ${v.message}`];
  for (const e of v.importErrors) lines.push(`  ${e.file ?? e.airflowPath}${e.line ? `:${e.line}` : ''}: ${e.message}`);
  for (const [id, version] of Object.entries(v.bundleVersions ?? {})) lines.push(`  ${id}: bundle_version ${version.slice(0, 12)}`);
  return lines.join('\n');
}

export function describeRecord(r: HistoryRecord): string {
  const refs = r.repositories.map((x) => `${x.name}@${x.commit.slice(0, 12)}${x.ref && !x.commit.startsWith(x.ref) ? ` (${x.ref})` : ''}`).join(', ');
  const extra = [
    r.restores !== undefined ? `restores v${r.restores}` : '',
    r.promotedFrom ? `from ${r.promotedFrom.environment} v${r.promotedFrom.version}` : '',
    r.forced ? `forced: ${r.forced.reason}` : '',
  ].filter(Boolean);
  return `v${r.version}  ${r.at}  ${r.action.padEnd(8)} ${r.who}  ${refs}  [${r.verification?.status ?? 'unverified'}] ${describeDiff(r.dagDiff)}${extra.length ? `  (${extra.join('; ')})` : ''}`;
}

/** After a deploy whose files Airflow could not import: that version is what Airflow now runs. */
export function describeBrokenLive(environment: string, record: HistoryRecord, rollback: string): string {
  const files = [...new Set((record.verification?.importErrors ?? []).map((e) => e.file ?? e.airflowPath))];
  const previous = record.version > 1 ? ` to serve the previous version again` : '';
  return `v${record.version} IS LIVE on ${environment}, and Airflow cannot import ${files.length} of its file(s): ${files.slice(0, 5).join(', ')}${files.length > 5 ? ', …' : ''}. Roll back${previous}: ${rollback}`;
}
