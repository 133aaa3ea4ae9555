import { existsSync } from 'node:fs';
import path from 'node:path';
import { IndexSyntaxError } from './locatedYaml';
import { ASTRO_INDEX, readAstroRegistry } from './readers/astroRegistry';
import { COMMUNITY_INDEX, readCommunityRegistry } from './readers/communityRegistry';
import { HANGAR_INDEX, readHangarIndex, type ReadResult } from './readers/hangarIndex';
import type { IndexFormat, LoadedCatalog } from './types';
import { readCatalogVerifications } from './verify/catalogFiles';

type Reader = (root: string, catalog: string) => ReadResult;

const READERS: { format: IndexFormat; file: string; read: Reader }[] = [
  { format: 'hangar', file: HANGAR_INDEX, read: readHangarIndex },
  { format: 'community', file: COMMUNITY_INDEX, read: readCommunityRegistry },
  { format: 'astro', file: ASTRO_INDEX, read: readAstroRegistry },
];

/** Which index a catalog folder has; Hangar's own wins when several are present. */
export function detectFormat(root: string): IndexFormat | undefined {
  return READERS.find((r) => existsSync(path.join(root, r.file)))?.format;
}

export function indexFileOf(format: IndexFormat): string {
  return READERS.find((r) => r.format === format)!.file;
}

/**
 * Reads one catalog folder. Never throws for bad content: a malformed index becomes a problem with file and
 * line, so one broken catalog does not hide the others. `readHangar` replaces the Hangar index reader (the
 * indexer's completes missing sha256 values).
 */
export function readCatalogFolder(root: string, name: string, updatedByPath?: ReadonlyMap<string, string>, readHangar: Reader = readHangarIndex): LoadedCatalog {
  const reader = READERS.find((r) => existsSync(path.join(root, r.file)));
  if (!reader) {
    return {
      name,
      root,
      entries: [],
      declared: 0,
      problems: [{ catalog: name, file: root, message: `no index found: add ${HANGAR_INDEX}, ${COMMUNITY_INDEX} or ${ASTRO_INDEX} (run "hangar market index")` }],
    };
  }
  try {
    const { entries, problems, declared } = (reader.format === 'hangar' ? readHangar : reader.read)(root, name);
    if (updatedByPath) for (const entry of entries) entry.updated ??= updatedByPath.get(entry.sourcePath);
    const verified = readCatalogVerifications(root, name, entries.map((e) => e.localId));
    return { name, root, format: reader.format, entries, problems: [...problems, ...verified.problems], declared, verifications: verified.records };
  } catch (error) {
    const located = error instanceof IndexSyntaxError;
    return {
      name,
      root,
      format: reader.format,
      entries: [],
      declared: 0,
      problems: [{ catalog: name, file: reader.file, line: located ? error.line : undefined, message: (error as Error).message }],
    };
  }
}
