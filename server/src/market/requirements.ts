import semver from 'semver';
import { normaliseName, parseRequirement } from './requirementsSpec';
import type { ProviderRequirement } from './types';

export interface RequirementConflict {
  name: string;
  existing: string;
  wanted: string;
}

export interface MergeResult {
  text: string;
  added: string[];
  conflicts: RequirementConflict[];
  changed: boolean;
}

/** pip specifiers as a semver range (`>=1.2,<2` -> `>=1.2 <2`), or undefined when semver cannot express them. */
function toRange(spec: string): string | undefined {
  const parts = spec.split(',').map((p) => p.trim()).filter(Boolean);
  if (parts.some((p) => p.startsWith('!=') || p.startsWith('==='))) return undefined;
  const range = parts
    .map((p) => (p.startsWith('~=') ? `~${coerce(p.slice(2))}` : p.startsWith('==') ? `${coerce(p.slice(2))}` : p.replace(/^([<>]=?)(.*)$/, (_, op: string, v: string) => `${op}${coerce(v)}`)))
    .join(' ');
  return semver.validRange(range) ? range : undefined;
}

function coerce(version: string): string {
  return semver.coerce(version)?.version ?? version;
}

/** Two specifiers conflict when no version satisfies both; unknown forms are assumed compatible. */
export function specsConflict(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || a === b) return false;
  const ra = toRange(a);
  const rb = toRange(b);
  return ra !== undefined && rb !== undefined && !semver.intersects(ra, rb);
}

const format = (r: ProviderRequirement): string => `${r.name}${r.version ?? ''}`;

/**
 * Adds providers to a requirements.txt: one line per package (PEP 503 names compared), requirement lines
 * sorted, comments and pip options kept at the top. A pin that cannot satisfy both sides is reported and the
 * existing line is kept; compatible specifiers are combined.
 */
export function mergeRequirements(existing: string, wanted: readonly ProviderRequirement[]): MergeResult {
  const header: string[] = [];
  const requirements = new Map<string, { requirement?: ProviderRequirement; line: string }>();
  for (const line of existing.split(/\r?\n/)) {
    const requirement = line.trim() && !line.trim().startsWith('-') ? parseRequirement(line) : undefined;
    if (requirement) requirements.set(normaliseName(requirement.name), { requirement, line: line.trim() });
    else if (line.trim()) header.push(line);
  }
  const added: string[] = [];
  const conflicts: RequirementConflict[] = [];
  for (const want of wanted) {
    const key = normaliseName(want.name);
    const have = requirements.get(key);
    if (!have?.requirement) {
      requirements.set(key, { requirement: want, line: format(want) });
      added.push(format(want));
      continue;
    }
    const current = have.requirement.version;
    if (!want.version || current === want.version) continue;
    if (specsConflict(current, want.version)) {
      conflicts.push({ name: have.requirement.name, existing: have.line, wanted: format(want) });
    } else if (!current || !current.startsWith('==')) {
      const merged = { name: have.requirement.name, version: current ? `${current},${want.version}` : want.version };
      requirements.set(key, { requirement: merged, line: format(merged) });
      added.push(format(merged));
    }
  }
  const sorted = [...requirements.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, v]) => v.line);
  const text = [...header, ...sorted].join('\n') + '\n';
  // The file is only rewritten when something is added, so an install never reorders an untouched file.
  return { text, added, conflicts, changed: added.length > 0 };
}
