import * as vscode from 'vscode';
import { markGraph, type GraphMarks } from '../../../server/src/dagdiff/graphMarks';
import { DagGraphRequest, type DagGraph, type GraphHostToWebview, type GraphMark, type GraphWebviewToHost } from '../../../server/src/protocol';
import type { HangarLanguageClient } from '../languageClient';
import { webviewHtml } from '../webviewHtml';

/** How long typing pauses before the open graph is redrawn. */
const REDRAW_DELAY_MS = 150;

/**
 * The DAG graph webview: one panel, showing one DAG of one document, redrawn as that document changes.
 * Strict CSP with a nonce script, resources only from media/ and dist/media/, data only by postMessage
 * after the webview said it is ready.
 */
export class DagGraphPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private ready = false;
  private uri: vscode.Uri | undefined;
  private dagId: string | undefined;
  private redraw: NodeJS.Timeout | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];
  /** Compare with Live: the marks of one DAG of one file, against a named version. */
  private comparison: { uri: string; marks: GraphMarks; against: string } | undefined;
  private readonly renderedEmitter = new vscode.EventEmitter<{ dagId: string; nodes: number; edges: number; marks?: Record<GraphMark, number> }>();
  /** Fires after the webview drew a graph (used by the editor tests). */
  readonly onDidRender = this.renderedEmitter.event;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly client: HangarLanguageClient,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidChangeTextDocument((event) => {
        if (!this.panel || event.document.uri.toString() !== this.uri?.toString()) return;
        clearTimeout(this.redraw);
        this.redraw = setTimeout(() => void this.update(), REDRAW_DELAY_MS);
      }),
    );
  }

  /** `hangar.showDagGraph [uri] [dagId]`: the code lens passes both; the palette uses the active editor. */
  async show(uri?: string | vscode.Uri, dagId?: string): Promise<void> {
    const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : (uri ?? vscode.window.activeTextEditor?.document.uri);
    if (!target) {
      void vscode.window.showInformationMessage('Open a DAG file to show its graph.');
      return;
    }
    this.uri = target;
    this.dagId = typeof dagId === 'string' ? dagId : undefined;
    this.comparison = undefined;
    await this.open();
  }

  /** The graph of `dagId` in `uri` with what differs from another version marked, and the summary beside it. */
  async compare(uri: vscode.Uri, marks: GraphMarks, against: string): Promise<void> {
    this.uri = uri;
    this.dagId = marks.dagId;
    this.comparison = { uri: uri.toString(), marks, against };
    await this.open();
  }

  private async open(): Promise<void> {
    if (!this.panel) this.create();
    else this.panel.reveal(vscode.ViewColumn.Beside, true);
    await this.update();
  }

  private create(): void {
    const roots = [vscode.Uri.joinPath(this.extensionUri, 'media'), vscode.Uri.joinPath(this.extensionUri, 'dist', 'media')];
    this.panel = vscode.window.createWebviewPanel('hangar.dagGraph', 'DAG Graph', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, {
      enableScripts: true,
      localResourceRoots: roots,
      retainContextWhenHidden: true,
    });
    this.panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'icons', 'hangar.svg');
    this.ready = false;
    this.panel.webview.onDidReceiveMessage((message: GraphWebviewToHost) => void this.receive(message));
    this.panel.onDidDispose(() => {
      this.panel = undefined;
      this.ready = false;
    });
    this.panel.webview.html = this.html(this.panel.webview);
  }

  private async receive(message: GraphWebviewToHost): Promise<void> {
    switch (message.type) {
      case 'ready':
        this.ready = true;
        await this.update();
        return;
      case 'selectDag':
        this.dagId = message.dagId;
        await this.update();
        return;
      case 'reveal': {
        if (!this.uri) return;
        const { start, end } = message.range;
        const selection = new vscode.Range(start.line, start.character, end.line, end.character);
        const column = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === this.uri?.toString())?.viewColumn;
        await vscode.window.showTextDocument(this.uri, { selection, viewColumn: column ?? vscode.ViewColumn.One });
        return;
      }
      case 'rendered':
        this.renderedEmitter.fire({ dagId: message.dagId, nodes: message.nodes, edges: message.edges, ...(message.marks ? { marks: message.marks } : {}) });
        return;
    }
  }

  private async update(): Promise<void> {
    if (!this.panel || !this.ready || !this.uri) return;
    const graph = await this.fetch(this.uri, this.dagId);
    if (!this.panel) return;
    const comparison = graph && this.comparison?.uri === this.uri.toString() && this.comparison.marks.dagId === graph.dagId ? this.comparison : undefined;
    if (graph && comparison) {
      this.panel.title = `Graph: ${graph.dagId} ↔ ${comparison.against}`;
      this.post({ type: 'graph', graph: markGraph(graph, comparison.marks), comparison: { against: comparison.against, lines: [...comparison.marks.lines] } });
    } else if (graph) {
      this.panel.title = `Graph: ${graph.dagId}`;
      this.post({ type: 'graph', graph });
    } else {
      this.post({ type: 'empty', message: 'No DAG found in this file (Hangar reads DAGs defined with DAG(...), with DAG(...) or @dag).' });
    }
  }

  private async fetch(uri: vscode.Uri, dagId: string | undefined): Promise<DagGraph | null> {
    const client = this.client.languageClient;
    if (!client?.isRunning()) return null;
    try {
      // Opening the document makes the server analyse its current text, saved or not.
      await vscode.workspace.openTextDocument(uri);
      return await client.sendRequest(DagGraphRequest, { uri: uri.toString(), dagId });
    } catch (error) {
      this.log.warn(`DAG graph of ${uri.fsPath}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    }
  }

  private post(message: GraphHostToWebview): void {
    void this.panel?.webview.postMessage(message);
  }

  private html(webview: vscode.Webview): string {
    return webviewHtml(webview, this.extensionUri, {
      script: 'graph.js',
      style: 'graph.css',
      title: 'DAG Graph',
      body: '<header><h1 id="title">Loading the DAG…</h1><select id="dag" hidden aria-label="DAG"></select></header>\n<div class="layout"><main id="graph"></main><aside id="summary" hidden></aside></div>',
    });
  }

  dispose(): void {
    clearTimeout(this.redraw);
    this.panel?.dispose();
    this.renderedEmitter.dispose();
    for (const subscription of this.subscriptions) subscription.dispose();
  }
}
