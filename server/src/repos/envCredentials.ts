import type { AuthKind } from '../config/types';
import { bindToRepository, type GitCredentials } from '../git/credentials';

/** `company-workflows` -> `COMPANY_WORKFLOWS`, the suffix of the per-repository variables. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/** What headless credentials are read for: a repository, catalog or deploy target by name, at its configured URL. */
export interface HeadlessRemote {
  readonly name: string;
  readonly auth: AuthKind;
  readonly url: string;
}

/**
 * Credentials for headless use (CLI, agent), from environment variables only — never from argv:
 * HANGAR_TOKEN_<NAME> / HANGAR_GIT_TOKEN (auth: token), HANGAR_GIT_PASSWORD_<NAME> / HANGAR_GIT_PASSWORD and
 * HANGAR_GIT_USERNAME_<NAME> / HANGAR_GIT_USERNAME (auth: basic), HANGAR_SSH_PASSPHRASE_<NAME> /
 * HANGAR_SSH_PASSPHRASE (auth: ssh). The per-name variable wins. Nothing for `auth: none`. The secret is bound
 * to the URL the configuration gives for that name: the configuration file decides where it goes, so the CLI
 * and the agent must only run on configurations their operator trusts.
 */
export function credentialsFromEnv(remote: HeadlessRemote, env: NodeJS.ProcessEnv = process.env): GitCredentials | undefined {
  const suffix = envSuffix(remote.name);
  const pick = (base: string) => env[`${base}_${suffix}`] || env[base] || undefined;
  const boundTo = bindToRepository(remote.url);
  switch (remote.auth) {
    case 'token':
      return { password: pick('HANGAR_TOKEN') ?? pick('HANGAR_GIT_TOKEN'), username: pick('HANGAR_GIT_USERNAME'), boundTo };
    case 'basic':
      return { password: pick('HANGAR_GIT_PASSWORD'), username: pick('HANGAR_GIT_USERNAME'), boundTo };
    case 'ssh':
      return { passphrase: pick('HANGAR_SSH_PASSPHRASE'), boundTo };
    default:
      return undefined;
  }
}
