import * as vscode from 'vscode';

export const HISTORY_SCHEME = 'hangar-history';

/**
 * Sync and deploy histories as read-only Markdown documents (`hangar-history:/sync/<repository>.md`,
 * `hangar-history:/deployments/<environment>.md`, and what a version changed: `hangar-history:/changes/<environment>-v<n>.md`;
 * a canary's comparison: `hangar-history:/canary/<environment>/<dag_id>.md`), shown in the Markdown preview: nothing to save, nothing
 * left behind as an untitled buffer, and the content is rendered again when the history changes.
 */
export class HistoryDocuments implements vscode.TextDocumentContentProvider, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;
  private readonly renderers = new Map<string, () => Promise<string> | string>();
  private readonly registration = vscode.workspace.registerTextDocumentContentProvider(HISTORY_SCHEME, this);

  static uri(kind: 'sync' | 'deployments' | 'changes' | 'canary', name: string): vscode.Uri {
    return vscode.Uri.from({ scheme: HISTORY_SCHEME, path: `/${kind}/${name}.md` });
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const render = this.renderers.get(uri.toString());
    return render ? await render() : `# Nothing to show\n\nThis history is no longer open in Hangar; run the command that showed it again.\n`;
  }

  /** Opens (or refreshes) the document in the Markdown preview. */
  async show(uri: vscode.Uri, render: () => Promise<string> | string): Promise<void> {
    this.renderers.set(uri.toString(), render);
    this.changed.fire(uri);
    // The built-in Markdown extension activates on its command; without it (disabled) the text is shown, still read-only.
    await vscode.commands.executeCommand('markdown.showPreview', uri).then(undefined, () => vscode.window.showTextDocument(uri, { preview: true }));
  }

  /** Renders every open history again (a sync or a deploy happened). */
  refresh(): void {
    for (const uri of this.renderers.keys()) this.changed.fire(vscode.Uri.parse(uri));
  }

  dispose(): void {
    this.registration.dispose();
    this.changed.dispose();
  }
}
