import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { MAX_FILE_BYTES } from '../analysis/input';
import { resolveInside } from './safePath';

/** A catalog file over the analysis engine's size limit: it is neither read nor analysed. */
export class OversizedFileError extends Error {
  constructor(
    readonly file: string,
    readonly size: number,
  ) {
    super(`${file} is ${(size / 1024 / 1024).toFixed(1)} MB, over Hangar's ${MAX_FILE_BYTES / 1024 / 1024} MB limit for a DAG file (the limit "hangar check" applies); it cannot be scanned or installed`);
  }
}

/**
 * Reads a file of a catalog: inside it (resolveInside) and at most MAX_FILE_BYTES, the limit every analysis entry
 * point uses, checked on the open file before anything is read so an oversized file costs no memory.
 */
export function readCatalogFile(root: string, relative: string): Buffer {
  const fd = openSync(resolveInside(root, relative), 'r');
  try {
    const { size } = fstatSync(fd);
    if (size > MAX_FILE_BYTES) throw new OversizedFileError(relative, size);
    const bytes = readFileSync(fd);
    // It may have grown since fstat.
    if (bytes.length > MAX_FILE_BYTES) throw new OversizedFileError(relative, bytes.length);
    return bytes;
  } finally {
    closeSync(fd);
  }
}

/**
 * A DAG's text for the index readers (docstring, imported providers). An oversized DAG reads as empty: its entry
 * is still listed from the index, and installing it is refused with OversizedFileError's message.
 */
export function dagText(root: string, relative: string): string {
  try {
    return readCatalogFile(root, relative).toString('utf8');
  } catch (error) {
    if (error instanceof OversizedFileError) return '';
    throw error;
  }
}
