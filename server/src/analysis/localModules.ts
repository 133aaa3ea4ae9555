import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isGuardedImport } from './rules/airflow3/imports';
import { removedApis } from './rules/airflow3/removedNames';
import { buildModel } from './model/build';
import { decodeSource, sizeFinding } from './input';
import type { HelperUse, LocalImports } from './localImports';
import type { Tree } from './parser';
import { formatVersion, type Version } from './target';

/** How deep imports are followed from the DAG file (DAG -> helper -> helper ...). */
export const MAX_IMPORT_DEPTH = 4;
/** Most helper files one DAG file's imports may reach; past it the rest is not read. */
export const MAX_HELPER_FILES = 50;

/** A module a helper imports: absolute (`level` 0), or relative to its own package (`from .utils import x`: level 1). */
interface HelperImport {
  readonly module: string;
  readonly level: number;
}

/** What one helper file itself does at import, for one target: removed APIs, and the modules it imports then. */
interface HelperFacts {
  readonly uses: readonly Omit<HelperUse, 'via' | 'file'>[];
  readonly imports: readonly HelperImport[];
}

/** A file read from disk, keyed by its size and mtime so an unchanged file is not read again. */
interface ReadFile {
  readonly stamp: string;
  readonly text: string | undefined;
  readonly digest: string;
}

export interface LocalModulesOptions {
  readonly parser: { parse(source: string): Tree | null };
  /** The folders on Airflow's sys.path for this DAG file (see moduleSearchRoots). */
  readonly searchRoots: (file: string) => readonly string[];
  /** The current text of a file when the caller has one newer than the disk (an editor's unsaved buffer). */
  readonly openText?: (file: string) => string | undefined;
}

/**
 * Follows the imports of repository-local modules (helpers next to the DAG, under the DAGs folder or plugins/) the way
 * Airflow's import would find them, and reports the removed Airflow APIs they use at import time. Bounded (depth,
 * file count, cycles) and cached per file content and target. Remembers which DAG files reached which helper files,
 * so a caller can re-analyse the importers of a helper that changed.
 */
export class LocalModules {
  private readonly files = new Map<string, ReadFile>();
  private readonly facts = new Map<string, HelperFacts>();
  /** helper file -> the DAG files whose last analysis read it */
  private readonly importers = new Map<string, Set<string>>();
  /** DAG file -> the helper files (and their digests) its last analysis read */
  private readonly reached = new Map<string, Map<string, string>>();
  /** sys.path folders + module name -> the files Python would run: what is on disk changes only with a file event */
  private readonly resolved = new Map<string, string[]>();

  constructor(private readonly options: LocalModulesOptions) {}

  /** The LocalImports of one DAG file for the engine; forgets what the file's previous analysis reached. */
  forFile(dagFile: string, target: Version): LocalImports {
    const file = path.resolve(dagFile);
    this.unlink(file);
    const roots = this.options.searchRoots(file);
    const reached = new Map<string, string>();
    this.reached.set(file, reached);
    return { usesOf: (module) => this.usesOf(module, file, roots, target, reached) };
  }

  /** The DAG files whose last analysis read `helperFile` (to re-analyse when it changes). */
  importersOf(helperFile: string): string[] {
    return [...(this.importers.get(path.resolve(helperFile)) ?? [])];
  }

  /** The helper files (path -> sha256 of the content read) the last analysis of `dagFile` read. */
  helpersOf(dagFile: string): ReadonlyMap<string, string> {
    return this.reached.get(path.resolve(dagFile)) ?? new Map();
  }

  /** A file changed, appeared or went away: forgets its content, what it reached as a DAG file, and every resolution. */
  forget(file: string): void {
    const resolved = path.resolve(file);
    this.files.delete(resolved);
    this.resolved.clear();
    this.unlink(resolved);
  }

  private unlink(dagFile: string): void {
    for (const helper of this.reached.get(dagFile)?.keys() ?? []) this.importers.get(helper)?.delete(dagFile);
    this.reached.delete(dagFile);
  }

  private resolve(module: string, roots: readonly string[]): string[] {
    const key = `${roots.join('\0')}\0${module}`;
    let files = this.resolved.get(key);
    if (!files) {
      if (this.resolved.size > 20_000) this.resolved.clear();
      this.resolved.set(key, (files = resolveModule(module, roots)));
    }
    return files;
  }

