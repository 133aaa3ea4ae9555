import { readCatalogFile } from './catalogFile';
import { installEntry, uninstallEntry, updatesAvailable, type InstallResult, type InstallTarget, type UninstallResult } from './install';
import { renderMarkdown } from './markdown';
import { badgeOf, scanDag, type Badge } from './scan';
import { MarketSearch, type EntryStats, type SearchQuery } from './search';
import { loadCatalogs, type CatalogFetcher, type CatalogSource } from './sources';
import { readState } from './state';
import type { CatalogProblem, LoadedCatalog, MarketEntry } from './types';
import { FileDigests } from './verify/fileDigests';
import { resolveVerification } from './verify/status';
import type { EntryVerification, VerificationStatus } from './verify/types';
import type { Finding } from '../analysis/findings';
import { InstallError } from './installedFiles';

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
  verification: VerificationStatus;
}

/** The marketplace service's own verification of an entry (in the service: from its database and queue). */
export interface OwnVerification {
  record?: EntryVerification;
  pending?: boolean;
}

const MAX_PREVIEW = 200_000;

/** The catalogs, their search index and the install operations, shared by the CLI, the language server and the service. */
export class Marketplace {
  private catalogs: LoadedCatalog[] = [];
  private index = new MarketSearch([]);
  private readonly digests = new FileDigests();
  /** What the marketplace service said about entries' verification (its sha256 must match the file here). */
  private remote = new Map<string, VerificationStatus>();

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

  /** Verification statuses from the marketplace service; they count only for files with the sha256 they name. */
  setVerifications(statuses: ReadonlyMap<string, VerificationStatus>): void {
    for (const [id, status] of statuses) this.remote.set(id, status);
  }

  /** sha256 of the entry's DAG file as it is in the catalog now. */
  currentSha256(id: string): string | undefined {
    const { entry, root } = this.entry(id);
    return this.digests.of(root, entry.sourcePath);
  }

  /** The catalog's verification/ record of an entry. */
  catalogVerification(id: string): EntryVerification | undefined {
    const { entry } = this.entry(id);
    return this.catalogs.find((c) => c.name === entry.catalog)?.verifications?.get(entry.localId);
  }

  /**
   * The entry's verification for its file as it is now. Precedence: the service's own run (`own` in the service,
   * else what the service reported), then the catalog's verification/ file; a record of another sha256 never counts.
   */
  verification(id: string, own?: OwnVerification): VerificationStatus {
    const sha256 = this.currentSha256(id) ?? '';
    const catalog = this.catalogVerification(id);
    const fromCatalog = catalog && { source: 'catalog' as const, record: catalog };
    if (own) return resolveVerification(sha256, [own.record && { source: 'service', record: own.record }, fromCatalog], own.pending === true);
    const remote = this.remote.get(id);
    return resolveVerification(sha256, [remote?.record && { source: remote.source ?? 'service', record: remote.record }, fromCatalog], remote?.state === 'pending' && remote.sha256 === sha256);
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
      verification: this.verification(id),
    };
  }

  /** Installs, after a failed verification only with `allowUnverified` (the CLI's --allow-unverified, the editor's "Install anyway"). */
  install(id: string, target: InstallTarget & { allowUnverified?: boolean }): Promise<InstallResult> {
    const { entry, root } = this.entry(id);
    const verification = this.verification(entry.id);
    if (verification.state === 'failed' && !target.allowUnverified) {
      throw new InstallError(
        `refusing to install ${entry.id}: ${verification.headline} (sha256 ${verification.sha256}). Read the log with "hangar market info ${entry.id}"; install anyway with --allow-unverified`,
      );
    }
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
