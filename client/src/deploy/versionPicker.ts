import * as vscode from 'vscode';
import type { DeployRepository, Environment } from '../../../server/src/deploy/types';
import { listVersions } from '../../../server/src/deploy/versions';
import type { PickItem, Prompts } from '../prompts';

const ICON = { branch: '$(git-branch)', tag: '$(tag)', commit: '$(git-commit)' };

/**
 * Fetches a repository before its versions are listed, so a commit pushed a moment ago is there: answers
 * undefined when the sync worked, else what went wrong (the picker then lists the last synced versions).
 */
export type SyncFirst = (repository: DeployRepository) => Promise<string | undefined>;

/** Asks for the version of each repository of the environment (branch head, tag or commit), after syncing it. */
export async function pickVersions(env: Environment, prompts: Prompts, syncFirst: SyncFirst): Promise<Record<string, string> | undefined> {
  const refs: Record<string, string> = {};
  for (const repository of env.repositories) {
    const problem = await syncFirst(repository);
    const versions = await listVersions(repository.path).catch((error: Error) => {
      void vscode.window.showErrorMessage(`Cannot read the versions of ${repository.name}: ${error.message}. Sync the repository first.`);
      return undefined;
    });
    if (!versions) return undefined;
    const items: PickItem<string>[] = versions.map((v) => ({
      label: `${ICON[v.kind]} ${v.kind === 'commit' ? v.commit.slice(0, 12) : v.ref}`,
      description: v.kind === 'commit' ? v.subject : `${v.commit.slice(0, 12)} ${v.subject}`,
      value: v.ref,
    }));
    const preferred = items.findIndex((i) => i.value === repository.defaultRef);
    if (preferred > 0) items.unshift(...items.splice(preferred, 1));
    const freshness = problem ? ` (not synced: ${problem.split('\n')[0]}; versions as of the last sync)` : ' (synced just now)';
    const ref = await prompts.pick(`Hangar: Deploy to ${env.name} — version of ${repository.name}${freshness}`, items, 'Branch head, tag or commit');
    if (!ref) return undefined;
    refs[repository.name] = ref;
  }
  return refs;
}
