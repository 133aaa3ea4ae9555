import type { AuthKind } from '../config/types';
import { normalizedRemote, remoteOrigin } from './remote';

/**
 * The remote a secret was entered for. A host-wide secret goes to every repository on `scheme://host[:port]`,
 * a repository secret to that one repository; neither ever goes anywhere else (environment.ts enforces it).
 */
export type CredentialBinding = { readonly kind: 'host'; readonly origin: string } | { readonly kind: 'repository'; readonly url: string };

/** Secrets for one remote; they reach git only through environment variables read by the askpass helper. */
export interface GitCredentials {
  readonly username?: string;
  /** A token or a password. */
  readonly password?: string;
  /** Passphrase of the SSH key. */
  readonly passphrase?: string;
  readonly boundTo: CredentialBinding;
}

export interface GitAccess {
  readonly auth: AuthKind;
  readonly username?: string;
  readonly sshKey?: string;
  readonly credentials?: GitCredentials;
}

export function bindToRepository(url: string): CredentialBinding {
  return { kind: 'repository', url: normalizedRemote(url) };
}

export function bindToHost(url: string): CredentialBinding {
  return { kind: 'host', origin: remoteOrigin(url) };
}

/** True when credentials bound this way may be sent to `url`. */
export function bindingAllows(binding: CredentialBinding, url: string): boolean {
  return binding.kind === 'host' ? binding.origin === remoteOrigin(url) : binding.url === normalizedRemote(url);
}

/** For messages: `https://git.example.com` or `https://git.example.com/team/dags`. */
export function describeBinding(binding: CredentialBinding): string {
  return binding.kind === 'host' ? binding.origin : binding.url;
}

/** The values to scrub from anything git prints. */
export function secretsOf(access: GitAccess): string[] {
  const c = access.credentials;
  return [c?.password, c?.passphrase].filter((s): s is string => !!s);
}
