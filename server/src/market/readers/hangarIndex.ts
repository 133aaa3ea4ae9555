import Ajv from 'ajv';
import path from 'node:path';
import schema from '../hangar-catalog.schema.json';
import { isRecord, readLocated, type LocatedDocument } from '../locatedYaml';
import { requirementProblem } from '../requirementsSpec';
import { resolveInside } from '../safePath';
import type { CatalogProblem, MarketEntry } from '../types';

export const HANGAR_INDEX = 'hangar-catalog.json';

interface RawEntry {
  id: string;
  title: string;
  description?: string;
  version: string;
  category?: string;
  tags?: string[];
  author?: string;
  license?: string;
  status?: string;
  updated?: string;
  source: { path: string; ref?: string; files?: string[] };
  sha256: string;
  airflow?: string;
  providers?: MarketEntry['providers'];
  connections?: MarketEntry['connections'];
  variables?: MarketEntry['variables'];
  params?: MarketEntry['params'];
  verify?: { dag_test?: boolean };
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(schema);

export interface ReadResult {
  entries: MarketEntry[];
  problems: CatalogProblem[];
  /** How many entries the index lists, good or bad: a rewritten index must not have fewer. */
  declared: number;
}

/** Reads `hangar-catalog.json` (itself inside the catalog: a symlink out of it is refused). */
export function readHangarIndex(root: string, catalog: string): ReadResult {
  return readHangarDocument(readLocated(resolveInside(root, HANGAR_INDEX), HANGAR_INDEX), root, catalog);
}

/** The entries of a parsed Hangar index; entries that fail the schema or escape the catalog are dropped and reported. */
export function readHangarDocument(doc: LocatedDocument, root: string, catalog: string): ReadResult {
  const raw = isRecord(doc.value) && Array.isArray(doc.value.entries) ? (doc.value.entries as unknown[]) : [];
  const problems: CatalogProblem[] = [];
  const badEntries = new Set<number>();
  const problem = (where: (string | number)[], message: string): void => {
    problems.push({ catalog, file: HANGAR_INDEX, line: doc.lineOf(where), message });
  };
  if (!validate(doc.value)) {
    for (const error of validate.errors ?? []) {
      const where = error.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      if (where[0] === 'entries' && typeof where[1] === 'number') badEntries.add(where[1]);
      else {
        problem(where, `${error.instancePath || 'index'} ${error.message ?? 'is invalid'}`);
        continue;
      }
      problem(where, `${error.instancePath} ${error.message ?? 'is invalid'}${error.params && 'additionalProperty' in error.params ? `: ${String(error.params.additionalProperty)}` : ''}`);
    }
    if (badEntries.size === 0) return { entries: [], problems, declared: raw.length };
  }
  const entries: MarketEntry[] = [];
  const seen = new Set<string>();
  raw.forEach((value, index) => {
    if (badEntries.has(index)) return;
    const e = value as RawEntry;
    if (seen.has(e.id)) return problem(['entries', index, 'id'], `duplicate entry id "${e.id}"`);
    try {
      for (const file of [e.source.path, ...(e.source.files ?? [])]) resolveInside(root, file);
    } catch (error) {
      return problem(['entries', index, 'source'], `entry "${e.id}": ${(error as Error).message}`);
    }
    const providerProblem = (e.providers ?? []).map(requirementProblem).find(Boolean);
    if (providerProblem) return problem(['entries', index, 'providers'], `entry "${e.id}": ${providerProblem}`);
    seen.add(e.id);
    entries.push({
      id: `${catalog}/${e.id}`,
      catalog,
      localId: e.id,
      title: e.title,
      description: e.description ?? '',
      version: e.version,
      category: e.category ?? 'uncategorised',
      tags: e.tags ?? [],
      author: e.author ?? '',
      license: e.license,
      status: e.status ?? 'stable',
      sourcePath: path.posix.normalize(e.source.path),
      ref: e.source.ref,
      sha256: e.sha256,
      extraFiles: (e.source.files ?? []).map((f) => path.posix.normalize(f)),
      airflowVersion: e.airflow,
      providers: e.providers ?? [],
      connections: e.connections ?? [],
      variables: e.variables ?? [],
      params: e.params ?? [],
      updated: e.updated,
      ...(e.verify ? { verify: { dagTest: e.verify.dag_test === true } } : {}),
      format: 'hangar',
    });
  });
  return { entries, problems, declared: raw.length };
}
