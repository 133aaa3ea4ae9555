import Ajv from 'ajv';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import { readCatalogFile } from '../catalogFile';
import { containedPath } from '../safePath';
import type { CatalogProblem } from '../types';
import schema from './verification.schema.json';
import type { EntryVerification } from './types';

/** Folder of a catalog repository where `hangar market verify --write` keeps one file per entry. */
export const VERIFICATION_DIR = 'verification';
const SCHEMA_URL = 'https://hangar.dev/schemas/hangar-verification.schema.json';

const validate = new Ajv({ allErrors: true, strict: true }).compile<EntryVerification>(schema);

export const verificationFile = (localId: string): string => `${VERIFICATION_DIR}/${localId}.json`;

/**
 * The catalog's verification records of the given entries: `verification/<id>.json`, read like every catalog file
 * (inside the catalog, within the size limit) and checked against the schema. A bad file is a problem with its
 * name; its entry is then simply not verified.
 */
export function readCatalogVerifications(root: string, catalog: string, localIds: readonly string[]): { records: Map<string, EntryVerification>; problems: CatalogProblem[] } {
  const records = new Map<string, EntryVerification>();
  const problems: CatalogProblem[] = [];
  const folder = path.join(root, VERIFICATION_DIR);
  const present = new Set(existsSync(folder) ? readdirSync(folder) : []);
  for (const localId of localIds) {
    if (!present.has(`${localId}.json`)) continue;
    const file = verificationFile(localId);
    const problem = (message: string): void => void problems.push({ catalog, file, message: `${message}; the entry is shown as not verified` });
    let value: unknown;
    try {
      value = JSON.parse(readCatalogFile(root, file).toString('utf8'));
    } catch (error) {
      problem((error as Error).message);
      continue;
    }
    if (!validate(value)) {
      const first = validate.errors?.[0];
      problem(`${first?.instancePath || 'the file'} ${first?.message ?? 'is invalid'} (see ${SCHEMA_URL})`);
      continue;
    }
    if (value.entry !== localId) {
      problem(`it is the record of entry "${value.entry}", not "${localId}"`);
      continue;
    }
    records.set(localId, value);
  }
  return { records, problems };
}

/** Writes `verification/<id>.json` (inside the catalog, never through a symlink out of it); returns its path. */
export function writeVerificationFile(root: string, record: EntryVerification): string {
  const relative = verificationFile(record.entry);
  const target = containedPath(root, relative, 'the catalog');
  mkdirSync(path.dirname(target.real), { recursive: true });
  writeFileAtomic.sync(target.real, `${JSON.stringify({ $schema: SCHEMA_URL, ...record }, null, 2)}\n`);
  return relative;
}
