import type { ProviderRequirement } from './types';

const DOCSTRING = /^(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*[rRuU]?("""|''')([\s\S]*?)\1/;

/** The module docstring of a DAG file, split into a title (first line) and the rest (markdown). */
export function moduleDocstring(source: string): { title?: string; description: string } {
  const match = DOCSTRING.exec(source);
  if (!match?.[2]) return { description: '' };
  const lines = match[2].replace(/\r\n/g, '\n').split('\n');
  while (lines.length && lines[0]?.trim() === '') lines.shift();
  const title = lines.shift()?.trim().replace(/^#+\s*/, '');
  const indent = Math.min(...lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)?.[0].length ?? 0));
  const description = lines.map((l) => l.slice(Number.isFinite(indent) ? indent : 0)).join('\n').trim();
  return { title: title || undefined, description };
}

/** Providers a DAG imports (`airflow.providers.google.cloud...` -> `apache-airflow-providers-google`), unpinned. */
export function importedProviders(source: string): ProviderRequirement[] {
  const names = new Set<string>();
  for (const match of source.matchAll(/^\s*(?:from|import)\s+airflow\.providers\.([a-z0-9_]+)(?:\.([a-z0-9_]+))?/gm)) {
    const [, first, second] = match;
    // Namespaced providers: airflow.providers.apache.spark -> apache-airflow-providers-apache-spark
    const parts = first && ['apache', 'microsoft', 'cncf', 'common', 'dbt', 'atlassian'].includes(first) && second ? [first, second] : [first];
    names.add(`apache-airflow-providers-${parts.join('-').replace(/_/g, '-')}`);
  }
  return [...names].sort().map((name) => ({ name }));
}
