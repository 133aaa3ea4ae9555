import type { ProviderRequirement } from './types';

const SPEC = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*((?:==|>=|<=|~=|!=|>|<)[^;#]*)?\s*(?:[;#].*)?$/;

/** A PEP 508 distribution name. */
const DISTRIBUTION_NAME = /^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/;
/** What pip and uv take for a file to install (`x-1.0-py3-none-any.whl`, `x.tar.gz`) rather than a name to look up. */
const ARCHIVE = /\.(whl|zip|egg|tar|tgz|tbz2?|txz|tlz|gz|bz2|xz|lz|lzma|zst)$/i;
/** Comma-separated PEP 440 version clauses, nothing else. */
const SPECIFIER = /^(===?|>=|<=|~=|!=|>|<)[A-Za-z0-9.*+!-]+(,(===?|>=|<=|~=|!=|>|<)[A-Za-z0-9.*+!-]+)*$/;

/**
 * Why a provider requirement from a catalog is not a plain `name` or `name>=version` that an installer can only look
 * up on the package index (a file name, a URL, an option, a line continuation), or undefined when it is one.
 */
export function requirementProblem(requirement: ProviderRequirement): string | undefined {
  const { name, version } = requirement;
  if (!DISTRIBUTION_NAME.test(name) || ARCHIVE.test(name) || (version !== undefined && !SPECIFIER.test(version))) {
    return `the provider requirement ${JSON.stringify(`${name}${version ?? ''}`)} is not a plain "name" or "name>=version" (a package name an installer looks up on the index, never a file, URL or option)`;
  }
  return undefined;
}

/** Parses one pip requirement line (`name>=1.2`), or undefined when it is not a plain requirement. */
export function parseRequirement(line: string): ProviderRequirement | undefined {
  const match = SPEC.exec(line);
  if (!match?.[1]) return undefined;
  const version = match[3]?.replace(/\s+/g, '');
  const requirement = version ? { name: match[1], version } : { name: match[1] };
  return requirementProblem(requirement) ? undefined : requirement;
}

/** PEP 503 normalised name, so `Apache_Airflow.Providers-X` and `apache-airflow-providers-x` are one package. */
export function normaliseName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}
