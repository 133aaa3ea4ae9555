import type { Finding } from './findings';
import { scanPythonText } from './pythonText';

/** Larger files are skipped: DAG files are a few hundred lines; megabytes are generated data, not code. */
export const MAX_FILE_BYTES = 1024 * 1024;

export type DecodedSource = { readonly source: string } | { readonly finding: Finding };

const fatal = new TextDecoder('utf-8', { fatal: true });
const latin1 = new TextDecoder('latin1');

function at(line: number, character = 0): Finding['range'] {
  return { start: { line, character }, end: { line, character } };
}

/** The rule of a file Hangar did not analyse because of its size. */
export const FILE_NOT_ANALYZED = 'HGR014';

/** The finding for a file over MAX_FILE_BYTES. */
export function fileTooLarge(size: number): Finding {
  return { ruleId: FILE_NOT_ANALYZED, severity: 'warning', range: at(0), message: `File not analyzed: ${(size / 1024 / 1024).toFixed(1)} MB is over Hangar's ${MAX_FILE_BYTES / 1024 / 1024} MB limit for a DAG file.` };
}

/** The finding for a path that is not a regular file: a device or FIFO has no size and may never end. */
export function notRegularFile(): Finding {
  return { ruleId: FILE_NOT_ANALYZED, severity: 'warning', range: at(0), message: 'File not analyzed: it is not a regular file (a device, FIFO or socket), so Hangar does not read it.' };
}

/**
 * The one size limit of every analysis entry point (`hangar check`, sync validation, the deploy gate, pull request
 * checks, the marketplace scan): the finding for a file of `size` bytes that is too large to analyse, or undefined.
 * Callers ask before reading the file, so an oversized file is never read into memory or parsed.
 */
export function sizeFinding(size: number): Finding | undefined {
  return size > MAX_FILE_BYTES ? fileTooLarge(size) : undefined;
}

/** Turns file bytes into source text, or one finding explaining why the file cannot be analyzed. */
export function decodeSource(bytes: Uint8Array): DecodedSource {
  const tooLarge = sizeFinding(bytes.length);
  if (tooLarge) return { finding: tooLarge };
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    return { finding: { ruleId: 'HGR001', severity: 'error', range: at(lineOf(bytes, nul)), message: 'Syntax error: the file contains NUL bytes (is it binary?); Python cannot import it.' } };
  }
  let source: string;
  try {
    source = fatal.decode(bytes);
  } catch {
    if (/coding[:=]\s*(?:latin-1|iso-8859-1|cp1252|latin1)/i.test(latin1.decode(bytes.subarray(0, 200)))) {
      source = latin1.decode(bytes);
    } else {
      const bad = firstInvalidUtf8(bytes);
      return { finding: { ruleId: 'HGR001', severity: 'error', range: at(lineOf(bytes, bad)), message: `Syntax error: the file is not valid UTF-8 (byte 0x${bytes[bad]?.toString(16).padStart(2, '0')} on this line); save it as UTF-8.` } };
    }
  }
  if (source.charCodeAt(0) === 0xfeff) source = source.slice(1);
  const { nesting } = scanPythonText(source);
  if (nesting) return { finding: { ruleId: 'HGR001', severity: 'error', range: at(nesting.line, nesting.character), message: `Syntax error: ${nesting.message}.` } };
  return { source };
}

function lineOf(bytes: Uint8Array, index: number): number {
  let line = 0;
  for (let i = 0; i < index; i++) if (bytes[i] === 10) line++;
  return line;
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i]!;
    const tail = b < 0x80 ? 0 : (b & 0xe0) === 0xc0 ? 1 : (b & 0xf0) === 0xe0 ? 2 : (b & 0xf8) === 0xf0 ? 3 : -1;
    if (tail < 0) return i;
    for (let k = 1; k <= tail; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return i;
    i += tail + 1;
  }
  return 0;
}
