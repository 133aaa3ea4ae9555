import { readCatalogFile } from './catalogFile';
import { installEntry, uninstallEntry, updatesAvailable, type InstallResult, type InstallTarget, type UninstallResult } from './install';
import { renderMarkdown } from './markdown';
import { badgeOf, scanDag, type Badge } from './scan';
import { MarketSearch, type EntryStats, type SearchQuery } from './search';
import { loadCatalogs, type CatalogFetcher, type CatalogSource } from './sources';
import { readState } from './state';
import type { CatalogProblem, LoadedCatalog, MarketEntry } from './types';
import type { Finding } from '../analysis/findings';

export interface EntryDetails {
  entry: MarketEntry;
  stats: EntryStats;
  /** Sanitised HTML rendered from the entry's markdown description. */
  descriptionHtml: string;
  source: string;
  tasks: string[];
  edges: [string, string][];
  findings: Finding[];
  badge: Badge;
}

const MAX_PREVIEW = 200_000;

/** The catalogs, their search index and the install operations, shared by the CLI, the language server and the service. */
export class Marketplace {
  private catalogs: LoadedCatalog[] = [];
  private index = new MarketSearch([]);

  static async load(sources: readonly CatalogSource[], options: { cacheDir?: string; fetcher?: CatalogFetcher } = {}): Promise<Marketplace> {
    const market = new Marketplace();
    market.catalogs = await loadCatalogs(sources, options);
    market.index = new MarketSearch(market.catalogs.flatMap((c) => c.entries));
    return market;
  }

  get entries(): MarketEntry[] {
    return this.catalogs.flatMap((c) => c.entries);
  }

  get problems(): CatalogProblem[] {
    return this.catalogs.flatMap((c) => c.problems);
  }

  get catalogNames(): string[] {
    return this.catalogs.map((c) => c.name);
  }

  get search(): MarketSearch {
    return this.index;
  }

  find(query: SearchQuery): ReturnType<MarketSearch['search']> {
    return this.index.search(query);
  }

  setStats(stats: ReadonlyMap<string, EntryStats>): void {
    this.index.setStats(stats);
  }

  entry(id: string): { entry: MarketEntry; root: string } {
    const entry = this.index.get(id) ?? this.entries.find((e) => e.localId === id);
    if (!entry) throw new Error(`no catalog entry "${id}"; search with "hangar market search"`);
    const root = this.catalogs.find((c) => c.name === entry.catalog)!.root;
    return { entry, root };
  }

  async details(id: string): Promise<EntryDetails> {
    const { entry, root } = this.entry(id);
    const { source, findings, tasks, edges } = await scanDag(readCatalogFile(root, entry.sourcePath), entry.sourcePath);
    return {
      entry,
      stats: this.index.statsOf(entry.id),
      descriptionHtml: renderMarkdown(entry.description),
      source: source.length > MAX_PREVIEW ? `${source.slice(0, MAX_PREVIEW)}\n# … truncated` : source,
      tasks,
      edges,
      findings,
      badge: badgeOf(findings),
    };
  }

  install(id: string, target: InstallTarget): Promise<InstallResult> {
    const { entry, root } = this.entry(id);
    return installEntry(entry, root, target);
  }

  uninstall(id: string, repoRoot: string): UninstallResult {
    return uninstallEntry(this.entry(id).entry.id, repoRoot);
  }

  updates(repoRoot: string): ReturnType<typeof updatesAvailable> {
    return updatesAvailable(repoRoot, (id) => this.index.get(id));
  }

  installed(repoRoot: string): Record<string, string> {
    return Object.fromEntries(Object.values(readState(repoRoot).installed).map((r) => [r.id, r.version]));
  }
}
