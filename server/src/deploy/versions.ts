import { git } from './gitSource';

export interface DeployableVersion {
  /** What is deployed (and recorded): a branch or tag name, or a commit sha. */
  readonly ref: string;
  readonly kind: 'branch' | 'tag' | 'commit';
  readonly commit: string;
  readonly subject: string;
}

/** Branch heads, tags (newest first) and recent commits of a clone, for picking what to deploy. */
export async function listVersions(repoPath: string, commits = 15): Promise<DeployableVersion[]> {
  const refs = await git(repoPath, ['for-each-ref', '--sort=-creatordate', '--format=%(refname)%00%(objectname)%00%(*objectname)%00%(contents:subject)', 'refs/heads', 'refs/remotes', 'refs/tags']);
  const versions: DeployableVersion[] = [];
  for (const line of refs.split('\n').filter(Boolean)) {
    const [refname = '', object = '', peeled = '', subject = ''] = line.split('\0');
    if (refname.endsWith('/HEAD')) continue;
    const kind = refname.startsWith('refs/tags/') ? 'tag' : 'branch';
    const ref = refname.replace(/^refs\/(heads|tags|remotes\/origin|remotes)\//, '');
    if (versions.some((v) => v.kind === kind && v.ref === ref)) continue;
    versions.push({ ref, kind, commit: peeled || object, subject });
  }
  const log = await git(repoPath, ['log', `-${commits}`, '--format=%H%x00%s', 'HEAD']).catch(() => '');
  for (const line of log.split('\n').filter(Boolean)) {
    const [commit = '', subject = ''] = line.split('\0');
    versions.push({ ref: commit, kind: 'commit', commit, subject });
  }
  return versions;
}
