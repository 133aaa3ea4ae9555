import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILE_NAME, loadConfigFile, type WorkspaceConfig } from '../../../server/src/config/load';
import type { RepositoryConfig } from '../../../server/src/config/types';
import type { GitAccess, GitCredentials } from '../../../server/src/git/credentials';
import { InvalidCredentials, OperationCancelled, scrub } from '../../../server/src/git/errors';
import { GitClient } from '../../../server/src/git/gitClient';
import type { ConflictResolution } from '../../../server/src/repos/conflicts';
import { RepositoryPoller } from '../../../server/src/repos/poller';
import { RepositoryStore } from '../../../server/src/repos/store';
import { cloneDirOf, syncRepository, type SyncResult } from '../../../server/src/repos/sync';
import type { SyncTrigger } from '../../../server/src/repos/types';
import { defaultStorageDir, workspaceConflicts } from '../../../server/src/repos/workspace';
import type { Prompts } from '../prompts';
import { hangarSetting } from '../settings';
import { requireTrust } from '../trust';
import { askBeforeReuse } from './credentialReuse';
import { bindingFor, CredentialStore, promptCredentials } from './credentials';

export type RepositoryStatus = 'never-synced' | 'syncing' | 'synced' | 'failed' | 'invalid-credentials' | 'conflict';

/**
 * The editor side of repositories: reads airflow-repos.yaml, runs the same syncRepository as the CLI in the
 * extension host (so credentials never cross the traced language-server channel), polls remotes, and tells
 * the tree, the status bar and the diagnostics when something changed.
 */
