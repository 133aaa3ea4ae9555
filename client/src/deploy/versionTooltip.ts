import { describeDagParts } from '../../../server/src/deploy/dags/describe';
import { describeDiff } from '../../../server/src/deploy/diff';
import { changeLines } from '../../../server/src/deploy/semanticChanges';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { inert } from '../views/inertMarkdown';

/**
 * The Markdown tooltip of a version in the Deployments view. Everything in it comes from the history (who, Airflow's
 * message, reasons, DAG ids, what changed), which the target's writers and Airflow control: all inert text.
 */
export function versionTooltip(r: HistoryRecord): string {
  const lines = (texts: readonly string[]): string => texts.map(inert).join('  \n');
  const parts = [
    `**v${inert(String(r.version))}** ${inert(`${r.action} by ${r.who}, ${new Date(r.at).toLocaleString()}`)}`,
    inert(describeDiff(r.dagDiff)),
    ...describeDagParts(r).map(inert),
    inert(r.verification ? `Airflow: ${r.verification.message}` : 'not verified'),
    r.forced ? inert(`Forced: ${r.forced.reason}`) : '',
    lines(changeLines(r.changes ?? [])),
  ];
  return parts.filter(Boolean).join('\n\n');
}
