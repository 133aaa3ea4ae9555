import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Resolves `relative` inside `root`, refusing anything that escapes it: absolute paths, `..` segments,
 * and symlinks whose real target lies outside. Catalog indexes are untrusted input.
 * Returns the real absolute path of an existing regular file.
 */
export function resolveInside(root: string, relative: string): string {
  if (typeof relative !== 'string' || relative.trim() === '') throw new Error('the path is empty');
  if (relative.includes('\0')) throw new Error(`"${relative}" contains a NUL byte`);
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative) || /^[a-zA-Z]:/.test(relative)) {
    throw new Error(`"${relative}" is an absolute path; catalog paths must be relative to the catalog`);
  }
  const segments = relative.split(/[\\/]+/);
  if (segments.includes('..')) throw new Error(`"${relative}" leaves the catalog ("..")`);
  const realRoot = realpathSync(root);
  let real: string;
  try {
    real = realpathSync(path.join(realRoot, relative));
  } catch {
    throw new Error(`"${relative}" does not exist in the catalog`);
  }
  const inside = path.relative(realRoot, real);
  if (inside === '' || inside.startsWith('..') || path.isAbsolute(inside)) {
    throw new Error(`"${relative}" resolves outside the catalog (symlink)`);
  }
  if (!statSync(real).isFile()) throw new Error(`"${relative}" is not a file`);
  return real;
}
