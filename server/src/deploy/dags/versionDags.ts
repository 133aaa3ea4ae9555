import { FolderStore } from '../folderTarget';
import type { Environment, HistoryRecord, Manifest } from '../types';
import { ensureCommit } from './composition';
import { TreeFacts } from './treeFacts';

/** A DAG a version served, and the repository it came from. */
export interface VersionDag {
  readonly dagId: string;
  readonly repository: string;
}

/**
 * The DAGs a version of an environment served: from the manifest its record keeps (git targets) or its releases
 * keep (folder targets), else read again from its commits with the static model (a release collected since), unless
 * `readCommits` is false (the editor in Restricted Mode runs no git).
 */
export async function versionDags(env: Environment, record: HistoryRecord, options: { readCommits?: boolean } = {}): Promise<VersionDag[]> {
  const found = new Map<string, VersionDag>();
  for (const served of record.repositories) {
    const repository = env.repositories.find((r) => r.name === served.name);
    if (!repository) continue;
    let manifest: Manifest = Object.fromEntries(Object.entries(record.manifest ?? {}).filter(([key]) => key.startsWith(`${served.namespace}/`)));
    if (Object.keys(manifest).length === 0 && served.release && env.target.kind === 'folder') manifest = await new FolderStore(env.target).releaseManifest(served.release);
    let ids = Object.values(manifest).flatMap((e) => e.dagIds);
    if (ids.length === 0 && options.readCommits !== false) {
      const tree = await TreeFacts.at(repository.path, await ensureCommit(repository, served), repository.subdir, new Map());
      ids = [...(await tree.all()).values()].flatMap((f) => f.dagIds);
    }
    for (const dagId of ids) if (!found.has(dagId)) found.set(dagId, { dagId, repository: served.name });
  }
  return [...found.values()].sort((a, b) => (a.dagId < b.dagId ? -1 : a.dagId > b.dagId ? 1 : 0));
}
