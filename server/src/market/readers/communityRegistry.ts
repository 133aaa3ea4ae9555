import path from 'node:path';
import { dagText } from '../catalogFile';
import { importedProviders } from '../dagSource';
import { asString, asStringList, isRecord, readLocated } from '../locatedYaml';
import { parseRequirement } from '../requirementsSpec';
import { resolveInside } from '../safePath';
import type { CatalogProblem, MarketEntry } from '../types';
import type { ReadResult } from './hangarIndex';
import { slug } from './slug';

export const COMMUNITY_INDEX = 'dags/registry.yaml';

interface Prerequisites {
  providers: MarketEntry['providers'];
  connections: MarketEntry['connections'];
  variables: MarketEntry['variables'];
  airflow?: string;
}

/** `prerequisites` is either a mapping (providers/connections/variables/airflow) or a list of free-form strings. */
function readPrerequisites(value: unknown): Prerequisites {
  const result: Prerequisites = { providers: [], connections: [], variables: [] };
  const addProvider = (text: string): void => {
    const requirement = parseRequirement(text);
    if (requirement) result.providers.push(requirement);
  };
  if (isRecord(value)) {
    asStringList(value.providers).forEach(addProvider);
    result.connections = asStringList(value.connections).map((id) => ({ id }));
    result.variables = asStringList(value.variables).map((name) => ({ name }));
    result.airflow = asString(value.airflow ?? value.airflow_version);
    return result;
  }
  for (const item of asStringList(value)) {
    const [kind, rest] = item.split(/:\s*/, 2);
    if (rest && kind === 'connection') result.connections.push({ id: rest });
    else if (rest && kind === 'variable') result.variables.push({ name: rest });
    else if (/^apache-airflow-providers-|[<>=~]/.test(item)) addProvider(item);
  }
  return result;
}

/** Reads the community pipelines format: `dags/registry.yaml` with `categories.<name>.dags[]`. */
export function readCommunityRegistry(root: string, catalog: string): ReadResult {
  const doc = readLocated(resolveInside(root, COMMUNITY_INDEX), COMMUNITY_INDEX);
  const problems: CatalogProblem[] = [];
  const problem = (where: (string | number)[], message: string): void => {
    problems.push({ catalog, file: COMMUNITY_INDEX, line: doc.lineOf(where), message });
  };
  const categories = isRecord(doc.value) ? doc.value.categories : undefined;
  if (!isRecord(categories)) {
    problem([], '"categories" must be a mapping of category name to { dags: [...] }');
    return { entries: [], problems, declared: 0 };
  }
  const entries: MarketEntry[] = [];
  const seen = new Set<string>();
  let declared = 0;
  for (const [category, body] of Object.entries(categories)) {
    const dags = isRecord(body) ? body.dags : undefined;
    if (!Array.isArray(dags)) {
      problem(['categories', category], `category "${category}" has no "dags" list`);
      continue;
    }
    declared += dags.length;
    dags.forEach((dag: unknown, index) => {
      const where = ['categories', category, 'dags', index];
      const name = isRecord(dag) ? asString(dag.name) : undefined;
      const file = isRecord(dag) ? asString(dag.file) : undefined;
      if (!isRecord(dag) || !name || !file) return problem(where, 'each DAG needs "name" and "file"');
      // `file` is relative to dags/ in the community layout; accept catalog-root paths too. No normalising before the check.
      const relative = isCatalogFile(root, `dags/${file}`) ? `dags/${file}` : file;
      let source: string;
      try {
        source = dagText(root, relative);
      } catch (error) {
        return problem([...where, 'file'], `DAG "${name}": ${(error as Error).message}`);
      }
      const localId = slug(name);
      if (seen.has(localId)) return problem([...where, 'name'], `duplicate DAG name "${name}"`);
      seen.add(localId);
      const prerequisites = readPrerequisites(dag.prerequisites);
      const providers = prerequisites.providers.length ? prerequisites.providers : importedProviders(source);
      entries.push({
        id: `${catalog}/${localId}`,
        catalog,
        localId,
        title: name,
        description: asString(dag.description) ?? '',
        version: asString(dag.version) ?? '0.0.0',
        category,
        tags: asStringList(dag.tags),
        author: asString(dag.contributed_by) ?? '',
        status: asString(dag.status) ?? 'stable',
        sourcePath: path.posix.normalize(relative),
        extraFiles: [],
        airflowVersion: prerequisites.airflow,
        providers,
        connections: prerequisites.connections,
        variables: prerequisites.variables,
        params: [],
        format: 'community',
      });
    });
  }
  return { entries, problems, declared };
}

function isCatalogFile(root: string, relative: string): boolean {
  try {
    resolveInside(root, relative);
    return true;
  } catch {
    return false;
  }
}
