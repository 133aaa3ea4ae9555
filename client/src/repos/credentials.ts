import * as vscode from 'vscode';
import type { AuthKind } from '../../../server/src/config/types';
import { bindingAllows, bindToHost, bindToRepository, type CredentialBinding, type GitCredentials } from '../../../server/src/git/credentials';

const PREFIX = 'hangar.git/';
/** SecretStorage cannot list its keys: the names (never the values) are kept in globalState. */
const INDEX = 'hangar.git.credentialKeys';

export type CredentialScope = { kind: 'repository'; name: string } | { kind: 'host'; host: string };

/** What credentials are looked up for: a repository (or a catalog) by name, at the URL the configuration gives now. */
export interface CredentialTarget {
  readonly name: string;
  readonly url: string;
  readonly auth?: AuthKind;
}

/** A stored secret as JSON; secrets stored by Hangar 0.1.0 have no `boundTo`. */
export type StoredSecret = Omit<GitCredentials, 'boundTo'> & { readonly boundTo?: CredentialBinding };

export type CredentialLookup =
  | { readonly state: 'none' }
  | { readonly state: 'bound'; readonly credentials: GitCredentials }
  /** Entered for another remote (`boundTo`), or stored by 0.1.0 without one: never used without asking. */
  | { readonly state: 'elsewhere' | 'unbound'; readonly scope: CredentialScope; readonly secret: StoredSecret };

export function hostOf(url: string): string | undefined {
  const scp = /^[\w.-]+@([\w.-]+):/.exec(url);
  if (scp) return scp[1];
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'file:' ? undefined : parsed.host || undefined;
  } catch {
    return undefined;
  }
}

const keyOf = (scope: CredentialScope): string => (scope.kind === 'repository' ? `repository:${scope.name}` : `host:${scope.host}`);

export function bindingFor(scope: CredentialScope, url: string): CredentialBinding {
  return scope.kind === 'host' ? bindToHost(url) : bindToRepository(url);
}

/**
 * Git credentials in VS Code's SecretStorage (the OS keychain), keyed by repository or by host, each bound to
 * the remote it was entered for (scheme + host for a host, the repository URL for a repository).
 */
export class CredentialStore {
  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The target's own credentials, else those of its host, and whether they were entered for its URL. */
  async lookup(target: CredentialTarget): Promise<CredentialLookup> {
    const host = hostOf(target.url);
    for (const scope of [{ kind: 'repository', name: target.name }, ...(host ? [{ kind: 'host', host }] : [])] as CredentialScope[]) {
      const stored = await this.context.secrets.get(PREFIX + keyOf(scope));
      if (!stored) continue;
      const secret = JSON.parse(stored) as StoredSecret;
      if (!secret.boundTo) return { state: 'unbound', scope, secret };
      return bindingAllows(secret.boundTo, target.url) ? { state: 'bound', credentials: { ...secret, boundTo: secret.boundTo } } : { state: 'elsewhere', scope, secret };
    }
    return { state: 'none' };
  }

  /** Only credentials entered for the target's URL: what runs without asking (polling, catalogs). */
  async get(target: CredentialTarget): Promise<GitCredentials | undefined> {
    const found = await this.lookup(target);
    return found.state === 'bound' ? found.credentials : undefined;
  }

  async set(scope: CredentialScope, credentials: GitCredentials): Promise<void> {
    await this.context.secrets.store(PREFIX + keyOf(scope), JSON.stringify(credentials));
    await this.context.globalState.update(INDEX, [...new Set([...this.keys(), keyOf(scope)])].sort());
  }

  /** Stored keys such as `repository:company` or `host:git.example.com` — names only. */
  keys(): string[] {
    return this.context.globalState.get<string[]>(INDEX, []);
  }

  async delete(key: string): Promise<void> {
    await this.context.secrets.delete(PREFIX + key);
    await this.context.globalState.update(INDEX, this.keys().filter((k) => k !== key));
  }
}

export function secretKind(auth: AuthKind | undefined): string {
  return auth === 'ssh' ? 'passphrase of the SSH key' : auth === 'token' ? 'access token' : 'password';
}

/** Asks for the secret the target's auth needs, bound to its URL; undefined when the user cancels. */
export async function promptCredentials(target: CredentialTarget & { readonly username?: string }): Promise<{ scope: CredentialScope; credentials: GitCredentials } | undefined> {
  const host = hostOf(target.url);
  let scope: CredentialScope = { kind: 'repository', name: target.name };
  if (host) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: `Only ${target.name}`, scope },
        { label: `Every repository on ${host}`, scope: { kind: 'host', host } as CredentialScope },
      ],
      { title: `Credentials for ${target.name}`, placeHolder: 'Which repositories use these credentials?', ignoreFocusOut: true },
    );
    if (!choice) return undefined;
    scope = choice.scope;
  }
  let username: string | undefined;
  if (target.auth === 'basic' && !target.username) {
    username = await vscode.window.showInputBox({ title: `User name for ${target.name}`, ignoreFocusOut: true });
    if (username === undefined) return undefined;
  }
  const secret = await vscode.window.showInputBox({
    title: `${target.name}: ${secretKind(target.auth)} for ${target.url}`,
    prompt: 'Stored in the OS keychain through VS Code and sent only to this server; never written to airflow-repos.yaml, Git config or logs.',
    password: true,
    ignoreFocusOut: true,
  });
  if (secret === undefined) return undefined;
  const boundTo = bindingFor(scope, target.url);
  return { scope, credentials: target.auth === 'ssh' ? { passphrase: secret, boundTo } : { username, password: secret, boundTo } };
}
