import type { ProviderRequirement } from './types';

const SPEC = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*((?:==|>=|<=|~=|!=|>|<)[^;#]*)?\s*(?:[;#].*)?$/;

/** Parses one pip requirement line (`name>=1.2`), or undefined when it is not a plain requirement. */
export function parseRequirement(line: string): ProviderRequirement | undefined {
  const match = SPEC.exec(line);
  if (!match?.[1]) return undefined;
  const version = match[3]?.replace(/\s+/g, '');
  return version ? { name: match[1], version } : { name: match[1] };
}

/** PEP 503 normalised name, so `Apache_Airflow.Providers-X` and `apache-airflow-providers-x` are one package. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
