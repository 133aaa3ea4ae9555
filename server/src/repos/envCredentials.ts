import type { RepositoryConfig } from '../config/types';
import type { GitCredentials } from '../git/credentials';

/** `company-workflows` -> `COMPANY_WORKFLOWS`, the suffix of the per-repository variables. */
export function envSuffix(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

/**
 * Credentials for headless use (CLI, agent), from environment variables only — never from argv:
 * HANGAR_TOKEN_<REPO> / HANGAR_GIT_TOKEN (auth: token), HANGAR_GIT_PASSWORD_<REPO> / HANGAR_GIT_PASSWORD and
 * HANGAR_GIT_USERNAME_<REPO> / HANGAR_GIT_USERNAME (auth: basic), HANGAR_SSH_PASSPHRASE_<REPO> /
 * HANGAR_SSH_PASSPHRASE (auth: ssh). The per-repository variable wins.
 */
export function credentialsFromEnv(repository: Pick<RepositoryConfig, 'name' | 'auth'>, env: NodeJS.ProcessEnv = process.env): GitCredentials | undefined {
  const suffix = envSuffix(repository.name);
  const pick = (base: string) => env[`${base}_${suffix}`] || env[base] || undefined;
  switch (repository.auth) {
    case 'token':
      return { password: pick('HANGAR_TOKEN') ?? pick('HANGAR_GIT_TOKEN'), username: pick('HANGAR_GIT_USERNAME') };
    case 'basic':
      return { password: pick('HANGAR_GIT_PASSWORD'), username: pick('HANGAR_GIT_USERNAME') };
    case 'ssh':
      return { passphrase: pick('HANGAR_SSH_PASSPHRASE') };
    default:
      return undefined;
  }
}
