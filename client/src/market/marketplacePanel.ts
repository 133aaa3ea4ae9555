import path from 'node:path';
import * as vscode from 'vscode';
import type {
  HostToWebview,
  InstalledLocation,
  InstallResult,
  KeptFile,
  MarketMethod,
  MarketMethods,
  RenderReport,
  UninstallResult,
  VerificationStatus,
  WebviewToHost,
} from '../../../server/src/market/webviewProtocol';
import type { MarketBackend } from './marketBackend';
import { repositoryFolders } from './repositoryFolders';
import { webviewHtml } from '../webviewHtml';

export interface InstallTargetChoice {
  repoRoot: string;
  folder: string;
}

/** The marketplace webview: strict CSP, data only through postMessage, a ready handshake and typed requests. */
export class MarketplacePanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private readonly pending: HostToWebview[] = [];
  private readonly rendered = new vscode.EventEmitter<RenderReport>();
  readonly onDidRender = this.rendered.event;
  lastRender: RenderReport | undefined;
  /** Set by tests (and future callers) to skip the pickers. */
  presetTarget: InstallTargetChoice | undefined;
  /** Asks before installing an entry that failed verification; tests replace it to answer without the modal. */
  confirmUnverified = async (id: string, status: VerificationStatus): Promise<boolean> => {
    const failures = (status.record?.results ?? []).filter((r) => r.result === 'failed').map((r) => `Airflow ${r.airflow}: ${r.error ?? r.stage ?? 'failed'}`);
    const detail = [...failures, `It applies to the file with sha256 ${status.sha256}. The entry page's Verification tab has the log.`].join('\n');
    return (await vscode.window.showWarningMessage(`${id}: ${status.headline}. Install it anyway?`, { modal: true, detail }, 'Install anyway')) === 'Install anyway';
  };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly backend: MarketBackend,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  open(entryId?: string): void {
    if (this.panel) {
      this.panel.reveal();
      if (entryId) this.post({ type: 'init', mode: this.mode(), openEntry: entryId });
      return;
    }
    const mediaRoots = [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'media')];
    this.panel = vscode.window.createWebviewPanel('hangar.marketplace', 'Hangar Marketplace', vscode.ViewColumn.Active, {
      enableScripts: true,
      retainContextWhenHidden: true,
      localResourceRoots: mediaRoots,
    });
    this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'hangar.svg');
    this.ready = false;
    this.panel.webview.html = this.html(this.panel.webview);
    this.panel.webview.onDidReceiveMessage((message: WebviewToHost) => void this.receive(message, entryId));
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
  }

  private mode(): { mode: 'service' | 'catalog-only'; reason?: string } {
    return this.backend.serviceConfigured ? { mode: 'service' } : { mode: 'catalog-only', reason: 'No marketplace service configured (hangar.marketplace.serviceUrl): ratings, reviews and install counts are off.' };
  }

  /** `hangar.setMarketplaceToken`: stores a new service token and reloads the page with it. */
  async setToken(token?: string): Promise<void> {
    if (await this.backend.setToken(token)) this.post({ type: 'init', mode: this.mode() });
  }

  /** Host-initiated navigation (commands, tests): the webview loads the view through its normal requests. */
  show(view: { list: { text?: string } } | { entry: string }): void {
    this.post({ type: 'init', mode: this.mode(), ...('entry' in view ? { openEntry: view.entry } : { searchText: view.list.text }) });
  }

  private post(message: HostToWebview): void {
    if (!this.panel) return;
    if (!this.ready) this.pending.push(message);
    else void this.panel.webview.postMessage(message);
  }

  private async receive(message: WebviewToHost, openEntry?: string): Promise<void> {
    if (message.type === 'ready') {
      this.ready = true;
      void this.panel?.webview.postMessage({ type: 'init', mode: this.mode(), openEntry } satisfies HostToWebview);
      for (const queued of this.pending.splice(0)) void this.panel?.webview.postMessage(queued);
      return;
    }
    if (message.type === 'rendered') {
      this.lastRender = message.report;
      this.rendered.fire(message.report);
      return;
    }
    if (message.type !== 'request') return;
    try {
      const result = await this.handle(message.method, message.params as never);
      this.post({ type: 'reply', requestId: message.requestId, result });
    } catch (error) {
      const text = error instanceof Error ? error.message : String(error);
      this.log.error(`marketplace ${message.method}: ${text}`);
      this.post({ type: 'error', requestId: message.requestId, message: text });
    }
  }

  private async handle<M extends MarketMethod>(method: M, params: MarketMethods[M]['params']): Promise<unknown> {
    switch (method) {
      case 'install':
        return this.install((params as { id: string }).id);
      case 'uninstall':
        return this.uninstall((params as { id: string }).id);
      case 'rate':
      case 'review': {
        const writer = await this.backend.writer(true);
        if (!writer) throw new Error('Rating and reviewing need the marketplace service (hangar.marketplace.serviceUrl) and a token (Hangar: Set Marketplace Token).');
        const { id, rating, text } = params as { id: string; rating?: number; text?: string };
        const installation = await this.backend.installationId();
        return method === 'rate' ? writer.rate(id, rating ?? 0, installation) : writer.review(id, text ?? '', installation);
      }
      case 'list':
      case 'entry':
      case 'refresh':
        return this.backend.call(method, params);
      default:
        // Installing into a chosen folder, and reading where an entry is installed, are the host's calls, never the page's.
        throw new Error('unknown marketplace request');
    }
  }

  private async pickTarget(id: string): Promise<InstallTargetChoice | undefined> {
    if (this.presetTarget) return this.presetTarget;
    const repositories = repositoryFolders();
    const picked = await vscode.window.showQuickPick(
      repositories.map((dir) => ({ label: path.basename(dir), description: dir, dir })),
      { title: `Install ${id} into which repository?`, placeHolder: repositories.length ? 'Repository' : 'No repository folder in the workspace' },
    );
    if (!picked) return undefined;
    const folder = await vscode.window.showInputBox({ title: 'Folder inside the repository', value: 'dags', validateInput: (v) => (path.isAbsolute(v) || v.split(/[\\/]/).includes('..') ? 'A folder inside the repository' : undefined) });
    return folder === undefined ? undefined : { repoRoot: picked.dir, folder };
  }

  /**
   * Install (or update, in the place it was installed): an entry that failed verification only after "Install
   * anyway"; choose where, then verify, scan, copy and merge requirements in the server, under progress.
   */
  async install(id: string): Promise<InstallResult | undefined> {
    const verification = await this.backend.call<VerificationStatus>('verification', { id });
    const allowUnverified = verification.state === 'failed';
    if (allowUnverified && !(await this.confirmUnverified(id, verification))) return undefined;
    const target = (await this.backend.call<InstalledLocation | undefined>('installedAt', { id })) ?? (await this.pickTarget(id));
    if (!target) return undefined;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing ${id}` },
      () => this.backend.installInto<InstallResult>({ id, ...target, allowUnverified }),
    );
    this.post({ type: 'installed', result });
    const writer = await this.backend.writer(false);
    await writer?.recordInstall(result.id, await this.backend.installationId()).catch((error: Error) => this.log.warn(`marketplace: install not counted: ${error.message}`));
    this.reportKept(id, result.kept);
    this.log.info(`marketplace: ${result.updated ? 'updated' : 'installed'} ${id} ${result.version} into ${target.repoRoot} (${result.files.join(', ')}) in ${Math.round(result.durationMs)} ms`);
    for (const conflict of result.requirements.conflicts) {
      void vscode.window.showWarningMessage(`requirements.txt pins "${conflict.existing}" but ${id} needs "${conflict.wanted}". Resolve the pin by hand.`);
    }
    const dag = vscode.Uri.file(path.join(target.repoRoot, result.files[0]!));
    void vscode.window.showInformationMessage(`Installed ${id} ${result.version} into ${path.basename(target.repoRoot)}.`, 'Open DAG').then((choice) => {
      if (choice) void vscode.window.showTextDocument(dag);
    });
    return result;
  }

  private async uninstall(id: string): Promise<UninstallResult | undefined> {
    const answer = await vscode.window.showWarningMessage(`Remove the files ${id} installed? Files you edited and requirements.txt are left as they are.`, { modal: true }, 'Uninstall');
    if (answer !== 'Uninstall') return undefined;
    const result = await this.backend.call<UninstallResult>('uninstall', { id });
    this.reportKept(id, result.kept);
    return result;
  }

  /** Files an uninstall or update left in place because they were edited since the install. */
  private reportKept(id: string, kept: readonly KeptFile[]): void {
    if (kept.length === 0) return;
    const files = kept.map((k) => `${k.path} (${k.reason})`).join(', ');
    this.log.info(`marketplace: ${id}: kept ${files}`);
    void vscode.window.showWarningMessage(`${id}: kept ${files}. Delete them yourself if you no longer need them.`);
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, {
      script: 'market.js',
      style: 'market.css',
      title: 'Hangar Marketplace',
      body: '<main id="app" aria-live="polite"></main>',
      localAssets: true,
    });
  }

  dispose(): void {
    this.panel?.dispose();
    this.rendered.dispose();
  }
}
