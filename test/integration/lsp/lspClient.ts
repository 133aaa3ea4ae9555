/**
 * A real LSP client for the built language server (dist/server/server.js) over stdio: what an editor
 * does, without VS Code. Used by the integration tests and the benchmark.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  ConfigurationRequest,
  createProtocolConnection,
  DidChangeConfigurationNotification,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  DidCloseTextDocumentNotification,
  DidOpenTextDocumentNotification,
  ExitNotification,
  InitializedNotification,
  InitializeRequest,
  PublishDiagnosticsNotification,
  RegistrationRequest,
  ShutdownRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type Diagnostic,
  type FileEvent,
  type ProtocolConnection,
  type TextDocumentContentChangeEvent,
} from 'vscode-languageserver-protocol/node';

export const DIST = path.resolve(__dirname, '..', '..', '..', 'dist');

/**
 * A private copy of the built server and its grammar: other work rebuilding dist/ while a long run
 * (the benchmark) is in progress must not pull the server out from under it.
 */
export function snapshotServer(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hangar-server-'));
  for (const part of ['server', 'wasm']) cpSync(path.join(DIST, part), path.join(dir, part), { recursive: true });
  return path.join(dir, 'server', 'server.js');
}

export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
  /** process.hrtime in ms when the notification arrived. */
  at: number;
}

export interface StartOptions {
  /** Workspace folder (absolute path). */
  root?: string;
  env?: Record<string, string>;
  initializationOptions?: unknown;
  /** The `hangar` settings section the client answers workspace/configuration with. */
  settings?: () => unknown;
  /** The server bundle to run: dist/server/server.js unless given. */
  server?: string;
}

export const now = (): number => Number(process.hrtime.bigint()) / 1e6;
export const fileUri = (file: string): string => pathToFileURL(file).href;

export class LspClient {
  readonly published: Published[] = [];
  private readonly listeners = new Set<(p: Published) => void>();

  private constructor(
    readonly process: ChildProcess,
    readonly connection: ProtocolConnection,
    settings: (() => unknown) | undefined,
  ) {
    connection.onNotification(PublishDiagnosticsNotification.type, (params) => {
      const entry = { ...params, at: now() };
      this.published.push(entry);
      for (const listener of this.listeners) listener(entry);
    });
    connection.onRequest(ConfigurationRequest.type, (params) => params.items.map(() => settings?.() ?? {}));
    connection.onRequest(RegistrationRequest.type, () => undefined);
    connection.listen();
  }

  static async start(options: StartOptions = {}): Promise<LspClient> {
    const server = options.server ?? path.join(DIST, 'server', 'server.js');
    if (!existsSync(server)) throw new Error(`${server} is missing: run "node esbuild.mjs" first`);
    const child = spawn(process.execPath, [server, '--stdio'], {
      env: { ...process.env, ...options.env },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const connection = createProtocolConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(child, connection, options.settings);
    const root = options.root;
    await connection.sendRequest(InitializeRequest.type, {
      processId: process.pid,
      rootUri: root ? fileUri(root) : null,
      workspaceFolders: root ? [{ uri: fileUri(root), name: path.basename(root) }] : null,
      capabilities: { workspace: { configuration: true, didChangeWatchedFiles: { dynamicRegistration: true } } },
      initializationOptions: options.initializationOptions,
    });
    await connection.sendNotification(InitializedNotification.type, {});
    return client;
  }

  /** Resolves with the first notification for `uri` (from now on) that satisfies `accept`. */
  nextDiagnostics(uri: string, accept: (p: Published) => boolean = () => true, timeoutMs = 10_000): Promise<Published> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.listeners.delete(listener);
        reject(new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms`));
      }, timeoutMs);
      const listener = (p: Published): void => {
        if (p.uri !== uri || !accept(p)) return;
        clearTimeout(timer);
        this.listeners.delete(listener);
        resolve(p);
      };
      this.listeners.add(listener);
    });
  }

  /** The latest diagnostics published for `uri`, or waits for some that satisfy `accept`. */
  async diagnostics(uri: string, accept: (p: Published) => boolean = () => true, timeoutMs = 10_000): Promise<Published> {
    const last = this.published.filter((p) => p.uri === uri).at(-1);
    if (last && accept(last)) return last;
    return this.nextDiagnostics(uri, accept, timeoutMs);
  }

  open(uri: string, text: string, version = 1): Promise<void> {
    return this.connection.sendNotification(DidOpenTextDocumentNotification.type, { textDocument: { uri, languageId: 'python', version, text } });
  }

  change(uri: string, version: number, contentChanges: TextDocumentContentChangeEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeTextDocumentNotification.type, { textDocument: { uri, version }, contentChanges });
  }

  close(uri: string): Promise<void> {
    return this.connection.sendNotification(DidCloseTextDocumentNotification.type, { textDocument: { uri } });
  }

  configurationChanged(): Promise<void> {
    return this.connection.sendNotification(DidChangeConfigurationNotification.type, { settings: null });
  }

  filesChanged(changes: FileEvent[]): Promise<void> {
    return this.connection.sendNotification(DidChangeWatchedFilesNotification.type, { changes });
  }

  /** Resident memory of the server process, in MB (Linux /proc). */
  rssMb(): number {
    const status = readFileSync(`/proc/${this.process.pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
      await this.connection.sendNotification(ExitNotification.type);
    } catch {
      // already gone
    }
    this.connection.dispose();
    if (this.process.exitCode === null) this.process.kill();
  }
}
