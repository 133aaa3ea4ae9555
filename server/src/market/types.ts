import type { EntryVerification } from './verify/types';

/** The three index formats Hangar reads. */
export type IndexFormat = 'hangar' | 'community' | 'astro';

export interface ProviderRequirement {
  /** PyPI distribution name, e.g. `apache-airflow-providers-postgres`. */
  name: string;
  /** A pip version specifier, e.g. `>=5.10`; absent when any version works. */
  version?: string;
}

export interface ConnectionRequirement {
  id: string;
  type?: string;
  description?: string;
}

export interface VariableRequirement {
  name: string;
  description?: string;
}

export interface ParamSpec {
  name: string;
  type?: string;
  default?: unknown;
  description?: string;
}

/** One shareable DAG, normalised from whichever index format described it. */
export interface MarketEntry {
  /** `catalog/localId`: unique across catalogs. */
  id: string;
  catalog: string;
  localId: string;
  title: string;
  /** Markdown; untrusted. */
  description: string;
  version: string;
  category: string;
  tags: string[];
  author: string;
  license?: string;
  status: string;
  /** Path of the DAG file relative to the catalog root (already checked to stay inside it). */
  sourcePath: string;
  ref?: string;
  /** From the index; absent for formats that carry none (then integrity rests on the Git commit). */
  sha256?: string;
  /** Other files the DAG needs (SQL, configs), relative to the catalog root. */
  extraFiles: string[];
  /** Required Airflow version as a semver range, e.g. `>=2.7`. */
  airflowVersion?: string;
  providers: ProviderRequirement[];
  connections: ConnectionRequirement[];
  variables: VariableRequirement[];
  params: ParamSpec[];
  /** What verification may do besides importing the file (`verify` in a Hangar index). */
  verify?: { dagTest: boolean };
  /** ISO date of the last change, from the index or the Git history. */
  updated?: string;
  format: IndexFormat;
}

/** A problem in a catalog, located so a maintainer can fix it. */
export interface CatalogProblem {
  catalog: string;
  file: string;
  line?: number;
  message: string;
}

export interface LoadedCatalog {
  name: string;
  /** Folder the catalog was read from (a checkout or the local folder itself). */
  root: string;
  format?: IndexFormat;
  entries: MarketEntry[];
  problems: CatalogProblem[];
  /** How many entries the index lists, good or bad (0 when it could not be read). */
  declared?: number;
  /** The catalog's `verification/<id>.json` records, by entry id in the catalog. */
  verifications?: Map<string, EntryVerification>;
}
