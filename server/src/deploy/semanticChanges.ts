import { summaryLines } from '../dagdiff/format';
import type { SemanticDiff } from '../dagdiff/types';
import { diffCommitsInBackground } from '../dagdiff/background';
import { liveVersion } from '../dagdiff/versions';
import type { DeployRepository, HistoryRecord, RepositoryChanges } from './types';

/** DAG lines and changes per DAG a deploy summary shows; the rest is counted ("… and 3 more DAGs"). */
const SUMMARY = { maxDags: 8, maxChangesPerDag: 4 } as const;

/** What changes in each repository's DAGs, with the structured diff for `--json`. */
export interface PlannedChanges extends RepositoryChanges {
  readonly diff?: SemanticDiff;
}

/**
 * The semantic DAG diff of each repository from what the environment serves (its live version in the history) to
 * the commit a plan deploys. A diff that cannot be computed (the clone lacks the live commit) says why instead:
 * the summary never blocks a deploy.
 */
export async function plannedChanges(repositories: readonly { readonly source: DeployRepository; readonly commit: string }[], history: readonly HistoryRecord[]): Promise<PlannedChanges[]> {
  return Promise.all(
    repositories.map(async ({ source, commit }): Promise<PlannedChanges> => {
      const from = liveVersion(history, source.name)?.commit ?? null;
      try {
        const diff = await diffCommitsInBackground(source, from, commit);
        return { repository: source.name, from, to: commit, lines: summaryLines(diff, SUMMARY), diff };
      } catch (error) {
        const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
        return { repository: source.name, from, to: commit, lines: [`(no DAG diff: ${reason})`] };
      }
    }),
  );
}

/** The summary lines of every repository, prefixed with its name when there are several. */
export function changeLines(changes: readonly RepositoryChanges[]): string[] {
  if (changes.length === 1) return [...changes[0]!.lines];
  return changes.flatMap((c) => c.lines.map((line) => `${c.repository}: ${line}`));
}

/** At most `max` change lines in one line, for a notification or a list entry. */
export function changesInBrief(changes: readonly RepositoryChanges[] | undefined, max = 3): string | undefined {
  const lines = changeLines(changes ?? []);
  if (lines.length === 0) return undefined;
  return lines.length <= max ? lines.join('; ') : `${lines.slice(0, max).join('; ')}; and ${lines.length - max} more`;
}
