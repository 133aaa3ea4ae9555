import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Analyzer } from './analyzer';
import type { SettingsCache } from './settings';

const SKIPPED_DIRS = new Set(['node_modules', '__pycache__', 'venv', '.venv', 'site-packages', 'dist', 'build']);
const MAX_DEPTH = 12;

/**
 * Background analysis of the workspace's DAG folders, so the Problems panel shows the whole
 * repository: files are read and analysed one at a time between requests, up to a cap, and a new
 * scan (settings changed) cancels the one running.
 */
export class WorkspaceIndex {
  private generation = 0;
  private scannedWith: string | undefined;
  private readonly scopes = new Set<string>();

  constructor(
    private readonly roots: readonly string[],
    private readonly analyzer: Analyzer,
    private readonly settings: SettingsCache,
    private readonly onProgress: (analyzedFiles: number, done: boolean) => void,
  ) {
    analyzer.onStaleDiskFile = (uri) => this.reindex(uri, false);
  }

  /** The Python files under folders named like a DAG folder (`dags` by default), at most `cap`. */
  private async discover(): Promise<string[]> {
    const found: string[] = [];
    for (const root of this.roots) {
      const settings = await this.settings.get(this.analyzer.settingsScope(pathToFileURL(root).href));
      const names = new Set(settings.analysis.dagFolders);
      const cap = found.length + settings.analysis.backgroundCap;
      const walk = (dir: string, depth: number, inDagFolder: boolean): void => {
        if (found.length >= cap || depth > MAX_DEPTH) return;
        let entries;
        try {
          entries = readdirSync(dir, { withFileTypes: true });
        } catch {
          return; // unreadable or gone: nothing to analyse there
        }
        entries.sort((a, b) => a.name.localeCompare(b.name));
        for (const entry of entries) {
          if (found.length >= cap) return;
          if (entry.name.startsWith('.')) continue;
          const full = path.join(dir, entry.name);
          if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(full, depth + 1, inDagFolder || names.has(entry.name));
          else if (entry.isFile() && inDagFolder && entry.name.endsWith('.py')) found.push(full);
        }
      };
      walk(root, 0, names.has(path.basename(root)));
    }
    return found;
  }

  /** After a configuration change: scans again only when a setting the analysis reads changed. */
  async refresh(): Promise<void> {
    const fingerprint = await this.settingsFingerprint();
    if (fingerprint !== this.scannedWith) await this.scan();
  }

  private async settingsFingerprint(): Promise<string> {
    const all = await Promise.all(this.roots.map((root) => this.settings.get(this.analyzer.settingsScope(pathToFileURL(root).href))));
    return JSON.stringify(all);
  }

  /** (Re)scans every DAG folder; resolves when done or superseded by a newer scan. */
  async scan(): Promise<void> {
    this.scannedWith = await this.settingsFingerprint();
    const generation = ++this.generation;
    const files = await this.discover();
    this.scopes.clear();
    for (const file of files) this.scopes.add(file);
    let analyzed = 0;
    for (const file of files) {
      if (generation !== this.generation) return;
      this.reindex(pathToFileURL(file).href, true);
      analyzed += 1;
      if (analyzed % 50 === 0) this.onProgress(this.analyzer.analyzedFiles(), false);
      await new Promise((resolve) => setImmediate(resolve)); // let requests and edits in between files
    }
    this.onProgress(this.analyzer.analyzedFiles(), true);
  }

  /** True for a file the background analysis covers: closing it goes back to its saved findings. */
  covers(uri: string): boolean {
    return uri.startsWith('file:') && this.scopes.has(fileURLToPath(uri));
  }

  /** Reads a file that is not open and analyses it; a file that cannot be read is treated as gone. */
  reindex(uri: string, cascade: boolean): void {
    if (this.analyzer.isOpen(uri)) return;
    const file = fileURLToPath(uri);
    let text: string;
    try {
      if (statSync(file).size > 64 * 1024 * 1024) return; // not even worth reading
      text = readFileSync(file, 'utf8');
    } catch {
      this.analyzer.remove(uri);
      return;
    }
    this.analyzer.indexFromDisk(uri, text, cascade);
  }

  /** A watched file was created, changed or deleted outside the editor. */
  fileChanged(uri: string, deleted: boolean): void {
    if (!uri.startsWith('file:')) return;
    const file = fileURLToPath(uri);
    if (file.endsWith('.py')) this.analyzer.helperChanged(uri);
    if (deleted || !existsSync(file)) {
      this.scopes.delete(file);
      this.analyzer.remove(uri);
      return;
    }
    if (this.scopes.has(file) || this.inDagFolder(file)) {
      this.scopes.add(file);
      this.reindex(uri, true);
    }
  }

  /** The text to go back to when `uri` is closed, or undefined when the file is not covered. */
  savedText(uri: string): string | undefined {
    if (!this.covers(uri)) return undefined;
    try {
      return readFileSync(fileURLToPath(uri), 'utf8');
    } catch {
      return undefined;
    }
  }

  private inDagFolder(file: string): boolean {
    if (!file.endsWith('.py')) return false;
    const settings = this.settings.cached(this.analyzer.settingsScope(pathToFileURL(file).href));
    const names = new Set(settings?.analysis.dagFolders ?? ['dags']);
    const root = this.roots.find((r) => file.startsWith(r + path.sep));
    if (!root) return false;
    return path.relative(root, file).split(path.sep).slice(0, -1).some((part) => names.has(part));
  }
}
