import path from 'node:path';
import * as vscode from 'vscode';
import { catalogsFromReposFile } from '../../../server/src/market/config';
import { isInstallationId, newInstallationId } from '../../../server/src/market/installationId';
import { MarketServiceClient } from '../../../server/src/market/serviceClient';
import { checkoutCatalogs, gitFetcher, type CatalogSource } from '../../../server/src/market/sources';
import { MarketRequest } from '../../../server/src/protocol';
import type { InstallIntoParams, MarketContext, MarketServerCall } from '../../../server/src/market/webviewProtocol';
import type { HangarLanguageClient } from '../languageClient';
import type { CredentialStore } from '../repos/credentials';
import { hangarSetting } from '../settings';
import { repositoryFolders } from './repositoryFolders';

const TOKEN_SECRET = 'hangar.marketplace.token';
const INSTALLATION_KEY = 'hangar.marketplace.installationId';

/**
 * Forwards marketplace calls to the language server with the current settings. Writes to the marketplace
 * service (ratings, reviews, install counts) are made here, in the extension host, with the token from
 * SecretStorage: the token never travels over the language server channel, which can be traced to a log.
 */
export class MarketBackend {
  private checkedOut: { key: string; folders: Promise<CatalogSource[]> } | undefined;

  constructor(
    private readonly client: HangarLanguageClient,
    private readonly secrets: vscode.SecretStorage,
    /** Git credentials of repositories and hosts (SecretStorage), shared with the Repositories view. */
    private readonly credentials: CredentialStore,
    /** Where Git catalogs are checked out (the extension's global storage). */
    private readonly cacheDir: string,
    /** The extension's global state, which keeps the installation id. */
    private readonly globalState: vscode.Memento,
  ) {}

  /** This installation's id for install counts: a random UUID made once and kept in the global state. */
  async installationId(): Promise<string> {
    const stored = this.globalState.get<unknown>(INSTALLATION_KEY);
    if (isInstallationId(stored)) return stored;
    const id = newInstallationId();
    await this.globalState.update(INSTALLATION_KEY, id);
    return id;
  }

  get serviceConfigured(): boolean {
    return hangarSetting('marketplace.serviceUrl').trim() !== '';
  }

  /** Asks for the service token once and keeps it in SecretStorage (never in settings). */
  async ensureToken(): Promise<boolean> {
    return Boolean(await this.secrets.get(TOKEN_SECRET)) || this.setToken();
  }

  /** Replaces the stored token: the one given (by a caller in the extension host), else asks for it. */
  async setToken(given?: string): Promise<boolean> {
    const token =
      given ??
      (await vscode.window.showInputBox({
        title: 'Hangar Marketplace token',
        prompt: 'Paste the token your marketplace admin created with "hangar market admin token create". It is stored in the OS keychain.',
        password: true,
        ignoreFocusOut: true,
      }));
    if (!token?.trim()) return false;
    await this.secrets.store(TOKEN_SECRET, token.trim());
    return true;
  }

  /** Catalogs from the setting (relative paths against the first workspace folder) and each folder's airflow-repos.yaml. */
  private configuredSources(): CatalogSource[] {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const fromSettings = hangarSetting('marketplace.catalogs').map((c) =>
      c.path && folders[0] && !path.isAbsolute(c.path) ? { ...c, path: vscode.Uri.joinPath(folders[0].uri, c.path).fsPath } : c,
    );
    return [...fromSettings, ...folders.flatMap((f) => catalogsFromReposFile(path.join(f.uri.fsPath, 'airflow-repos.yaml')))];
  }

  /**
   * Git catalogs are fetched here, with the repositories' Git service and the credentials stored for their
   * name or host when those were entered for the catalog's URL, once per session (again on refresh); the language server only reads the folders.
   */
  private catalogFolders(reload: boolean): Promise<CatalogSource[]> {
    const sources = this.configuredSources();
    const key = JSON.stringify(sources);
    if (reload || this.checkedOut?.key !== key) {
      // Only secrets entered for the catalog's own URL (never a same-named repository's at another URL); no prompt.
      const fetcher = gitFetcher((source) => this.credentials.get({ name: source.name, url: source.url, auth: source.auth }));
      this.checkedOut = { key, folders: checkoutCatalogs(sources, { cacheDir: this.cacheDir, fetcher }) };
    }
    return this.checkedOut.folders;
  }

  private async context(reload = false): Promise<MarketContext> {
    const serviceUrl = hangarSetting('marketplace.serviceUrl').trim();
    return { catalogs: await this.catalogFolders(reload), serviceUrl: serviceUrl || undefined, repoRoots: repositoryFolders() };
  }

  /** A client for the service's write endpoints, or undefined (with the reason shown) when it cannot write. */
  async writer(ask: boolean): Promise<MarketServiceClient | undefined> {
    const url = hangarSetting('marketplace.serviceUrl').trim();
    if (!url) return undefined;
    if (ask && !(await this.ensureToken())) return undefined;
    const token = await this.secrets.get(TOKEN_SECRET);
    return token ? new MarketServiceClient(url, token) : undefined;
  }

  async call<T>(method: MarketServerCall['method'], params: unknown): Promise<T> {
    const client = this.client.languageClient;
    if (!client?.isRunning()) throw new Error('The Hangar language server is not running; run "Hangar: Restart Language Server".');
    return (await client.sendRequest(MarketRequest, { context: await this.context(method === 'refresh'), method, params })) as T;
  }

  installInto<T>(params: InstallIntoParams): Promise<T> {
    return this.call<T>('installInto', params);
  }
}
