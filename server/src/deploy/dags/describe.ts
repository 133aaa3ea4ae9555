import type { DagMove, HistoryRecord } from '../types';

const short = (commit: string): string => commit.slice(0, 12);

/** `orders 1a2b3c4d5e6f → 9f8e7d6c5b4a` for each DAG a per-DAG deploy moved. */
export function describeDagMoves(moves: readonly DagMove[] | undefined): string {
  return (moves ?? []).map((m) => `${m.dagId} ${short(m.from)} → ${short(m.to)}`).join(', ');
}

/** What a version did beyond its repositories, for `hangar history` and plan summaries: moved DAGs, affected DAGs, canary. */
export function describeDagParts(record: Pick<HistoryRecord, 'dags' | 'affectedDags' | 'canary'>): string[] {
  const parts: string[] = [];
  if (record.dags?.length) parts.push(`dags: ${describeDagMoves(record.dags)}`);
  if (record.affectedDags?.length) parts.push(`affected through helpers: ${record.affectedDags.join(', ')}`);
  if (record.canary) parts.push(`canary ${record.canary.event} ${record.canary.dagId} (${record.canary.candidate.ref} ${short(record.canary.candidate.commit)})${record.canary.reason ? `: ${record.canary.reason}` : ''}`);
  return parts;
}
