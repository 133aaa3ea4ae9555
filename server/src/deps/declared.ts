import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { Range } from '../analysis/findings';
import { parseRequirement } from '../market/requirementsSpec';

/** A requirement a DAG or its repository declares, and where. */
export interface DeclaredRequirement {
  readonly name: string;
  /** pip specifier (`>=2,<3`), absent when any version works. */
  readonly spec?: string;
  readonly file: string;
  readonly range: Range;
  readonly origin: 'docstring' | 'requirements.txt' | 'pyproject.toml';
}

const lineRange = (line: number, text: string): Range => ({ start: { line, character: 0 }, end: { line, character: text.length } });

/**
 * The `Dependencies:` block of a module docstring: one PEP 508 requirement per line after the heading,
 * up to the first blank line. Found in the source text, so a file that does not parse still has its block.
 */
export function docstringRequirements(file: string, source: string): DeclaredRequirement[] {
  const docstring = /^\s*(?:#[^\n]*\n\s*)*[rRuU]?("""|''')([\s\S]*?)\1/.exec(source);
  if (!docstring) return [];
  const startLine = source.slice(0, docstring.index + docstring[0].indexOf(docstring[1]!) + 3).split('\n').length - 1;
  const lines = docstring[2]!.split('\n');
  const heading = lines.findIndex((line) => /^\s*Dependencies:\s*$/i.test(line));
  if (heading < 0) return [];
  const found: DeclaredRequirement[] = [];
  for (let i = heading + 1; i < lines.length; i++) {
    const text = lines[i]!.trim().replace(/^[-*]\s+/, '');
    if (!text) break;
    const requirement = parseRequirement(text);
    if (requirement) found.push({ name: requirement.name, ...(requirement.version ? { spec: requirement.version } : {}), file, range: lineRange(startLine + i, lines[i]!), origin: 'docstring' });
  }
  return found;
}

/** `requirements.txt` and `pyproject.toml` ([project].dependencies) at the repository root. */
export function repositoryRequirements(root: string): DeclaredRequirement[] {
  const found: DeclaredRequirement[] = [];
  const requirementsFile = path.join(root, 'requirements.txt');
  if (existsSync(requirementsFile)) {
    readFileSync(requirementsFile, 'utf8')
      .split(/\r?\n/)
      .forEach((line, index) => {
        const trimmed = line.trim();
        if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith('-')) return;
        const requirement = parseRequirement(trimmed);
        if (requirement) found.push({ name: requirement.name, ...(requirement.version ? { spec: requirement.version } : {}), file: requirementsFile, range: lineRange(index, line), origin: 'requirements.txt' });
      });
  }
  const pyproject = path.join(root, 'pyproject.toml');
  if (existsSync(pyproject)) {
    const text = readFileSync(pyproject, 'utf8');
    let dependencies: unknown = [];
    try {
      dependencies = (parseToml(text) as { project?: { dependencies?: unknown } }).project?.dependencies ?? [];
    } catch {
      // a malformed pyproject.toml is reported by the analysis config loader, not here
    }
    const lines = text.split('\n');
    for (const entry of Array.isArray(dependencies) ? dependencies : []) {
      const requirement = typeof entry === 'string' ? parseRequirement(entry) : undefined;
      if (!requirement) continue;
      const line = Math.max(0, lines.findIndex((l) => l.includes(`"${entry}"`) || l.includes(`'${entry}'`)));
      found.push({ name: requirement.name, ...(requirement.version ? { spec: requirement.version } : {}), file: pyproject, range: lineRange(line, lines[line] ?? ''), origin: 'pyproject.toml' });
    }
  }
  return found;
}
