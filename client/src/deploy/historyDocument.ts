import { describeDiff } from '../../../server/src/deploy/diff';
import type { Environment, HistoryRecord } from '../../../server/src/deploy/types';
import { inert } from '../views/inertMarkdown';

const STATUS: Record<string, string> = { verified: 'verified by Airflow', 'import-errors': 'IMPORT ERRORS in Airflow', timeout: 'not confirmed in time', failed: 'verification failed', skipped: 'not verified' };

function describeTarget(env: Environment): string {
  return env.target.kind === 'folder' ? `folder ${env.target.path}` : `git branch ${env.target.branch} of ${env.target.url}`;
}

/** One version; every value is the history's (a target's writers control it, numbers included): all inert. */
function version(record: HistoryRecord, live: boolean): string[] {
  const lines = [
    `## v${inert(String(record.version))} · ${inert(String(record.action))}${record.restores !== undefined ? ` of v${inert(String(record.restores))}` : ''}${live ? ' · LIVE' : ''}`,
    '',
    `- ${inert(new Date(record.at).toISOString())} by ${inert(record.who)}`,
    ...record.repositories.map((r) => `- ${inert(r.name)}: ${inert(r.ref)} (${inert(String(r.commit).slice(0, 12))})`),
    `- DAGs: ${inert(describeDiff(record.dagDiff))}`,
    `- Validation: ${inert(`${record.validation.files} file(s), ${record.validation.errors} error(s), ${record.validation.highSecurity} high-severity, ${record.validation.warnings} warning(s)`)}`,
    `- Airflow: ${STATUS[record.verification?.status ?? 'skipped'] ?? 'not verified'}${record.verification ? ` — ${inert(record.verification.message)}` : ''}`,
  ];
  for (const error of record.verification?.importErrors ?? []) lines.push(`  - ${inert(error.file ?? error.airflowPath)}${error.line ? `:${inert(String(error.line))}` : ''}: ${inert(error.message)}`);
  if (record.forced) lines.push(`- Forced: ${inert(record.forced.reason)}`);
  if (record.promotedFrom) lines.push(`- Promoted from ${inert(record.promotedFrom.environment)} v${inert(String(record.promotedFrom.version))}`);
  return [...lines, ''];
}

/** The deploy history of an environment as Markdown, newest first; rolling back is a separate command. */
export function renderDeployHistory(env: Environment, history: readonly HistoryRecord[]): string {
  const newestFirst = [...history].reverse();
  return [
    `# Deploy history of ${inert(env.name)}`,
    '',
    `${inert(describeTarget(env))} · ${history.length} version(s)${history.length ? ` · v${inert(String(history.at(-1)!.version))} is live` : ''}`,
    '',
    history.length ? 'To serve an earlier version again, run **Hangar: Rollback…** (or use the Deployments view).' : 'Nothing was deployed here yet.',
    '',
    ...newestFirst.flatMap((record, index) => version(record, index === 0)),
  ].join('\n');
}
