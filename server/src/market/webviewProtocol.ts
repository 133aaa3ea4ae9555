/**
 * Messages between the marketplace webview and the extension host, and between the host and the language
 * server (`hangar/market`). Types only: imported by media/src/market.ts, client/src/market/ and the server.
 */
import type { Finding } from '../analysis/findings';
import type { InstallResult, UninstallResult } from './install';
import type { KeptFile } from './installedFiles';
import type { Badge } from './scan';
import type { EntryDetails } from './marketplace';
import type { EntryStats, SearchQuery, SortKey } from './search';
import type { Review } from './serviceClient';
import type { CatalogProblem, MarketEntry } from './types';
import type { VerificationStatus, VersionResult } from './verify/types';

export type { Badge, CatalogProblem, EntryStats, Finding, InstallResult, KeptFile, MarketEntry, Review, SortKey, UninstallResult, VerificationStatus, VersionResult };

/** Catalog-only when no service URL is configured or the service cannot be reached. */
export interface ServiceMode {
  mode: 'service' | 'catalog-only';
  /** Why the service is not used, when one is configured. */
  reason?: string;
}

/** What the list view filters and sorts by (the search query without its page size). */
export type ListFilters = Omit<SearchQuery, 'limit'>;

export interface ListItem {
  id: string;
  title: string;
  summary: string;
  category: string;
  status: string;
  version: string;
  tags: string[];
  providers: string[];
  stats: EntryStats;
  installedVersion?: string;
  updateAvailable: boolean;
  /** For the file as it is now; without logs (the entry page has them). */
  verification: VerificationStatus;
}

export interface ListResult extends ServiceMode {
  total: number;
  items: ListItem[];
  facets: { categories: string[]; statuses: string[]; providers: string[] };
  problems: CatalogProblem[];
}

export interface EntryResult extends ServiceMode, EntryDetails {
  reviews: Review[];
  installedVersion?: string;
  updateAvailable: boolean;
}

/** Every request the webview can make: method -> params and result. */
export interface MarketMethods {
  list: { params: ListFilters; result: ListResult };
  entry: { params: { id: string }; result: EntryResult };
  /** The host asks where to install (repository, folder); undefined when the user cancels. */
  install: { params: { id: string }; result: InstallResult | undefined };
  uninstall: { params: { id: string }; result: UninstallResult | undefined };
  rate: { params: { id: string; rating: number }; result: EntryStats };
  review: { params: { id: string; text: string }; result: { id: number } };
  refresh: { params: Record<string, never>; result: { entries: number } };
}

export type MarketMethod = keyof MarketMethods;

export type WebviewToHost =
  | { type: 'ready' }
  | { type: 'rendered'; report: RenderReport }
  | { [M in MarketMethod]: { type: 'request'; requestId: number; method: M; params: MarketMethods[M]['params'] } }[MarketMethod];

export type HostToWebview =
  | { type: 'reply'; requestId: number; result: unknown }
  | { type: 'error'; requestId: number; message: string }
  /** Sent after `ready`, and again when settings change. */
  | { type: 'init'; mode: ServiceMode; openEntry?: string; searchText?: string }
  /** After every install or update (from the page, a command or the API): the page shows the next steps. */
  | { type: 'installed'; result: InstallResult };

/** What the webview reports after it rendered a view (titles as the DOM shows them); used by the editor tests. */
export interface RenderReport {
  view: 'list' | 'entry';
  titles: string[];
  /** <img> elements in the document: untrusted markup must never create one. */
  images: number;
  entryId?: string;
  /** Catalog problems the list showed (file:line: message). */
  problems?: string[];
  /** The post-install checklist the entry page showed. */
  checklist?: string[];
  /** Review texts as the entry page shows them. */
  reviews?: string[];
  /** Whether the page ran with the marketplace service (ratings, reviews) or catalog-only. */
  mode?: ServiceMode['mode'];
  /** Verification badges as shown (one per list item, or the entry's). */
  verification?: string[];
  /** The entry page's verification details as shown: per Airflow version, the error and the log. */
  verificationDetails?: string[];
}

/** What the host sends with each `hangar/market` request: settings are read per call, never cached in the server. */
export interface MarketContext {
  /**
   * Catalog folders: the extension host fetches Git catalogs itself (credentials from SecretStorage stay there)
   * and sends folders, with `fetchError` for a catalog it could not fetch.
   */
  catalogs: { name: string; path?: string; ref?: string; fetchError?: string }[];
  /** Reads only: the write token stays in the extension host, so it never crosses the (traceable) LSP channel. */
  serviceUrl?: string;
  /** Repository folders whose installed entries get "Update available" (and where uninstall looks). */
  repoRoots: string[];
}

export interface MarketServerCall {
  context: MarketContext;
  method: Exclude<MarketMethod, 'install' | 'rate' | 'review'> | 'installInto' | 'installedAt' | 'verification';
  params: unknown;
}

/** Where an entry is installed (`installedAt`), so an update goes to the same place without asking. */
export interface InstalledLocation {
  repoRoot: string;
  folder: string;
}

export interface InstallIntoParams {
  id: string;
  /** One of the context's repoRoots. */
  repoRoot: string;
  folder: string;
  /** The user chose "Install anyway" for an entry that failed verification. */
  allowUnverified?: boolean;
}
