import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { ServerStatusNotification, type HangarInitializationOptions, type ServerStatus } from '../../server/src/protocol';

/** Trust decides whether code lenses that run project code are offered; the commands which lenses exist. */
async function initializationOptions(): Promise<HangarInitializationOptions> {
  const commands = (await vscode.commands.getCommands(true)).filter((id) => id.startsWith('hangar.'));
  return { trusted: vscode.workspace.isTrusted, commands };
}

/** Owns the language client: start, restart, and the last status the server reported. */
export class HangarLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private readonly statusEmitter = new vscode.EventEmitter<ServerStatus>();
  readonly onStatus = this.statusEmitter.event;
  status: ServerStatus = { state: 'starting', version: '', analyzedFiles: 0 };
  starts = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.LogOutputChannel,
  ) {
    // Granting trust unlocks the Validate / Test / Deploy lenses: the server learns it at start.
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(() => void this.restart()));
  }

  async start(): Promise<void> {
    const serverModule = this.context.asAbsolutePath('dist/server/server.js');
    const serverOptions: ServerOptions = {
      run: { module: serverModule, transport: TransportKind.ipc },
      debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
    };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: 'python' },
        { scheme: 'untitled', language: 'python' },
      ],
      outputChannel: this.log,
      synchronize: { configurationSection: 'hangar' },
      initializationOptions: await initializationOptions(),
    };
    this.setStatus({ state: 'starting', version: '', analyzedFiles: 0 });
    this.client = new LanguageClient('hangar', 'Hangar', serverOptions, clientOptions);
    this.client.onNotification(ServerStatusNotification, (status) => this.setStatus(status));
    const startedAt = Date.now();
    try {
      await this.client.start();
      this.starts += 1;
      this.log.info(`Language server started in ${Date.now() - startedAt} ms`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.log.error(`Language server failed to start: ${message}`);
      this.setStatus({ state: 'error', version: '', analyzedFiles: 0, message });
    }
  }

  async restart(): Promise<void> {
    this.log.info('Restarting the language server');
    await this.stop();
    await this.start();
  }

  get languageClient(): LanguageClient | undefined {
    return this.client;
  }

  private setStatus(status: ServerStatus): void {
    this.status = status;
    this.statusEmitter.fire(status);
  }

  private async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client?.isRunning()) await client.stop();
    else if (client) {
      // A client whose start failed refuses to stop; Restart must still replace it.
      await client.dispose().catch((error: unknown) => this.log.debug(`Discarded a client that never started: ${String(error)}`));
    }
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.statusEmitter.dispose();
  }
}