export class RepositoriesController implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  readonly credentials: CredentialStore;
  private readonly syncing = new Set<string>();
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('hangar-repositories');
  private readonly poller: RepositoryPoller;
  private readonly disposables: vscode.Disposable[] = [];
  config: WorkspaceConfig;
  conflicts: ConflictResolution = { conflicts: [], excluded: new Map() };

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
    /** The quick picks of the repository commands (shared with the other commands, announced for the editor tests). */
    private readonly prompts: Prompts,
  ) {
    this.credentials = new CredentialStore(context);
    this.config = this.load();
    this.poller = new RepositoryPoller({
      remoteCommit: async (r) => new GitClient({ access: await this.access(r, false) }).remoteCommit(r.url, r.ref),
      localCommit: (r) => this.store.state(r.name)?.commit,
      onChange: (r, commit) => this.remoteMoved(r, commit),
      onError: (r, error) => this.log.warn(`[${r.name}] polling failed: ${error instanceof Error ? error.message : String(error)}`),
    });
    const watcher = vscode.workspace.createFileSystemWatcher(`**/${CONFIG_FILE_NAME}`);
    const reload = () => this.reload();
    this.disposables.push(
      watcher,
      watcher.onDidChange(reload),
      watcher.onDidCreate(reload),
      watcher.onDidDelete(reload),
      vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('hangar.repositories') && reload()),
      vscode.workspace.onDidChangeWorkspaceFolders(reload),
      vscode.workspace.onDidGrantWorkspaceTrust(reload),
      this.diagnostics,
      this.changed,
      this.prompts,
    );
    this.refreshDerived();
  }

  /** airflow-repos.yaml of the first workspace folder that has one (else where a new one would go). */
  get configFile(): string {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const withFile = folders.find((f) => existsSync(path.join(f.uri.fsPath, CONFIG_FILE_NAME)));
    return path.join((withFile ?? folders[0])?.uri.fsPath ?? this.context.globalStorageUri.fsPath, CONFIG_FILE_NAME);
  }

  /** `workspace`: `.hangar` next to the file, shared with the CLI; `globalStorage`: the extension's own folder. */
  get storageDir(): string {
    if (hangarSetting('repositories.cloneLocation') === 'workspace') return defaultStorageDir(this.configFile);
    const id = createHash('sha256').update(this.configFile).digest('hex').slice(0, 16);
    return path.join(this.context.globalStorageUri.fsPath, 'repositories', id);
  }

  get store(): RepositoryStore {
    return new RepositoryStore(this.storageDir);
  }

  get repositories(): RepositoryConfig[] {
    return this.config.repositories;
  }

  find(name: string): RepositoryConfig | undefined {
    return this.config.repositories.find((r) => r.name === name);
  }

  cloneDir(repository: RepositoryConfig): string {
    return cloneDirOf(repository, this.storageDir);
  }

  status(repository: RepositoryConfig): RepositoryStatus {
    if (this.syncing.has(repository.name)) return 'syncing';
    const last = this.store.history(repository.name).find((h) => h.result !== 'cancelled');
    if (last?.error?.kind === 'invalid-credentials') return 'invalid-credentials';
    if (last?.result === 'failed') return 'failed';
    if (!this.store.state(repository.name)) return 'never-synced';
    const inConflict = this.conflicts.conflicts.some((c) => [c.winner, ...c.losers].some((l) => l.repository === repository.name));
    return inConflict ? 'conflict' : 'synced';
  }

  reload(): void {
    this.config = this.load();
    this.refreshDerived();
  }

  private load(): WorkspaceConfig {
    return loadConfigFile(this.configFile);
  }

  private refreshDerived(): void {
    this.conflicts = workspaceConflicts(this.config.repositories, this.storageDir);
    this.publishDiagnostics();
    // An untrusted airflow-repos.yaml must not make the editor contact servers by itself.
    const poll = vscode.workspace.isTrusted && hangarSetting('repositories.onRemoteChange') !== 'off';
    this.poller.start(poll ? this.config.repositories : []);
    this.changed.fire();
  }

  private publishDiagnostics(): void {
    this.diagnostics.clear();
    const configErrors = this.config.errors.map((e) => {
      const range = new vscode.Range(e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character);
      const diagnostic = new vscode.Diagnostic(range, e.field ? `${e.field}: ${e.message}` : e.message, vscode.DiagnosticSeverity.Error);
      diagnostic.source = 'hangar';
      return diagnostic;
    });
    if (configErrors.length) this.diagnostics.set(vscode.Uri.file(this.config.file), configErrors);
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const conflict of this.conflicts.conflicts) {
      for (const location of [conflict.winner, ...conflict.losers]) {
        const repository = this.find(location.repository);
        if (!repository) continue;
        const file = path.join(this.cloneDir(repository), location.file);
        const won = location === conflict.winner;
        const others = [conflict.winner, ...conflict.losers].filter((l) => l !== location).map((l) => l.repository);
        const message = won
          ? `dag_id "${conflict.dagId}" is also defined in ${others.join(', ')}; ${location.repository} has the higher priority and wins.`
          : `dag_id "${conflict.dagId}" is also defined in ${conflict.winner.repository}, which has ${conflict.tie ? 'the same priority and sorts first' : 'a higher priority'}: this file is excluded from deploys. Rename the DAG or change the priorities in airflow-repos.yaml.`;
        const diagnostic = new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), message, won ? vscode.DiagnosticSeverity.Information : vscode.DiagnosticSeverity.Warning);
        diagnostic.source = 'hangar';
        diagnostic.code = 'dag-id-conflict';
        byFile.set(file, [...(byFile.get(file) ?? []), diagnostic]);
      }
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
  }

  async access(repository: RepositoryConfig, interactive: boolean): Promise<GitAccess> {
    return { auth: repository.auth, username: repository.username, sshKey: repository.sshKey, credentials: await this.credentialsFor(repository, interactive) };
  }

  /**
   * The stored secret for the repository's current URL. A secret entered for another remote (or stored by
   * 0.1.0 without one) is used only after the user says so (`interactive`); otherwise it is handed on as it is
   * and the git layer refuses it with a message, which the sync history records. `auth: none`: nothing.
   */
  async credentialsFor(repository: RepositoryConfig, interactive: boolean): Promise<GitCredentials | undefined> {
    if (repository.auth === 'none') return undefined;
    const found = await this.credentials.lookup(repository);
    if (found.state === 'bound') return found.credentials;
    if (!interactive) {
      if (found.state === 'unbound') this.log.warn(`[${repository.name}] stored credentials wait for confirmation before they go to ${scrub(repository.url)}: run Sync Now`);
      return found.state === 'elsewhere' && found.secret.boundTo ? { ...found.secret, boundTo: found.secret.boundTo } : undefined;
    }
    const choice = found.state === 'none' ? 'new' : await askBeforeReuse(this.prompts, repository, found);
    if (choice === 'use' && found.state !== 'none') {
      const credentials = { ...found.secret, boundTo: bindingFor(found.scope, repository.url) };
      await this.credentials.set(found.scope, credentials);
      this.log.info(`[${repository.name}] stored credentials now go to ${scrub(repository.url)}`);
      return credentials;
    }
    if (choice !== 'new') throw new OperationCancelled();
    const entered = await promptCredentials(repository);
    if (!entered) return undefined;
    await this.credentials.set(entered.scope, entered.credentials);
    return entered.credentials;
  }

  private async remoteMoved(repository: RepositoryConfig, commit: string): Promise<void> {
    if (this.syncing.has(repository.name)) return;
    if (hangarSetting('repositories.onRemoteChange') === 'sync') {
      await this.sync(repository, 'poll').catch(() => undefined);
      return;
    }
    const action = await vscode.window.showInformationMessage(`${repository.name} has new commits (${commit.slice(0, 8)}).`, 'Sync Now');
    if (action) await this.sync(repository, 'manual').catch(() => undefined);
  }

  /**
   * Syncs under a cancellable progress notification (a quiet status-bar progress for polling). Errors are shown
   * with the actions that fix them and then rethrown for callers that need the outcome.
   */
  async sync(repository: RepositoryConfig, trigger: SyncTrigger = 'manual'): Promise<SyncResult> {
    if (!requireTrust(`Syncing ${repository.name}`)) throw new Error('The workspace is not trusted.');
    const credentials = await this.credentialsFor(repository, trigger === 'manual');
    this.syncing.add(repository.name);
    this.changed.fire();
    try {
      return await vscode.window.withProgress(
        {
          location: trigger === 'poll' ? vscode.ProgressLocation.Window : vscode.ProgressLocation.Notification,
          title: `Syncing ${repository.name}`,
          cancellable: true,
        },
        async (progress, token) => {
          const controller = new AbortController();
          token.onCancellationRequested(() => controller.abort());
          return syncRepository({
            repository,
            storageDir: this.storageDir,
            credentials,
            trigger,
            signal: controller.signal,
            onProgress: (p) => progress.report({ message: p.message }),
            log: (line) => this.log.info(line),
          });
        },
      );
    } catch (error) {
      void this.reportFailure(repository, error, trigger);
      throw error;
    } finally {
      this.syncing.delete(repository.name);
      this.refreshDerived();
    }
  }

  private async reportFailure(repository: RepositoryConfig, error: unknown, trigger: SyncTrigger): Promise<void> {
    if (error instanceof OperationCancelled) return;
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof InvalidCredentials) {
      const action = await vscode.window.showErrorMessage(`${repository.name}: ${message}`, 'Retry', 'Update Credentials');
      if (action === 'Update Credentials') await vscode.commands.executeCommand('hangar.updateCredentials', repository.name);
      else if (action === 'Retry') await this.sync(repository, 'manual').catch(() => undefined);
      return;
    }
    if (trigger === 'poll') return; // logged; the tree shows the failure
    const action = await vscode.window.showErrorMessage(`${repository.name}: sync failed. ${message}`, 'Retry', 'Show Logs');
    if (action === 'Retry') await this.sync(repository, 'manual').catch(() => undefined);
    else if (action === 'Show Logs') this.log.show();
  }

  dispose(): void {
    this.poller.stop();
    for (const d of this.disposables) d.dispose();
  }
}
