import { userInfo } from 'node:os';
import { git } from './gitSource';

/**
 * Who a deploy, rollback or promotion is recorded as — the one rule for the editor, the CLI and the agent:
 * `HANGAR_USER` when set, else the e-mail Git would put on a commit made in `dir` (the folder of
 * airflow-repos.yaml: GIT_COMMITTER_EMAIL / EMAIL, then user.email of that repository, global and system
 * config), else the operating-system user name.
 */
export async function deployerIdentity(dir: string = process.cwd()): Promise<string> {
  const explicit = process.env.HANGAR_USER?.trim();
  if (explicit) return explicit;
  const ident = await git(dir, ['var', 'GIT_COMMITTER_IDENT']).catch(() => '');
  const email = /<([^<>\s]+@[^<>\s]+)>/.exec(ident)?.[1];
  return email ?? userInfo().username;
}
