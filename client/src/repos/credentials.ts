import * as vscode from 'vscode';
import type { RepositoryConfig } from '../../../server/src/config/types';
import type { GitCredentials } from '../../../server/src/git/credentials';

const PREFIX = 'hangar.git/';
/** SecretStorage cannot list its keys: the names (never the values) are kept in globalState. */
const INDEX = 'hangar.git.credentialKeys';

export type CredentialScope = { kind: 'repository'; name: string } | { kind: 'host'; host: string };

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

/** Git credentials in VS Code's SecretStorage (the OS keychain), keyed by repository or by host. */
export class CredentialStore {
  constructor(private readonly context: vscode.ExtensionContext) {}

  /** The repository's own credentials, else those of its host. */
  async get(repository: RepositoryConfig): Promise<GitCredentials | undefined> {
    const host = hostOf(repository.url);
    for (const scope of [{ kind: 'repository', name: repository.name }, ...(host ? [{ kind: 'host', host }] : [])] as CredentialScope[]) {
      const stored = await this.context.secrets.get(PREFIX + keyOf(scope));
      if (stored) return JSON.parse(stored) as GitCredentials;
    }
    return undefined;
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

/** Asks for the secret the repository's auth needs; undefined when the user cancels. */
export async function promptCredentials(repository: RepositoryConfig): Promise<{ scope: CredentialScope; credentials: GitCredentials } | undefined> {
  const host = hostOf(repository.url);
  let scope: CredentialScope = { kind: 'repository', name: repository.name };
  if (host) {
    const choice = await vscode.window.showQuickPick(
      [
        { label: `Only ${repository.name}`, scope },
        { label: `Every repository on ${host}`, scope: { kind: 'host', host } as CredentialScope },
      ],
      { title: `Credentials for ${repository.name}`, placeHolder: 'Which repositories use these credentials?', ignoreFocusOut: true },
    );
    if (!choice) return undefined;
    scope = choice.scope;
  }
  const what = repository.auth === 'ssh' ? 'passphrase of the SSH key' : repository.auth === 'token' ? 'access token' : 'password';
  let username: string | undefined;
  if (repository.auth === 'basic' && !repository.username) {
    username = await vscode.window.showInputBox({ title: `User name for ${repository.name}`, ignoreFocusOut: true });
    if (username === undefined) return undefined;
  }
  const secret = await vscode.window.showInputBox({
    title: `${repository.name}: ${what}`,
    prompt: 'Stored in the OS keychain through VS Code; never written to airflow-repos.yaml, Git config or logs.',
    password: true,
    ignoreFocusOut: true,
  });
  if (secret === undefined) return undefined;
  return { scope, credentials: repository.auth === 'ssh' ? { passphrase: secret } : { username, password: secret } };
}
