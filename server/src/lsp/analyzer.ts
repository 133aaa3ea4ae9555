import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Diagnostic } from 'vscode-languageserver/node';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver-textdocument';
import { fileNotice, toDiagnostic } from './diagnostics';
import { DocumentStore, type StoredDocument, type TreeParser } from './documentStore';
import { Engine, type FileAnalysis } from './engineAdapter';
import { looksLikeDagFile, type LspSettings, type SettingsCache } from './settings';

function internalError(error: unknown): Diagnostic {
  const message = error instanceof Error ? error.message : String(error);
  return fileNotice('internal-error', `Hangar could not analyse this file (${message}); please report it with the file attached.`, 'warning');
}

export type Publish = (uri: string, version: number | undefined, diagnostics: Diagnostic[]) => void;

/** The analysis of one version of an open document, with the text and tree it was made from. */
export interface CurrentAnalysis extends FileAnalysis {
  readonly uri: string;
  readonly version: number;
  readonly text: string;
  readonly stored: StoredDocument;
}

interface FileState {
  /** Version of the open document the analysis is for; undefined for files analysed from disk. */
  version?: number;
  analysis?: FileAnalysis;
  notices: Diagnostic[];
}

/** Whether re-analysing a file should re-analyse the other files defining its dag_ids (false when it is itself such a re-analysis). */
type Cascade = boolean;

/** A never-ending stream of changes still gets analysed this often (in event-loop turns). */
const MAX_SETTLE_TURNS = 500;

/**
 * Owns `uri -> { text, version, tree, analysis }` for open documents and the findings of files analysed
 * from disk in the background. Edits are applied at once; analysis runs right after the current batch
 * of messages, once per document however many changes arrived, and is published only for the version
 * it was computed from.
 */
export class Analyzer {
  readonly store: DocumentStore;
  private readonly engine: Engine;
  private readonly files = new Map<string, FileState>();
  private readonly uriByPath = new Map<string, string>();
  private readonly dirty = new Map<string, Cascade>();
  private flushScheduled = false;
  private roots: string[] = [];

  constructor(
    private readonly parser: TreeParser,
    private readonly settings: SettingsCache,
    private readonly publish: Publish,
    options: { incremental: boolean },
  ) {
    this.store = new DocumentStore(parser, options.incremental);
    this.engine = new Engine(parser, (file) => this.store.get(pathToFileURL(file).href)?.document.getText(), (file) => this.workspaceFolder(file));
  }

  setWorkspaceRoots(roots: string[]): void {
    this.roots = roots;
  }

  open(uri: string, text: string, version: number): void {
    this.store.open(uri, text, version);
    this.files.set(uri, { version, notices: [] });
    this.schedule(uri);
  }

  change(uri: string, changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    if (!this.store.change(uri, changes, version)) return;
    const state = this.files.get(uri);
    if (state) state.analysis = undefined; // its model points into the tree that was just edited
    this.schedule(uri);
  }

  /**
   * Forgets the open document. A file of the workspace's DAG folders goes back to its saved content
   * (`fromDisk`); anything else is cleared, with the cross-file findings it caused elsewhere.
   */
  close(uri: string, fromDisk?: string): void {
    this.store.close(uri);
    this.dirty.delete(uri);
    this.helperChanged(uri); // its importers read the unsaved buffer: back to the file on disk
    if (fromDisk !== undefined) {
      this.files.delete(uri);
      this.indexFromDisk(uri, fromDisk);
      return;
    }
    this.remove(uri);
  }

  /** A file that is gone (deleted, or closed and not part of the DAG folders): its findings and its DAGs. */
  remove(uri: string): void {
    if (this.store.get(uri)) return; // still open in the editor: the buffer is what counts
    this.files.delete(uri);
    const affected = this.engine.forget(this.indexPath(uri));
    this.publish(uri, undefined, []);
    this.reanalyze(affected);
  }

