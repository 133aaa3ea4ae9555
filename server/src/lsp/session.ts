import { fileURLToPath } from 'node:url';
import type { Connection, InitializeParams } from 'vscode-languageserver/node';
import { createPythonParser } from '../analysis/parser';
import { ServerStatusNotification, type HangarInitializationOptions } from '../protocol';
import { version } from '../version';
import { Analyzer } from './analyzer';
import { SettingsCache } from './settings';
import { WorkspaceIndex } from './workspaceIndex';

/** Everything the request handlers share for one client connection. */
export interface Session {
  readonly analyzer: Analyzer;
  readonly settings: SettingsCache;
  readonly workspace: WorkspaceIndex;
  readonly options: HangarInitializationOptions;
}

function initializationOptions(raw: unknown): HangarInitializationOptions {
  const value = (raw ?? {}) as Partial<HangarInitializationOptions>;
  return {
    // A client that says nothing (a plain LSP client, the CLI) is trusted, as any other linter run is.
    trusted: value.trusted !== false,
    commands: Array.isArray(value.commands) ? value.commands.filter((c): c is string => typeof c === 'string') : [],
  };
}

function workspaceRoots(params: InitializeParams): string[] {
  const folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: '' }] : []);
  return folders.filter((f) => f.uri.startsWith('file:')).map((f) => fileURLToPath(f.uri));
}

/** Loads the grammar and builds the analyzer; HANGAR_INCREMENTAL=0 turns incremental re-parsing off (benchmarks). */
export async function createSession(connection: Connection, params: InitializeParams): Promise<Session> {
  const parser = await createPythonParser();
  const canAsk = params.capabilities.workspace?.configuration === true;
  const settings = new SettingsCache(
    canAsk ? (uri) => connection.workspace.getConfiguration({ scopeUri: uri, section: 'hangar' }) : undefined,
  );
  const analyzer = new Analyzer(
    parser,
    settings,
    (uri, version, diagnostics) => void connection.sendDiagnostics({ uri, version, diagnostics }),
    { incremental: process.env.HANGAR_INCREMENTAL !== '0' },
  );
  const roots = workspaceRoots(params);
  analyzer.setWorkspaceRoots(roots);
  const workspace = new WorkspaceIndex(roots, analyzer, settings, (analyzedFiles) =>
    void connection.sendNotification(ServerStatusNotification, { state: 'ready', version, analyzedFiles }),
  );
  return { analyzer, settings, workspace, options: initializationOptions(params.initializationOptions) };
}
