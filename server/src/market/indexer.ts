import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { indexFileOf, readCatalogFolder } from './catalog';
import { readCatalogFile } from './catalogFile';
import { sha256 } from './installedFiles';
import { isRecord, readLocated, type LocatedDocument } from './locatedYaml';
import { HANGAR_INDEX, readHangarDocument } from './readers/hangarIndex';
import { containedPath, resolveInside } from './safePath';
import type { CatalogProblem, MarketEntry } from './types';

export interface IndexReport {
  format?: string;
  /** Entries the index lists, good or bad. */
  entries: number;
  /** What stops the index from being written: fix these first. */
  problems: CatalogProblem[];
  /** sha256 values that were missing, placeholders or stale: the index built here has the computed ones. */
  refreshed: CatalogProblem[];
  /** A Hangar index for the catalog, with fresh sha256 values. */
  index: { $schema: string; name?: string; description?: string; entries: Record<string, unknown>[] };
}

const SCHEMA_URL = 'https://hangar.dev/schemas/hangar-catalog.schema.json';
const SHA256 = /^[0-9a-f]{64}$/;

function toIndexEntry(entry: MarketEntry, digest: string): Record<string, unknown> {
  const semverLike = /^\d+\.\d+\.\d+/.test(entry.version) ? entry.version : '0.0.0';
  return Object.fromEntries(
    Object.entries({
      id: entry.localId,
      title: entry.title,
      description: entry.description || undefined,
      version: semverLike,
      category: entry.category,
      tags: entry.tags.length ? entry.tags : undefined,
      author: entry.author || undefined,
      license: entry.license,
      status: ['stable', 'beta', 'experimental', 'deprecated'].includes(entry.status) ? entry.status : 'experimental',
      updated: entry.updated?.slice(0, 10),
      source: { path: entry.sourcePath, ref: entry.ref, files: entry.extraFiles.length ? entry.extraFiles : undefined },
      sha256: digest,
      airflow: entry.airflowVersion,
      providers: entry.providers.length ? entry.providers : undefined,
      connections: entry.connections.length ? entry.connections : undefined,
      variables: entry.variables.length ? entry.variables : undefined,
      params: entry.params.length ? entry.params : undefined,
      verify: entry.verify ? { dag_test: entry.verify.dagTest } : undefined,
    }).filter(([, v]) => v !== undefined),
  );
}

/**
 * The index with every missing or placeholder sha256 computed from its file, when that file is in the catalog; an
 * entry whose file cannot be read keeps its bad value (the schema then refuses it) and the reason is a problem.
 */
function completeSha256(doc: LocatedDocument, root: string, catalog: string, refreshed: CatalogProblem[], problems: CatalogProblem[]): LocatedDocument {
  const entries = entriesOf(doc.value).map((value, index) => {
    if (!isRecord(value) || (typeof value.sha256 === 'string' && SHA256.test(value.sha256))) return value;
    const located = { catalog, file: HANGAR_INDEX, line: doc.lineOf(['entries', index]) };
    const was = value.sha256 === undefined ? 'missing' : `${JSON.stringify(value.sha256)} is not a sha256`;
    const id = JSON.stringify(value.id ?? index);
    try {
      const digest = sha256(readCatalogFile(root, String(isRecord(value.source) ? value.source.path : '')));
      refreshed.push({ ...located, message: `entry ${id}: sha256 ${was}, computed ${digest}` });
      return { ...value, sha256: digest };
    } catch (error) {
      problems.push({ ...located, message: `entry ${id}: sha256 ${was} and cannot be computed: ${(error as Error).message}` });
      return value;
    }
  });
  return { ...doc, value: { ...(doc.value as object), entries } };
}

const entriesOf = (value: unknown): unknown[] => (isRecord(value) && Array.isArray(value.entries) ? value.entries : []);

/**
 * Checks a catalog folder (any of the three formats) and builds the Hangar index it should have: every problem
 * with file and line, and every sha256 that is missing, a placeholder or no longer matches its file.
 */
export function checkCatalog(root: string): IndexReport {
  const name = path.basename(path.resolve(root));
  const refreshed: CatalogProblem[] = [];
  const problems: CatalogProblem[] = [];
  let hangarDoc: LocatedDocument | undefined;
  const catalog = readCatalogFolder(root, name, undefined, (folder, catalogName) => {
    hangarDoc = readLocated(resolveInside(folder, HANGAR_INDEX), HANGAR_INDEX);
    return readHangarDocument(completeSha256(hangarDoc, folder, catalogName, refreshed, problems), folder, catalogName);
  });
  problems.push(...catalog.problems);
  const rawIds = entriesOf(hangarDoc?.value).map((e) => (isRecord(e) ? e.id : undefined));
  const located = (entry: MarketEntry, message: string): CatalogProblem => ({
    catalog: name,
    file: catalog.format ? indexFileOf(catalog.format) : HANGAR_INDEX,
    line: hangarDoc?.lineOf(['entries', rawIds.indexOf(entry.localId), 'sha256']),
    message: `entry "${entry.localId}": ${message}`,
  });
  const entries: Record<string, unknown>[] = [];
  for (const entry of catalog.entries) {
    let digest: string;
    try {
      digest = sha256(readCatalogFile(root, entry.sourcePath));
    } catch (error) {
      problems.push(located(entry, (error as Error).message));
      continue;
    }
    if (entry.sha256 && entry.sha256 !== digest) refreshed.push(located(entry, `sha256 of ${entry.sourcePath} is ${digest}, the index says ${entry.sha256}`));
    entries.push(toIndexEntry(entry, digest));
  }
  const header = isRecord(hangarDoc?.value) ? hangarDoc.value : {};
  const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
  const index = { $schema: SCHEMA_URL, name: text(header.name), description: text(header.description), entries };
  return { format: catalog.format, entries: catalog.declared ?? 0, problems, refreshed, index };
}

/** Why an index was not written; the file is left as it was. */
export class IndexNotWrittenError extends Error {}

/**
 * Writes the index checkCatalog built, only when nothing stands in the way and it keeps every entry the index
 * lists: a catalog is never rewritten with fewer entries. Returns whether the file changed.
 */
export function writeCatalogIndex(root: string, report: IndexReport): boolean {
  if (report.problems.length) throw new IndexNotWrittenError(`${HANGAR_INDEX} not written: fix the ${report.problems.length} problem(s) above first; the file is unchanged`);
  if (report.index.entries.length < report.entries) {
    throw new IndexNotWrittenError(`${HANGAR_INDEX} not written: it would list ${report.index.entries.length} of the ${report.entries} entries the index has; the file is unchanged`);
  }
  const file = containedPath(root, HANGAR_INDEX, 'the catalog').real;
  const text = `${JSON.stringify(report.index, null, 2)}\n`;
  if (existsSync(file) && readFileSync(file, 'utf8') === text) return false;
  writeFileAtomic.sync(file, text);
  return true;
}
