import { readFileSync } from 'node:fs';
import path from 'node:path';
import { readCatalogFolder } from './catalog';
import { sha256 } from './install';
import { readLocated } from './locatedYaml';
import { HANGAR_INDEX } from './readers/hangarIndex';
import { resolveInside } from './safePath';
import type { CatalogProblem, MarketEntry } from './types';

export interface IndexReport {
  format?: string;
  entries: number;
  problems: CatalogProblem[];
  /** A Hangar index for the catalog, with fresh sha256 values. */
  index: { $schema: string; entries: Record<string, unknown>[] };
}

const SCHEMA_URL = 'https://hangar.dev/schemas/hangar-catalog.schema.json';

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
    }).filter(([, v]) => v !== undefined),
  );
}

/**
 * Checks a catalog folder (any of the three formats) and builds the Hangar index it should have:
 * every problem with file and line, and every sha256 that no longer matches its file.
 */
export function checkCatalog(root: string): IndexReport {
  const catalog = readCatalogFolder(root, path.basename(path.resolve(root)));
  const problems = [...catalog.problems];
  const entries: Record<string, unknown>[] = [];
  const index = catalog.format === 'hangar' ? readLocated(path.join(root, HANGAR_INDEX), HANGAR_INDEX) : undefined;
  const rawIds = ((index?.value as { entries?: { id?: unknown }[] } | undefined)?.entries ?? []).map((e) => e?.id);
  const shaLine = (localId: string): number | undefined => index?.lineOf(['entries', rawIds.indexOf(localId), 'sha256']);
  for (const entry of catalog.entries) {
    const digest = sha256(readFileSync(resolveInside(root, entry.sourcePath)));
    if (entry.sha256 && entry.sha256 !== digest) {
      problems.push({ catalog: catalog.name, file: HANGAR_INDEX, line: shaLine(entry.localId), message: `entry "${entry.localId}": sha256 of ${entry.sourcePath} is ${digest}, the index says ${entry.sha256}` });
    }
    entries.push(toIndexEntry(entry, digest));
  }
  return { format: catalog.format, entries: catalog.entries.length, problems, index: { $schema: SCHEMA_URL, entries } };
}
