import path from 'node:path';
import { dagText } from '../catalogFile';
import { importedProviders, moduleDocstring } from '../dagSource';
import { asString, asStringList, isRecord, readLocated } from '../locatedYaml';
import { resolveInside } from '../safePath';
import type { CatalogProblem, MarketEntry } from '../types';
import type { ReadResult } from './hangarIndex';
import { slug } from './slug';

export const ASTRO_INDEX = '.astro-registry.yaml';

/** Reads `.astro-registry.yaml`: `categories` and `dags[].path`; title and description come from each DAG's docstring. */
export function readAstroRegistry(root: string, catalog: string): ReadResult {
  const doc = readLocated(resolveInside(root, ASTRO_INDEX), ASTRO_INDEX);
  const problems: CatalogProblem[] = [];
  const problem = (where: (string | number)[], message: string): void => {
    problems.push({ catalog, file: ASTRO_INDEX, line: doc.lineOf(where), message });
  };
  const value = isRecord(doc.value) ? doc.value : {};
  if (!Array.isArray(value.dags)) {
    problem([], '"dags" must be a list of { path: ... }');
    return { entries: [], problems, declared: 0 };
  }
  const categories = asStringList(value.categories);
  const entries: MarketEntry[] = [];
  const seen = new Set<string>();
  value.dags.forEach((dag: unknown, index) => {
    const where = ['dags', index];
    const file = isRecord(dag) ? asString(dag.path) : undefined;
    if (!isRecord(dag) || !file) return problem(where, 'each DAG needs a "path"');
    let source: string;
    try {
      source = dagText(root, file);
    } catch (error) {
      return problem([...where, 'path'], (error as Error).message);
    }
    const stem = path.posix.basename(file).replace(/\.py$/, '');
    const localId = slug(asString(dag.id) ?? stem);
    if (seen.has(localId)) return problem([...where, 'path'], `duplicate DAG "${localId}"`);
    seen.add(localId);
    const docstring = moduleDocstring(source);
    const category = asString(dag.category) ?? asStringList(dag.categories)[0] ?? categories[0] ?? 'uncategorised';
    entries.push({
      id: `${catalog}/${localId}`,
      catalog,
      localId,
      title: asString(dag.title) ?? docstring.title ?? stem,
      description: docstring.description,
      version: asString(dag.version) ?? '0.0.0',
      category,
      tags: asStringList(dag.tags),
      author: asString(dag.author) ?? '',
      status: asString(dag.status) ?? 'stable',
      sourcePath: file,
      extraFiles: [],
      providers: importedProviders(source),
      connections: asStringList(dag.connections).map((id) => ({ id })),
      variables: asStringList(dag.variables).map((name) => ({ name })),
      params: [],
      format: 'astro',
    });
  });
  return { entries, problems, declared: value.dags.length };
}
