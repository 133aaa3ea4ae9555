import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { satisfies } from '@renovatebot/pep440';
import type { Finding } from '../analysis/findings';
import { rangeOf } from '../analysis/model/syntax';
import { createPythonParser, type Tree } from '../analysis/parser';
import { specsConflict } from '../market/requirements';
import { normaliseName } from '../market/requirementsSpec';
import type { PythonEnvironment } from '../pyenv/environment';
import { docstringRequirements, repositoryRequirements, type DeclaredRequirement } from './declared';
import { distributionsFor, providerDistribution } from './distributions';
import { importedModules, importTiming, type ImportedModule } from './imports';

/** A dependency finding, located in a DAG file, requirements.txt or pyproject.toml. */
export interface DependencyFinding extends Finding {
  readonly file: string;
  /** For HGR501/HGR504: the distribution to add to requirements.txt or install. */
  readonly distribution?: string;
}

export const DEPENDENCY_RULES = {
  HGR501: { name: 'missing-package', title: 'Imported package is not installed in the Airflow environment' },
  HGR502: { name: 'unsatisfied-requirement', title: 'Declared requirement is not satisfied by the installed version' },
  HGR503: { name: 'conflicting-pins', title: 'Two DAGs of the repository pin incompatible versions' },
  HGR504: { name: 'undeclared-provider', title: 'Provider imported but not declared' },
} as const;

export interface DependencyCheckInput {
  /** Repository root: requirements.txt / pyproject.toml live there, and local modules are looked up there. */
  readonly root: string;
  /** DAG files (absolute). */
  readonly files: readonly string[];
  readonly env: PythonEnvironment;
}

/**
 * Modules the repository itself provides (a sibling `helpers.py`, `include/`), which need no installing: a
 * module is local when `<top>.py` or `<top>/__init__.py` is next to the importing file or in one of `roots`.
 * `exists` answers for a path (the disk by default; the gate answers from a commit's file list).
 */
export function localModules(roots: readonly string[], exists: (candidate: string) => boolean = existsSync): (module: string, file: string) => boolean {
  const known = new Map<string, boolean>();
  const provides = (dir: string, top: string): boolean => {
    const key = `${dir}\0${top}`;
    let found = known.get(key);
    if (found === undefined) {
      found = exists(path.join(dir, `${top}.py`)) || exists(path.join(dir, top, '__init__.py'));
      known.set(key, found);
    }
    return found;
  };
  return (module, file) => {
    const top = module.split('.')[0]!;
    return provides(path.dirname(file), top) || roots.some((dir) => provides(dir, top));
  };
}

export interface ImportCheck {
  readonly env: PythonEnvironment;
  readonly isLocal: (module: string, file: string) => boolean;
  /** Requirements declared for the file (normalised names); without them undeclared providers are not reported. */
  readonly declaredNames?: ReadonlySet<string>;
}

