// Typed access to generated data: scripts/gen-airflow-names.py writes airflowNames.json by diffing what Airflow 2.11
// (with older provider releases) and each Airflow 3 target export; esbuild bundles the JSON.
import data from './airflowNames.json';
import { atLeast, parseAirflowTarget, type Version } from '../../target';

interface RemovedModuleEntry {
  readonly since: string;
  /** The module most of its names moved to. */
  readonly to?: string;
  /** name -> fully qualified new home */
  readonly names?: Readonly<Record<string, string>>;
  /** Names whose new home is another class to use instead (different arguments), not the same class moved. */
  readonly adviceOnly?: readonly string[];
}

const REMOVED_MODULES: Readonly<Record<string, RemovedModuleEntry>> = data.removedModules;
/** module -> name -> [since, new home?, "advice" when the new home is another class, not the same one moved?] */
const REMOVED_NAMES = data.removedNames as unknown as Readonly<Record<string, Readonly<Record<string, readonly string[]>>>>;
const DEPRECATED: Readonly<Record<string, Readonly<Record<string, string>>>> = data.deprecated;
/** Every Airflow 3 core module, with its names (null: a module that resolves names at run time). */
const CORE_MODULES = data.coreModules as Readonly<Record<string, readonly string[] | null>>;
const PROVIDER_ROOTS: readonly string[] = data.providerRoots;

/** The Airflow versions the tables were generated from, for messages and docs. */
export const NAME_TABLE_VERSIONS = { airflow2: data.airflow2.version, targets: Object.fromEntries(Object.entries(data.targets).map(([line, t]) => [line, t.version])) };

const EVERY_RELEASE: Version = { major: 99, minor: 0 };

export interface RemovedModule {
  /** The removed module: the one imported, or the package it lived in. */
  readonly module: string;
  readonly since: string;
  readonly to?: string;
  readonly names: Readonly<Record<string, string>>;
  /** Names whose new home takes other arguments: advice, never an automatic fix. */
  readonly adviceOnly: readonly string[];
}

function gone(since: string, target: Version): boolean {
  const version = parseAirflowTarget(since);
  return version !== undefined && atLeast(target, version);
}

/** The module (or its package) no longer exists in the target Airflow: the entry, or undefined. */
export function removedModule(module: string, target: Version): RemovedModule | undefined {
  for (let current = module; current; current = current.slice(0, Math.max(0, current.lastIndexOf('.')))) {
    const entry = REMOVED_MODULES[current];
    if (entry && gone(entry.since, target)) return { module: current, since: entry.since, names: entry.names ?? {}, adviceOnly: entry.adviceOnly ?? [], ...(entry.to ? { to: entry.to } : {}) };
    if (!current.includes('.')) break;
  }
  return undefined;
}

/**
 * `from module import name` fails in the target Airflow: when, the new home when one is known, and whether that is
 * the same class moved (`dropIn`, safe to rewrite the import to) or another one to use instead.
 */
export function removedName(module: string, name: string, target: Version): { since: string; to?: string; dropIn: boolean } | undefined {
  const entry = REMOVED_NAMES[module]?.[name];
  if (!entry || !gone(entry[0]!, target)) return undefined;
  return { since: entry[0]!, dropIn: entry[2] !== 'advice', ...(entry[1] ? { to: entry[1] } : {}) };
}

/** Names Airflow 3 keeps only as deprecated aliases: name -> new home. */
export function deprecatedNames(module: string): Readonly<Record<string, string>> | undefined {
  return DEPRECATED[module];
}

/** An Airflow core module (not a provider's) that no Airflow 3 release has, nor any Airflow 2.11 module it replaced. */
export function unknownCoreModule(module: string): boolean {
  if (!module.startsWith('airflow.') || module.startsWith('airflow.providers.') || module in CORE_MODULES) return false;
  return removedModule(module, EVERY_RELEASE) === undefined;
}

/** An Airflow 3 core module (its attributes are what the tables know of it). */
export function isCoreModule(module: string): boolean {
  return module in CORE_MODULES;
}

/** `from module import name` where the Airflow 3 core module has no such name nor submodule. */
export function unknownCoreName(module: string, name: string): boolean {
  const names = CORE_MODULES[module];
  return Array.isArray(names) && !names.includes(name) && REMOVED_NAMES[module]?.[name] === undefined;
}

/** The provider distributions whose modules the tables list (an import of another provider is not judged). */
export function providerCovered(module: string): boolean {
  return PROVIDER_ROOTS.some((root) => module === root || module.startsWith(`${root}.`));
}


/** Where an Airflow 2 (or deprecated) name lives now, when the tables know: for signatures of moved operators. */
export function newHomeOf(module: string, name: string): string | undefined {
  const removed = removedModule(module, EVERY_RELEASE);
  return (removed?.module === module ? removed.names[name] : undefined) ?? removedName(module, name, EVERY_RELEASE)?.to ?? deprecatedNames(module)?.[name];
}

/** `apache-airflow-providers-postgres 7.1.1`: the provider release the target's tables were read from, for a provider module. */
export function providerRelease(module: string, target: Version): string | undefined {
  const root = PROVIDER_ROOTS.find((r) => module === r || module.startsWith(`${r}.`));
  if (!root) return undefined;
  const lines = Object.keys(data.targets).filter((line) => atLeast(target, parseAirflowTarget(line)!)).sort();
  const line = (lines.at(-1) ?? '3.3') as keyof typeof data.targets;
  const name = `apache-airflow-providers-${root.slice('airflow.providers.'.length).replace(/\./g, '-')}`;
  const version = (data.targets[line].packages as Record<string, string>)[name];
  return version ? `${name} ${version}` : name;
}
