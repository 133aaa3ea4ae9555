import path from 'node:path';
import type { Connection } from 'vscode-languageserver';
import { MarketRequest } from '../protocol';
import { Marketplace } from './marketplace';
import { MarketServiceClient } from './serviceClient';
import { hasUpdate } from './install';
import { readState, type InstalledEntry } from './state';
import type { EntryStats } from './search';
import { withoutLogs } from './verify/status';
import type { VerificationStatus } from './verify/types';
import type { EntryResult, InstallIntoParams, ListFilters, ListResult, MarketContext, MarketServerCall, ServiceMode } from './webviewProtocol';

const STATS_TTL_MS = 30_000;

interface StatsSnapshot {
  url?: string;
  at: number;
  stats?: Map<string, EntryStats>;
  verifications?: Map<string, VerificationStatus>;
  mode: ServiceMode;
}

/**
 * Serves the marketplace webview's requests inside the language server, so the editor and the CLI share
 * one implementation. Catalogs are loaded once per distinct catalog list and reloaded on `refresh`.
 */
export class MarketRequestHandler {
  private loaded: { key: string; market: Promise<Marketplace> } | undefined;
  private stats: StatsSnapshot | undefined;

  private market(context: MarketContext, reload = false): Promise<Marketplace> {
    const key = JSON.stringify(context.catalogs);
    if (reload || this.loaded?.key !== key) this.loaded = { key, market: Marketplace.load(context.catalogs) };
    return this.loaded.market;
  }

  private service(context: MarketContext): MarketServiceClient | undefined {
    return context.serviceUrl ? new MarketServiceClient(context.serviceUrl) : undefined;
  }

  /**
   * Pulls ratings, install counts and verification statuses; without a reachable service the marketplace runs
   * catalog-only. The answer (or the failure) is kept for STATS_TTL_MS, so typing in the search box does not call
   * the service per key.
   */
  private async withStats(context: MarketContext, market: Marketplace, fresh = false): Promise<ServiceMode> {
    const client = this.service(context);
    if (!client) return { mode: 'catalog-only', reason: 'No marketplace service configured (hangar.marketplace.serviceUrl).' };
    const cached = this.stats;
    if (!fresh && cached && cached.url === context.serviceUrl && Date.now() - cached.at < STATS_TTL_MS) {
      if (cached.stats) market.setStats(cached.stats);
      if (cached.verifications) market.setVerifications(cached.verifications);
      return cached.mode;
    }
    let entry: StatsSnapshot;
    try {
      const [stats, verifications] = await Promise.all([client.stats(), client.verifications()]);
      entry = { url: context.serviceUrl, at: Date.now(), stats, verifications, mode: { mode: 'service' } };
      market.setStats(stats);
      market.setVerifications(verifications);
    } catch (error) {
      entry = { url: context.serviceUrl, at: Date.now(), mode: { mode: 'catalog-only', reason: (error as Error).message } };
    }
    this.stats = entry;
    return entry.mode;
  }

  private installed(context: MarketContext): Map<string, InstalledEntry> {
    const records = new Map<string, InstalledEntry>();
    for (const root of context.repoRoots) {
      try {
        for (const record of Object.values(readState(root).installed)) records.set(record.id, record);
      } catch {
        // an unreadable state file only hides "installed" badges for that repository
      }
    }
    return records;
  }

  async handle(call: MarketServerCall): Promise<unknown> {
    const { context } = call;
    switch (call.method) {
      case 'list':
        return this.list(context, call.params as ListFilters);
      case 'entry':
        return this.entry(context, (call.params as { id: string }).id);
      case 'installInto': {
        const params = call.params as InstallIntoParams;
        if (!context.repoRoots.some((root) => path.resolve(root) === path.resolve(params.repoRoot))) throw new Error(`refusing to install ${params.id}: the target is not a repository folder of the workspace`);
        const market = await this.market(context);
        await this.withStats(context, market);
        return market.install(params.id, { repoRoot: params.repoRoot, folder: params.folder, allowUnverified: params.allowUnverified });
      }
      case 'verification': {
        const market = await this.market(context);
        await this.withStats(context, market);
        return market.verification((call.params as { id: string }).id);
      }
      case 'installedAt': {
        const { id } = call.params as { id: string };
        for (const repoRoot of context.repoRoots) {
          const record = readState(repoRoot).installed[id];
          if (record?.files[0]) return { repoRoot, folder: path.posix.dirname(record.files[0].path) };
        }
        return undefined;
      }
      case 'uninstall': {
        const { id } = call.params as { id: string };
        const market = await this.market(context);
        const fullId = market.entry(id).entry.id;
        const repoRoot = context.repoRoots.find((root) => readState(root).installed[fullId]);
        if (!repoRoot) throw new Error(`${fullId} is not installed in any repository of the workspace`);
        return market.uninstall(fullId, repoRoot);
      }
      case 'refresh':
        return { entries: (await this.market(context, true)).entries.length };
      default:
        throw new Error(`unknown marketplace request "${call.method}"`);
    }
  }

  private async list(context: MarketContext, filters: ListFilters): Promise<ListResult> {
    const market = await this.market(context);
    const mode = await this.withStats(context, market);
    const installed = this.installed(context);
    const result = market.find({ ...filters, limit: 500 });
    return {
      ...mode,
      total: result.total,
      facets: market.search.facets(),
      problems: market.problems,
      items: result.hits.map(({ entry, stats }) => ({
        id: entry.id,
        title: entry.title,
        summary: entry.description.split(/\n\s*\n/)[0]!.replace(/[#*_`>[\]]/g, '').slice(0, 200),
        category: entry.category,
        status: entry.status,
        version: entry.version,
        tags: entry.tags,
        providers: entry.providers.map((p) => p.name),
        stats,
        installedVersion: installed.get(entry.id)?.version,
        updateAvailable: installed.has(entry.id) && hasUpdate(installed.get(entry.id)!, entry),
        verification: withoutLogs(market.verification(entry.id)),
      })),
    };
  }

  private async entry(context: MarketContext, id: string): Promise<EntryResult> {
    const market = await this.market(context);
    const mode = await this.withStats(context, market, true);
    const fullId = market.entry(id).entry.id;
    const page = mode.mode === 'service' ? await this.service(context)!.entryPage(fullId).catch(() => undefined) : undefined;
    if (page?.verification) market.setVerifications(new Map([[fullId, page.verification]]));
    const details = await market.details(id);
    const reviews = page?.reviews ?? [];
    const record = this.installed(context).get(details.entry.id);
    return { ...mode, ...details, reviews, installedVersion: record?.version, updateAvailable: record !== undefined && hasUpdate(record, details.entry) };
  }
}

export function registerMarketplace(connection: Connection): void {
  const handler = new MarketRequestHandler();
  connection.onRequest(MarketRequest, (call) => handler.handle(call));
}