  /**
   * A file changed (an edit, a save, a change on disk, a deletion): the DAG files whose analysis read it as a helper
   * module are analysed again, without cascading further.
   */
  helperChanged(uri: string): void {
    const file = this.filePath(uri);
    if (!file) return;
    for (const importer of this.engine.importersOf(file)) {
      const importerUri = pathToFileURL(importer).href;
      if (importerUri === uri) continue;
      if (this.store.get(importerUri)) this.schedule(importerUri, false);
      else if (this.files.has(importerUri)) this.onStaleDiskFile?.(importerUri);
    }
  }

  /** Analyses a file that is not open from its content on disk, keeping only its findings. */
  indexFromDisk(uri: string, text: string, cascade: Cascade = true): void {
    if (this.store.get(uri)) return;
    const settings = this.settings.cached(this.settingsScope(uri));
    if (!settings) {
      void this.settings.get(this.settingsScope(uri)).then(() => this.indexFromDisk(uri, text, cascade));
      return;
    }
    const state: FileState = { notices: [] };
    this.files.set(uri, state);
    const skip = this.skipReason(text, settings);
    if (skip !== undefined) {
      state.analysis = { findings: [] };
      if (skip) state.notices = [skip];
      this.publish(uri, undefined, state.notices);
      if (cascade) this.reanalyze(this.engine.forget(this.indexPath(uri)));
      return;
    }
    const tree = this.parser.parse(text);
    if (!tree) return;
    state.analysis = { findings: [] };
    try {
      const result = this.engine.analyze({ path: this.indexPath(uri), file: this.filePath(uri), source: text, tree, settings, workspaceFolder: this.workspaceFolder(this.filePath(uri)) });
      state.analysis = { findings: result.findings }; // the model dies with the tree
      if (result.configProblem) state.notices = [result.configProblem];
      if (cascade) this.reanalyze(result.affected);
    } catch (error) {
      state.notices = [internalError(error)];
    } finally {
      tree.delete();
    }
    this.publish(uri, undefined, [...state.notices, ...(state.analysis?.findings ?? []).map(toDiagnostic)]);
  }

  /** The analysis of the document's current version, computed now if an edit made it stale. */
  current(uri: string): CurrentAnalysis | undefined {
    const stored = this.store.get(uri);
    const state = this.files.get(uri);
    if (!stored || !state) return undefined;
    if (!state.analysis || state.version !== stored.document.version) {
      const settings = this.settings.cached(this.settingsScope(uri));
      if (!settings) return undefined;
      this.analyzeOpen(stored, state, settings, true);
    }
    if (!state.analysis) return undefined;
    return { ...state.analysis, uri, version: stored.document.version, text: stored.document.getText(), stored };
  }

  /** Open documents and files analysed from disk. */
  analyzedFiles(): number {
    return this.files.size;
  }

  isOpen(uri: string): boolean {
    return this.store.get(uri) !== undefined;
  }

  /**
   * Analyses `uri` as soon as the changes already received are applied. The connection handles one
   * message per event-loop turn, so waiting until a turn passes without a newer version means a
   * burst of changes is analysed once, for its last version, instead of once per change (no timer:
   * an isolated keystroke is analysed two turns later).
   */
  schedule(uri: string, cascade: Cascade = true): void {
    this.dirty.set(uri, (this.dirty.get(uri) ?? false) || cascade);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    const seen = this.dirtyVersions();
    setImmediate(() => setImmediate(() => this.settle(seen, 0)));
  }

  private settle(seen: string, turns: number): void {
    const now = this.dirtyVersions();
    if (now !== seen && turns < MAX_SETTLE_TURNS) {
      setImmediate(() => this.settle(now, turns + 1));
      return;
    }
    this.flush();
  }

  private dirtyVersions(): string {
    return [...this.dirty.keys()].map((uri) => `${uri}@${this.store.get(uri)?.document.version}`).join('\n');
  }

  /** After settings or a project config changed: re-analyse the open documents. */
  refreshAll(): void {
    this.engine.forgetConfigs();
    for (const uri of this.store.uris()) {
      const state = this.files.get(uri);
      if (state) state.analysis = undefined;
      this.schedule(uri);
    }
  }

