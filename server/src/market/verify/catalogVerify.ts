import path from 'node:path';
import { readCatalogFolder } from '../catalog';
import type { CatalogProblem } from '../types';
import { writeVerificationFile } from './catalogFiles';
import { FileDigests } from './fileDigests';
import { checkAirflowVersion } from './environments';
import { verifyEntry, type VerifyOptions } from './run';
import { resolveVerification } from './status';
import type { EntryVerification, VerificationStatus } from './types';

/** The Airflow versions verified when none are named: the newest final release and the 3.4 line the package index has. */
export const DEFAULT_AIRFLOW_VERSIONS: readonly string[] = ['3.3.2', '3.4.0b2'];

/** `3.3.2,3.4.0b2` → checked versions; `none` → no versions (the service's worker off). */
export function parseAirflowVersions(text: string): string[] {
  if (text.trim() === 'none') return [];
  const versions = text.split(',').map((v) => v.trim()).filter(Boolean);
  if (versions.length === 0) throw new Error('--airflow needs at least one version, e.g. 3.3.2,3.4.0b2');
  return versions.map(checkAirflowVersion);
}

export interface CatalogVerifyOptions extends VerifyOptions {
  /** Entry ids (`entry` or `catalog/entry`); all entries when empty. */
  entries?: readonly string[];
  versions: readonly string[];
  /** Write each record to the catalog's verification/ folder. */
  write?: boolean;
  /** Skip entries whose verification/ file already covers their file as it is and every version. */
  changedOnly?: boolean;
}

export interface VerifiedEntry {
  id: string;
  record: EntryVerification;
  status: VerificationStatus;
  /** The verification/ file written, with --write. */
  written?: string;
}

export interface CatalogVerifyReport {
  catalog: string;
  problems: CatalogProblem[];
  verified: VerifiedEntry[];
  /** Entries skipped by changedOnly: their verification/ file is current. */
  current: string[];
}

/** Whether the catalog's record is for the file as it is and has a result (not an error) for every version. */
function isCurrent(record: EntryVerification | undefined, sha256: string | undefined, versions: readonly string[]): boolean {
  return record !== undefined && record.sha256 === sha256 && versions.every((v) => record.results.some((r) => r.airflow === v && r.result !== 'error'));
}

/** Verifies entries of a catalog folder (any of the three index formats), one after the other. */
export async function verifyCatalog(root: string, options: CatalogVerifyOptions): Promise<CatalogVerifyReport> {
  const name = path.basename(path.resolve(root));
  const catalog = readCatalogFolder(root, name);
  const wanted = options.entries ?? [];
  const unknown = wanted.filter((id) => !catalog.entries.some((e) => e.localId === id || e.id === id));
  if (unknown.length) {
    // An entry the index lists but Hangar refused (a path out of the catalog, a provider that is no package name) is
    // "unknown" too: the problems say why.
    const problems = catalog.problems.map((p) => `\n  ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`).join('');
    throw new Error(`no entry ${unknown.map((id) => `"${id}"`).join(', ')} in ${root}; its entries: ${catalog.entries.map((e) => e.localId).join(', ') || 'none'}${problems ? `; refused:${problems}` : ''}`);
  }
  const selected = wanted.length ? catalog.entries.filter((e) => wanted.includes(e.localId) || wanted.includes(e.id)) : catalog.entries;
  const digests = new FileDigests();
  const current = options.changedOnly ? selected.filter((e) => isCurrent(catalog.verifications?.get(e.localId), digests.of(root, e.sourcePath), options.versions)) : [];
  const entries = selected.filter((e) => !current.includes(e));
  const verified: VerifiedEntry[] = [];
  for (const entry of entries) {
    const record = await verifyEntry(entry, root, options.versions, options);
    const status = resolveVerification(record.sha256, [{ source: 'catalog', record }]);
    verified.push({ id: entry.id, record, status, ...(options.write ? { written: writeVerificationFile(root, record) } : {}) });
  }
  return { catalog: name, problems: catalog.problems, verified, current: current.map((e) => e.id) };
}
