import type { RepositoryConfig } from '../../../server/src/config/types';
import { describeRef } from '../../../server/src/repos/sync';
import type { SyncHistoryEntry } from '../../../server/src/repos/types';
import { inert } from '../views/inertMarkdown';
import { timeAgo } from './timeAgo';

/** The sync history of a repository as Markdown: one row per sync, newest first, and the files of the last one. */
export function renderSyncHistory(repository: RepositoryConfig, history: readonly SyncHistoryEntry[]): string {
  const rows = history.map((h) => {
    const v = h.validation;
    const validation = v ? `${v.filesValidated} files, ${v.errors} errors, ${v.warnings} warnings` : '–';
    return `| ${h.time} (${timeAgo(h.time)}) | ${h.trigger} | ${h.result} | ${h.from?.slice(0, 8) ?? '–'} → ${h.to?.slice(0, 8) ?? '–'} | ${h.added.length} / ${h.modified.length} / ${h.removed.length} | ${validation} | ${inert(h.error?.message ?? '')} |`;
  });
  const last = history.find((h) => h.result === 'synced');
  const changed = last ? [...last.added.map((f) => `- added ${inert(f)}`), ...last.modified.map((f) => `- changed ${inert(f)}`), ...last.removed.map((f) => `- removed ${inert(f)}`)] : [];
  return [
    `# Sync history of ${inert(repository.name)}`,
    '',
    `${inert(repository.url)} · ${inert(describeRef(repository.ref))}`,
    '',
    history.length ? '| Time | Trigger | Result | Commits | Added / changed / removed | Validation | Error |' : 'Never synced.',
    ...(history.length ? ['| --- | --- | --- | --- | --- | --- | --- |', ...rows] : []),
    '',
    ...(changed.length ? [`## Files changed by the last sync that brought commits (${last!.time})`, '', ...changed] : []),
    '',
  ].join('\n');
}