  /** Key of a setting lookup: resource settings live per workspace folder, so one request serves a whole folder. */
  settingsScope(uri: string): string {
    const file = this.filePath(uri);
    const root = file && this.roots.find((r) => file.startsWith(r + path.sep));
    return root ? pathToFileURL(root).href : uri;
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = [...this.dirty];
    this.dirty.clear();
    for (const [uri, cascade] of batch) {
      const stored = this.store.get(uri);
      const state = this.files.get(uri);
      if (!stored || !state) continue;
      const settings = this.settings.cached(this.settingsScope(uri));
      if (!settings) {
        // The first analysis of a folder waits for its settings once; the edit path never does.
        void this.settings.get(this.settingsScope(uri)).then(() => this.schedule(uri, cascade));
        continue;
      }
      const edited = !state.analysis || state.version !== stored.document.version;
      if (edited || !cascade) this.analyzeOpen(stored, state, settings, cascade);
      if (edited && cascade) this.helperChanged(uri);
      this.publishOpen(uri);
    }
  }

  private analyzeOpen(stored: StoredDocument, state: FileState, settings: LspSettings, cascade: Cascade): void {
    const text = stored.document.getText();
    state.version = stored.document.version;
    state.notices = [];
    state.analysis = { findings: [] };
    const skip = this.skipReason(text, settings);
    if (skip !== undefined) {
      if (skip) state.notices = [skip];
      if (cascade) this.reanalyze(this.engine.forget(this.indexPath(stored.uri)));
      return;
    }
    const tree = this.store.tree(stored);
    if (!tree) return;
    try {
      const result = this.engine.analyze({ path: this.indexPath(stored.uri), file: this.filePath(stored.uri), source: text, tree, settings, workspaceFolder: this.workspaceFolder(this.filePath(stored.uri)) });
      state.analysis = result;
      if (result.configProblem) state.notices = [result.configProblem];
      if (cascade) this.reanalyze(result.affected);
    } catch (error) {
      state.notices = [internalError(error)]; // one broken file must not take the server down
    }
  }

  /** Re-analyses files whose cross-file findings changed, without cascading further. */
  private reanalyze(indexPaths: readonly string[]): void {
    for (const indexPath of indexPaths) {
      const uri = this.uriByPath.get(indexPath);
      if (!uri) continue;
      if (this.store.get(uri)) this.schedule(uri, false);
      else this.onStaleDiskFile?.(uri);
    }
  }

  /** Called for a file analysed from disk whose cross-file findings changed; the workspace indexer re-reads it. */
  onStaleDiskFile: ((uri: string) => void) | undefined;

  /** Why a text is not analysed (a notice, or null for "silently: not a DAG file"), or undefined to analyse it. */
  private skipReason(text: string, settings: LspSettings): Diagnostic | null | undefined {
    const limit = settings.analysis.maxFileSizeKb * 1024;
    if (text.length > limit) {
      return fileNotice(
        'file-too-large',
        `Hangar did not analyse this file: it is larger than hangar.analysis.maxFileSizeKb (${settings.analysis.maxFileSizeKb} KB). Raise the setting to analyse it.`,
      );
    }
    if (text.includes('\u0000')) {
      return fileNotice('binary-content', 'Hangar did not analyse this file: it holds binary content, not Python source.');
    }
    return looksLikeDagFile(text, settings) ? undefined : null;
  }

  private publishOpen(uri: string): void {
    const stored = this.store.get(uri);
    const state = this.files.get(uri);
    // Never publish for a version the document has already moved past.
    if (!stored || !state?.analysis || state.version !== stored.document.version) return;
    this.publish(uri, state.version, [...state.notices, ...state.analysis.findings.map(toDiagnostic)]);
  }

  private workspaceFolder(file: string | undefined): string | undefined {
    return file ? this.roots.find((r) => file.startsWith(r + path.sep)) : undefined;
  }

  private filePath(uri: string): string | undefined {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  }

  /** The file's key in the dag_id index and the path its findings show: relative to its workspace folder. */
  private indexPath(uri: string): string {
    const file = this.filePath(uri);
    const root = file && this.roots.find((r) => file.startsWith(r + path.sep));
    const relative = root && (this.roots.length > 1 ? path.join(path.basename(root), path.relative(root, file)) : path.relative(root, file));
    const key = relative || file || uri;
    this.uriByPath.set(key, uri);
    return key;
  }

  dispose(): void {
    this.store.dispose();
  }
}