  private usesOf(module: string, dagFile: string, roots: readonly string[], target: Version, reached: Map<string, string>): HelperUse[] {
    if (module.startsWith('.') || module === 'airflow' || module.startsWith('airflow.')) return [];
    const uses: HelperUse[] = [];
    const expanded = new Set<string>(); // each file once: cycles and diamonds end here
    const visit = (name: string, chain: readonly string[], depth: number, searchRoots: readonly string[] = roots): void => {
      for (const file of this.resolve(name, searchRoots)) {
        if (expanded.has(file) || reached.size >= MAX_HELPER_FILES) continue;
        expanded.add(file);
        const read = this.read(file);
        if (!read?.text) continue;
        reached.set(file, read.digest);
        let importers = this.importers.get(file);
        if (!importers) this.importers.set(file, (importers = new Set()));
        importers.add(dagFile);
        const facts = this.factsOf(read, target);
        const via = chain.map((f) => displayName(f, roots));
        for (const use of facts.uses) uses.push({ ...use, file: displayName(file, roots), via });
        if (depth >= MAX_IMPORT_DEPTH) continue;
        for (const next of facts.imports) {
          // a relative import resolves in the helper's own package folder (and its parents, one per extra dot)
          const base = next.level === 0 ? undefined : path.resolve(path.dirname(file), ...Array<string>(next.level - 1).fill('..'));
          visit(next.module, [...chain, file], depth + 1, base ? [base] : roots);
        }
      }
    };
    visit(module, [], 1);
    return uses;
  }

  private read(file: string): ReadFile | undefined {
    const open = this.options.openText?.(file);
    if (open !== undefined) return { stamp: 'open', text: open, digest: digest(open) };
    let stamp: string;
    try {
      const info = statSync(file);
      if (!info.isFile() || sizeFinding(info.size)) return undefined;
      stamp = `${info.size}:${info.mtimeMs}`;
    } catch {
      return undefined;
    }
    const cached = this.files.get(file);
    if (cached?.stamp === stamp) return cached;
    const decoded = decodeSource(readFileSync(file));
    const text = 'source' in decoded ? decoded.source : undefined;
    const entry = { stamp, text, digest: digest(text ?? '') };
    this.files.set(file, entry);
    return entry;
  }

  private factsOf(read: ReadFile, target: Version): HelperFacts {
    const key = `${read.digest}\0${formatVersion(target)}`;
    let facts = this.facts.get(key);
    if (!facts) {
      facts = helperFacts(read.text!, this.options.parser, target);
      if (this.facts.size > 2_000) this.facts.clear();
      this.facts.set(key, facts);
    }
    return facts;
  }
}

/** Parses one helper module: the removed APIs its import-time code uses, and the absolute modules it imports then. */
function helperFacts(source: string, parser: LocalModulesOptions['parser'], target: Version): HelperFacts {
  const tree = parser.parse(source);
  if (!tree) return { uses: [], imports: [] };
  try {
    const model = buildModel(tree, source);
    const uses: Omit<HelperUse, 'via' | 'file'>[] = [];
    const imports: HelperImport[] = [];
    for (const imp of model.imports) {
      if (!model.isParseTime(imp.node) || isGuardedImport(imp.node)) continue;
      for (const api of removedApis(imp, target, source, { everyRule: true })) uses.push({ line: api.at.startPosition.row, api: api.api, message: api.message });
      // `from pkg import name` runs pkg, and pkg/name.py when name is a submodule
      const level = /^\.*/.exec(imp.module)![0].length;
      const module = imp.module.slice(level);
      const modules = module ? [module, ...imp.names.map((n) => `${module}.${n.name}`)] : imp.names.map((n) => n.name);
      imports.push(...modules.map((name) => ({ module: name, level })));
    }
    return { uses, imports };
  } finally {
    tree.delete();
  }
}

/**
 * The files Python runs for `import a.b.c` with these sys.path folders: each package's `__init__.py` and the module,
 * from the first folder that has the top-level name (as Python's path finder does). Empty when none has it.
 */
export function resolveModule(module: string, roots: readonly string[]): string[] {
  const parts = module.split('.');
  for (const root of roots) {
    const files: string[] = [];
    let dir = root;
    for (const [i, part] of parts.entries()) {
      const last = i === parts.length - 1;
      const packageDir = path.join(dir, part);
      const init = path.join(packageDir, '__init__.py');
      if (isFile(init)) files.push(init);
      else if (last && isFile(`${packageDir}.py`)) files.push(`${packageDir}.py`);
      else if (!isDirectory(packageDir)) {
        if (i === 0) break; // not in this folder: the next sys.path entry may have it
        return files; // a name inside a module (from a.b import c): what ran so far
      }
      dir = packageDir;
    }
    if (files.length > 0 || isDirectory(path.join(root, parts[0]!))) return files;
  }
  return [];
}

// no exception for a missing path: most imports (datetime, pendulum) are looked up in folders that lack them
function isFile(file: string): boolean {
  return statSync(file, { throwIfNoEntry: false })?.isFile() ?? false;
}

function isDirectory(dir: string): boolean {
  return statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `common/__init__.py`, relative to the sys.path folder it was found in. */
function displayName(file: string, roots: readonly string[]): string {
  const root = roots.find((r) => file.startsWith(r + path.sep));
  return (root ? path.relative(root, file) : file).split(path.sep).join('/');
}
