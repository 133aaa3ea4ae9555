import MiniSearch from 'minisearch';
import semver from 'semver';
import type { MarketEntry } from './types';

/** What the marketplace service knows about an entry; zeros in catalog-only mode. */
export interface EntryStats {
  rating: number;
  ratings: number;
  installs: number;
}

export type SortKey = 'relevance' | 'rating' | 'installs' | 'updated' | 'title';

export interface SearchQuery {
  text?: string;
  category?: string;
  status?: string;
  /** The user's Airflow version; entries whose required range excludes it are filtered out. */
  airflowVersion?: string;
  provider?: string;
  sort?: SortKey;
  limit?: number;
}

export interface SearchHit {
  entry: MarketEntry;
  stats: EntryStats;
  score: number;
}

const NO_STATS: EntryStats = { rating: 0, ratings: 0, installs: 0 };
const collator = new Intl.Collator('en', { sensitivity: 'base' });
const byText = (a = '', b = ''): number => (a < b ? -1 : a > b ? 1 : 0);

/** Whether `version` satisfies an entry's Airflow range; an unparsable range never hides an entry. */
export function airflowCompatible(range: string | undefined, version: string): boolean {
  if (!range) return true;
  const coerced = semver.coerce(version);
  if (!coerced) return true;
  return semver.validRange(range) ? semver.satisfies(coerced, range) : true;
}

/**
 * An inverted index (MiniSearch) over title, description, tags and providers: fuzzy and prefix matching
 * without scanning every entry, so a query stays in the low milliseconds at 5,000 entries.
 */
export class MarketSearch {
  private readonly index = new MiniSearch<MarketEntry>({
    fields: ['title', 'description', 'tagText', 'providerText', 'localId', 'category'],
    storeFields: [],
    extractField: (entry, field) => {
      if (field === 'tagText') return entry.tags.join(' ');
      if (field === 'providerText') return entry.providers.map((p) => p.name.replace(/^apache-airflow-providers-/, '')).join(' ');
      return String((entry as unknown as Record<string, unknown>)[field] ?? '');
    },
    // Typos are forgiven from 4 letters on, prefixes from 2: short terms would otherwise expand to most of the index.
    searchOptions: {
      boost: { title: 3, tagText: 2, providerText: 2, localId: 2 },
      prefix: (term) => term.length >= 2,
      fuzzy: (term) => (term.length >= 4 ? 0.2 : false),
      combineWith: 'AND',
    },
  });
  private readonly byId = new Map<string, MarketEntry>();

  constructor(
    entries: readonly MarketEntry[],
    private stats: ReadonlyMap<string, EntryStats> = new Map(),
  ) {
    for (const entry of entries) this.byId.set(entry.id, entry);
    this.index.addAll([...this.byId.values()]);
  }

  get size(): number {
    return this.byId.size;
  }

  get(id: string): MarketEntry | undefined {
    return this.byId.get(id);
  }

  statsOf(id: string): EntryStats {
    return this.stats.get(id) ?? NO_STATS;
  }

  setStats(stats: ReadonlyMap<string, EntryStats>): void {
    this.stats = stats;
  }

  /** Values present in the catalogs, for the filter drop-downs. */
  facets(): { categories: string[]; statuses: string[]; providers: string[] } {
    const categories = new Set<string>();
    const statuses = new Set<string>();
    const providers = new Set<string>();
    for (const entry of this.byId.values()) {
      categories.add(entry.category);
      statuses.add(entry.status);
      for (const p of entry.providers) providers.add(p.name);
    }
    const sorted = (set: Set<string>): string[] => [...set].sort();
    return { categories: sorted(categories), statuses: sorted(statuses), providers: sorted(providers) };
  }

  search(query: SearchQuery): { total: number; hits: SearchHit[] } {
    const text = query.text?.trim();
    const scored: { entry: MarketEntry; score: number }[] = text
      ? this.index.search(text).map((r) => ({ entry: this.byId.get(r.id as string)!, score: r.score }))
      : [...this.byId.values()].map((entry) => ({ entry, score: 0 }));
    const hits = scored
      .filter(({ entry }) => !query.category || entry.category === query.category)
      .filter(({ entry }) => !query.status || entry.status === query.status)
      .filter(({ entry }) => !query.provider || entry.providers.some((p) => p.name === query.provider))
      .filter(({ entry }) => !query.airflowVersion || airflowCompatible(entry.airflowVersion, query.airflowVersion))
      .map(({ entry, score }) => ({ entry, score, stats: this.statsOf(entry.id) }));
    const sort = query.sort ?? (text ? 'relevance' : 'title');
    const compare: Record<SortKey, (a: SearchHit, b: SearchHit) => number> = {
      relevance: (a, b) => b.score - a.score,
      rating: (a, b) => b.stats.rating - a.stats.rating || b.stats.ratings - a.stats.ratings,
      installs: (a, b) => b.stats.installs - a.stats.installs,
      updated: (a, b) => byText(b.entry.updated, a.entry.updated),
      title: (a, b) => collator.compare(a.entry.title, b.entry.title),
    };
    hits.sort((a, b) => compare[sort](a, b) || collator.compare(a.entry.title, b.entry.title));
    return { total: hits.length, hits: hits.slice(0, query.limit ?? 200) };
  }
}
