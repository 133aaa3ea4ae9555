import { lstatSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** A path from a state file, a catalog or an option that would take Hangar outside the folder it works in. */
export class UnsafePathError extends Error {}

/** A path resolved inside a root: `real` is where it is on disk (it may not exist yet), `relative` is it from the root, with `/`. */
export interface ContainedPath {
  real: string;
  relative: string;
}

/** What the path is relative to, for messages: "the repository", "the catalog". */
export type PathRoot = 'the repository' | 'the catalog';

/** Why `text` is not a plain relative path, or undefined when it is one. Windows forms are refused on every platform. */
function lexicalProblem(text: unknown, where: PathRoot): string | undefined {
  if (typeof text !== 'string' || text.trim() === '') return 'is not a path';
  if (text.includes('\0')) return 'contains a NUL byte';
  if (path.posix.isAbsolute(text) || path.win32.isAbsolute(text) || /^[a-zA-Z]:/.test(text)) return `is an absolute path; paths must be relative to ${where}`;
  const segments = text.split(/[\\/]+/);
  if (segments.includes('..')) return `leaves ${where} ("..")`;
  if (inGit(segments)) return 'is inside .git, which Hangar never reads or writes for an entry';
  return undefined;
}

const inGit = (segments: readonly string[]): boolean => segments.some((s) => s.toLowerCase() === '.git');

const inside = (relative: string): boolean => relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);

/**
 * The one gate for every path Hangar reads from a state file, a catalog index or a folder option before it reads,
 * writes or deletes there: the text must be a plain relative path (no absolute, drive or UNC form, no `..`, no NUL,
 * nothing in `.git`), and the real location, with every symlink on the way resolved (the last part's too), must
 * stay inside `root`. The path need not exist: its deepest existing folder is what is resolved.
 */
export function containedPath(root: string, text: unknown, where: PathRoot, options: { allowRoot?: boolean } = {}): ContainedPath {
  const shown = typeof text === 'string' ? JSON.stringify(text) : 'the path';
  const problem = lexicalProblem(text, where);
  if (problem) throw new UnsafePathError(`${shown} ${problem}`);
  const realRoot = realpathSync(root);
  const missing: string[] = [];
  let existing = path.resolve(realRoot, text as string);
  while (!exists(existing)) {
    missing.unshift(path.basename(existing));
    existing = path.dirname(existing);
  }
  let realExisting: string;
  try {
    realExisting = realpathSync(existing);
  } catch {
    throw new UnsafePathError(`${shown} is a symbolic link to nothing`);
  }
  const real = path.join(realExisting, ...missing);
  const relative = path.relative(realRoot, real);
  if (!inside(relative)) throw new UnsafePathError(`${shown} resolves outside ${where} (symlink)`);
  if (relative === '' && !options.allowRoot) throw new UnsafePathError(`${shown} names ${where} itself, not a file in it`);
  if (inGit(relative.split(path.sep))) throw new UnsafePathError(`${shown} resolves into .git (symlink)`);
  return { real, relative: relative.split(path.sep).join('/') };
}

function exists(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** An existing regular file inside `root` (see containedPath); returns its real path. */
export function resolveInside(root: string, text: unknown, where: PathRoot = 'the catalog'): string {
  const { real } = containedPath(root, text, where);
  let isFile: boolean;
  try {
    isFile = statSync(real).isFile();
  } catch {
    throw new UnsafePathError(`${JSON.stringify(text)} does not exist in ${where}`);
  }
  if (!isFile) throw new UnsafePathError(`${JSON.stringify(text)} is not a file`);
  return real;
}
