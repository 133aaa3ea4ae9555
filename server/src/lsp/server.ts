import { CodeActionKind, createConnection, DidChangeWatchedFilesNotification, FileChangeType, ProposedFeatures, TextDocumentSyncKind } from 'vscode-languageserver/node';
import { DagGraphRequest, ServerStatusNotification } from '../protocol';
import { registerMarketplace } from '../market/lspHandler';
import { version } from '../version';
import { codeActions, FIX_ALL_KIND } from './codeActions';
import { dagGraph } from './dagGraph';
import { hover } from './hover';
import { codeLenses, definition } from './navigation';
import { createSession, type Session } from './session';
import { documentSymbols } from './symbols';

const connection = createConnection(ProposedFeatures.all);
let session: Session | undefined;
let startError: string | undefined;
let watchFiles = false;

connection.onInitialize(async (params) => {
  try {
    session = await createSession(connection, params);
  } catch (error) {
    startError = error instanceof Error ? error.message : String(error);
  }
  watchFiles = params.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration === true;
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
      hoverProvider: true,
      documentSymbolProvider: { label: 'Airflow DAGs' },
      definitionProvider: true,
      codeLensProvider: { resolveProvider: false },
    },
    serverInfo: { name: 'hangar', version },
  };
});

connection.onInitialized(() => {
  if (startError || !session) {
    connection.console.error(`Hangar could not load the Python grammar: ${startError}`);
    void connection.sendNotification(ServerStatusNotification, { state: 'error', version, message: startError, analyzedFiles: 0 });
    return;
  }
  void connection.sendNotification(ServerStatusNotification, { state: 'ready', version, analyzedFiles: 0 });
  if (watchFiles) {
    connection.client
      .register(DidChangeWatchedFilesNotification.type, { watchers: [{ globPattern: '**/{*.py,pyproject.toml,hangar.toml}' }] })
      .catch((error: unknown) => connection.console.warn(`Hangar cannot watch files, deleted files keep their findings: ${String(error)}`));
  }
  session.workspace.scan().catch((error: unknown) => connection.console.error(`Hangar's background analysis stopped: ${String(error)}`));
});

connection.onDidOpenTextDocument(({ textDocument: d }) => session?.analyzer.open(d.uri, d.text, d.version));
connection.onDidChangeTextDocument(({ textDocument: d, contentChanges }) => session?.analyzer.change(d.uri, contentChanges, d.version));
connection.onDidCloseTextDocument(({ textDocument: d }) => session?.analyzer.close(d.uri, session.workspace.savedText(d.uri)));
connection.onDidChangeConfiguration(() => {
  session?.settings.invalidate();
  session?.analyzer.refreshAll();
  session?.workspace.refresh().catch((error: unknown) => connection.console.error(`Hangar's background analysis stopped: ${String(error)}`));
});
connection.onDidChangeWatchedFiles(({ changes }) => {
  const isProjectConfig = (uri: string) => /(pyproject|hangar)\.toml$/.test(uri);
  for (const change of changes) {
    if (!isProjectConfig(change.uri)) session?.workspace.fileChanged(change.uri, change.type === FileChangeType.Deleted);
  }
  if (changes.some((change) => isProjectConfig(change.uri))) {
    session?.analyzer.refreshAll();
    session?.workspace.scan().catch((error: unknown) => connection.console.error(`Hangar's background analysis stopped: ${String(error)}`));
  }
});

const current = (uri: string) => session?.analyzer.current(uri);
connection.onCodeAction(({ textDocument, range, context }) => {
  const analysis = current(textDocument.uri);
  return analysis ? codeActions(analysis, range, context.only) : [];
});
connection.onHover(({ textDocument, position }) => {
  const analysis = current(textDocument.uri);
  return analysis ? hover(analysis, position) : null;
});
connection.onDocumentSymbol(({ textDocument }) => documentSymbols(current(textDocument.uri)?.model));
connection.onDefinition(({ textDocument, position }) => {
  const analysis = current(textDocument.uri);
  return analysis ? definition(analysis, position) : null;
});
connection.onCodeLens(({ textDocument }) => {
  const analysis = current(textDocument.uri);
  return analysis && session ? codeLenses(analysis, session.options) : [];
});
connection.onRequest(DagGraphRequest, ({ uri, dagId }) => {
  const analysis = current(uri);
  return analysis ? dagGraph(analysis, dagId) : null;
});
connection.onShutdown(() => session?.analyzer.dispose());

registerMarketplace(connection);
connection.listen();
