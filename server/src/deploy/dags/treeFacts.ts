import path from 'node:path';
import { listFiles, readBlobs, type TreeFile } from '../gitSource';
import { withFileModel } from './fileModel';

/** What the static model says about one Python file: the DAGs it defines and the modules it imports. */
export interface PythonFacts {
  /** dag_ids the model knows. */
  readonly dagIds: readonly string[];
  /** DAGs whose id the model cannot know without running the file, as `?(reason)`. */
  readonly unknownDags: readonly string[];
  readonly imports: readonly { readonly module: string; readonly names: readonly string[] }[];
  /** The file has syntax errors: what it defines may be missing from the lists above. */
  readonly broken: boolean;
}

/** Facts shared between the trees of one plan, by blob: a file unchanged between two commits is parsed once. */
export type FactsCache = Map<string, Promise<PythonFacts>>;

/**
 * The Python files of a repository's DAG folder at one commit, read from Git's object store (no checkout), with
 * what the static model says about each, parsed on first use.
 */
export class TreeFacts {
  private readonly byPath: ReadonlyMap<string, TreeFile>;

  private constructor(
    private readonly repoPath: string,
    readonly files: readonly TreeFile[],
    private readonly cache: FactsCache,
  ) {
    this.byPath = new Map(files.map((f) => [f.path, f]));
  }

  static async at(repoPath: string, commit: string, subdir: string, cache: FactsCache): Promise<TreeFacts> {
    return new TreeFacts(repoPath, await listFiles(repoPath, commit, subdir), cache);
  }

  blob(file: string): string | undefined {
    return this.byPath.get(file)?.blob;
  }

  has(file: string): boolean {
    return this.byPath.has(file);
  }

  get python(): string[] {
    return this.files.filter((f) => f.path.endsWith('.py')).map((f) => f.path);
  }

  /** The facts of every Python file, by path (the blobs nobody read yet are read in one batch). */
  async all(): Promise<Map<string, PythonFacts>> {
    const missing = this.files.filter((f) => f.path.endsWith('.py') && !this.cache.has(f.blob));
    const texts = await readBlobs(this.repoPath, missing.map((f) => f.blob));
    for (const file of missing) if (!this.cache.has(file.blob)) this.cache.set(file.blob, factsOf(texts.get(file.blob) ?? ''));
    const entries = await Promise.all(this.python.map(async (file): Promise<[string, PythonFacts]> => [file, await this.cache.get(this.byPath.get(file)!.blob)!]));
    return new Map(entries);
  }

  /** The files defining `dagId`. */
  async definingFiles(dagId: string): Promise<string[]> {
    return [...(await this.all())].filter(([, facts]) => facts.dagIds.includes(dagId)).map(([file]) => file);
  }

  /** Of `files`, those this tree has with syntax errors. */
  async brokenAmong(files: readonly string[]): Promise<string[]> {
    const facts = await this.all();
    return files.filter((f) => facts.get(f)?.broken);
  }

  /** The Python files of this tree that `file` imports (`import x`, `from x import y`, relative imports). */
  localImports(file: string, facts: PythonFacts): string[] {
    const found = new Set<string>();
    for (const { module, names } of facts.imports) for (const target of this.moduleFiles(file, module, names)) found.add(target);
    found.delete(file);
    return [...found];
  }

  /**
   * Where `module` would come from, resolved the way the deploy gate tells local modules (a module next to the
   * importing file, or at the top of the DAG folder): its package `__init__.py` files, the module itself, and each
   * imported name that is a submodule.
   */
  private moduleFiles(file: string, module: string, names: readonly string[]): string[] {
    const dots = /^\.*/.exec(module)![0].length;
    const parts = module.slice(dots).split('.').filter(Boolean);
    let roots = [posixDir(file), ''];
    if (dots > 0) {
      let dir = posixDir(file);
      for (let i = 1; i < dots; i++) dir = posixDir(dir);
      roots = [dir];
    }
    for (const root of roots) {
      const join = (...segments: string[]): string => [root, ...segments].filter(Boolean).join('/');
      const found: string[] = [];
      for (let i = 1; i <= parts.length; i++) {
        const init = join(...parts.slice(0, i), '__init__.py');
        if (this.has(init)) found.push(init);
      }
      if (parts.length > 0 && this.has(`${join(...parts)}.py`)) found.push(`${join(...parts)}.py`);
      for (const name of names) {
        for (const candidate of [`${join(...parts, name)}.py`, join(...parts, name, '__init__.py')]) if (this.has(candidate)) found.push(candidate);
      }
      if (found.length > 0) return found;
    }
    return [];
  }

  /** `start` and every local module it imports, directly or through other local modules. */
  async importClosure(start: readonly string[]): Promise<Set<string>> {
    const facts = await this.all();
    const seen = new Set<string>();
    const pending = [...start];
    for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
      if (seen.has(file)) continue;
      seen.add(file);
      const own = facts.get(file);
      if (own) pending.push(...this.localImports(file, own));
    }
    return seen;
  }
}

const posixDir = (file: string): string => {
  const dir = path.posix.dirname(file);
  return dir === '.' ? '' : dir;
};

async function factsOf(text: string): Promise<PythonFacts> {
  return withFileModel(text, (model, tree) => ({
    broken: tree.rootNode.hasError,
    dagIds: model.dags.flatMap((d) => (d.dagId.known ? [d.dagId.value] : [])),
    unknownDags: model.dags.flatMap((d) => (d.dagId.known ? [] : [`?(${d.dagId.why})`])),
    imports: model.imports.map((i) => ({ module: i.module, names: i.names.map((n) => n.name) })),
  })).catch(() => ({ dagIds: [], unknownDags: [], imports: [], broken: true }));
}