/** HGR501 for each import the environment cannot satisfy, and HGR504 for providers used but declared nowhere. */
export function importFindings(tree: Tree, source: string, file: string, { env, isLocal, declaredNames }: ImportCheck): DependencyFinding[] {
  const installed = (name: string) => env.distributions.has(normaliseName(name));
  /** The imports of each distribution that gets a finding (missing, or a provider declared nowhere), in source order. */
  const flagged = new Map<string, { ruleId: 'HGR501' | 'HGR504'; imports: ImportedModule[] }>();
  for (const imported of importedModules(tree)) {
    const module = imported.module;
    if (!module || module.startsWith('.') || isLocal(module, file)) continue;
    const candidates = distributionsFor(module, env);
    const present = candidates.some(installed);
    const provider = providerDistribution(module);
    const key = present ? (provider && declaredNames && !declaredNames.has(provider) ? provider : undefined) : candidates[0];
    if (!key) continue;
    const group = flagged.get(key) ?? { ruleId: present ? 'HGR504' : 'HGR501', imports: [] };
    flagged.set(key, { ...group, imports: [...group.imports, imported] });
  }
  if (!flagged.size) return [];
  // Reading when an import runs builds the DAG model: only files with a finding pay for it.
  const timing = importTiming(tree, source);
  const findings: DependencyFinding[] = [];
  for (const [distribution, { ruleId, imports }] of flagged) {
    // One finding per package, on the first import that runs while Airflow imports the file, else on the first
    // that runs later; a package imported only where the file guards it is optional and gets none.
    const timed = imports.map((imported) => ({ imported, when: timing(imported.node) }));
    const reported = timed.find((t) => t.when === 'module') ?? timed.find((t) => t.when === 'call');
    if (!reported) continue;
    const atImport = reported.when === 'module';
    const { module, node } = reported.imported;
    findings.push(
      ruleId === 'HGR501'
        ? {
            ruleId,
            severity: atImport ? 'error' : 'warning',
            message: `"${module}" needs ${distribution}, which is not installed in the Airflow environment (${env.python}). ${atImport ? 'Airflow will fail to import this file.' : 'The file imports without it; the code that runs this import (a task, a callback) fails when it runs.'}`,
            range: rangeOf(node),
            file,
            distribution,
          }
        : {
            ruleId,
            severity: 'warning',
            message: `${distribution} is used here but declared nowhere (requirements.txt, pyproject.toml or the DAG's "Dependencies:" docstring block); deployments may not have it.`,
            range: rangeOf(node),
            file,
            distribution,
          },
    );
  }
  return findings;
}

/** Checks every file's imports and declared requirements against the environment. */
export async function checkDependencies(input: DependencyCheckInput): Promise<DependencyFinding[]> {
  const { env, root } = input;
  const parser = await createPythonParser();
  const findings: DependencyFinding[] = [];
  const repositoryDeclared = repositoryRequirements(root);
  const repositoryNames = repositoryDeclared.map((r) => normaliseName(r.name));
  const declaredByDag = new Map<string, DeclaredRequirement[]>();
  const installed = (name: string) => env.distributions.get(normaliseName(name));
  const isLocal = localModules(['', 'dags', 'plugins', 'include'].map((dir) => path.join(root, dir)));

  for (const file of input.files) {
    const source = readFileSync(file, 'utf8');
    const declared = docstringRequirements(file, source);
    declaredByDag.set(file, declared);
    const declaredNames = new Set([...repositoryNames, ...declared.map((r) => normaliseName(r.name))]);
    const tree = parser.parse(source);
    if (!tree) continue;
    try {
      findings.push(...importFindings(tree, source, file, { env, isLocal, declaredNames }));
    } finally {
      tree.delete();
    }
  }

  for (const requirement of [...repositoryDeclared, ...[...declaredByDag.values()].flat()]) {
    if (!requirement.spec) continue;
    const version = installed(requirement.name);
    if (version && satisfies(version, requirement.spec)) continue;
    findings.push({
      ruleId: 'HGR502',
      severity: 'warning',
      message: version
        ? `${requirement.name}${requirement.spec} is required but ${version} is installed in the Airflow environment.`
        : `${requirement.name}${requirement.spec} is required but not installed in the Airflow environment.`,
      range: requirement.range,
      file: requirement.file,
      ...(version ? {} : { distribution: `${requirement.name}${requirement.spec}` }),
    });
  }

  const pins = new Map<string, DeclaredRequirement[]>();
  for (const requirement of [...declaredByDag.values()].flat()) {
    if (!requirement.spec) continue;
    const key = normaliseName(requirement.name);
    pins.set(key, [...(pins.get(key) ?? []), requirement]);
  }
  for (const group of pins.values()) {
    for (const requirement of group) {
      const other = group.find((o) => o.file !== requirement.file && specsConflict(o.spec, requirement.spec));
      if (!other) continue;
      findings.push({
        ruleId: 'HGR503',
        severity: 'warning',
        message: `${requirement.name}${requirement.spec} conflicts with ${other.name}${other.spec} in ${path.relative(root, other.file)}: one Airflow environment cannot satisfy both.`,
        range: requirement.range,
        file: requirement.file,
      });
    }
  }
  return findings;
}
