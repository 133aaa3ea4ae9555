import type { ImportModel } from '../../model/types';
import type { Node } from '../../parser';
import type { Version } from '../../target';
import { deprecatedNames, isCoreModule, providerRelease, removedModule, removedName, unknownCoreModule, unknownCoreName, type RemovedModule } from './airflowNames';
import { rewriteImport } from './importFix';
import type { Fix } from '../../findings';
import type { RuleContext } from '../rule';

/** A use of an Airflow API the target no longer has, as the import rule reports it (and the helper-module rule quotes it). */
export interface RemovedApi {
  readonly at: Node;
  /** `airflow.models.taskinstance.Context`, `airflow.kubernetes.secret` */
  readonly api: string;
  readonly message: string;
  readonly fix?: Fix;
}

/** Modules other rules report with their own advice (contrib, SubDagOperator, days_ago). */
const OWN_RULES = /^airflow\.contrib(\.|$)|^airflow\.operators\.subdag(_operator)?$/;
/** Airflow 1 plugins put their operators into these namespaces; Airflow 2 dropped that. */
const PLUGIN_NAMESPACES = new Set(['airflow.operators', 'airflow.sensors', 'airflow.hooks', 'airflow.executors', 'airflow.macros']);
/** Deprecated names Airflow 3 serves through lazy re-exports its deprecation tables do not list (ruff AIR311). */
const LAZY_DEPRECATIONS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'airflow.models': { DAG: 'airflow.sdk.DAG', BaseOperator: 'airflow.sdk.BaseOperator' },
  'airflow.models.dag': { DAG: 'airflow.sdk.DAG' },
  'airflow.utils.trigger_rule': { TriggerRule: 'airflow.task.trigger_rule.TriggerRule' },
};

function release(since: string): string {
  return since === '3.0' ? 'Airflow 3' : `Airflow ${since}`;
}

/** "removed in Airflow 3", or for a provider module the provider release that dropped it. */
function removal(module: string, since: string, target: Version): string {
  const provider = providerRelease(module, target);
  const [name, version] = (provider ?? '').split(' ');
  return provider ? `removed from ${name}${version ? ` (not in ${version})` : ''}` : `removed in ${release(since)}`;
}

/**
 * Removed modules and names an import statement uses under the target Airflow. `everyRule`: also what other rules
 * report with their own advice (contrib, SubDagOperator, days_ago), for helper modules no other rule reads.
 */
export function removedApis(imp: ImportModel, target: Version, source: string, options: { everyRule?: boolean } = {}): RemovedApi[] {
  const module = imp.module;
  if (!module.startsWith('airflow.') && module !== 'airflow') return [];
  if (OWN_RULES.test(module)) return options.everyRule ? [{ at: imp.moduleNode, api: module, message: `Module ${module} was removed in Airflow 3.` }] : [];
  const gone = removedModule(module, target);
  if (gone) return [moduleRemoved(imp, gone, target, source)];
  if (unknownCoreModule(module)) {
    return [{ at: imp.moduleNode, api: module, message: `No module named ${module} in Airflow ${target.major}; ${module.split('.').length === 3 && PLUGIN_NAMESPACES.has(module.slice(0, module.lastIndexOf('.'))) ? 'Airflow 1 plugins were imported this way; import from the plugin\'s own module' : 'check the module path'}.` }];
  }
  const result: RemovedApi[] = [];
  const mapped: Record<string, string> = {};
  const names: { node: Node; name: string; to?: string; since: string; dropIn: boolean }[] = [];
  for (const { name, node } of imp.names) {
    if (!options.everyRule && ((module === 'airflow.utils.dates' && name === 'days_ago') || (module === 'airflow' && name === 'contrib'))) continue;
    const removed = removedName(module, name, target);
    if (removed) {
      names.push({ node, name, since: removed.since, dropIn: removed.dropIn, ...(removed.to ? { to: removed.to } : {}) });
      continue;
    }
    if (!unknownCoreName(module, name)) continue;
    const submodule = removedModule(`${module}.${name}`, target);
    if (submodule?.module === `${module}.${name}`) {
      result.push({ at: node, api: `${module}.${name}`, message: `Module ${module}.${name} was ${removal(module, submodule.since, target)}${submodule.to ? `; import from ${submodule.to} instead` : ''}.` });
    } else {
      const plugin = PLUGIN_NAMESPACES.has(module) ? ' (Airflow 1 plugins were imported this way; import it from the plugin\'s own module)' : '';
      result.push({ at: node, api: `${module}.${name}`, message: `${module} has no ${name} in Airflow ${target.major}${plugin}.` });
    }
  }
  if (names.length > 0) {
    for (const { name, to } of names) if (to) mapped[name] = to;
    const allMapped = names.every((n) => n.to && n.dropIn);
    const fix = allMapped ? rewriteImport(imp, (name) => mapped[name], source) : undefined;
    const instead = names.filter((n) => n.to).map((n) => n.to!);
    const listed = names.map((n) => n.name).join(', ');
    const modules = names.filter((n) => !n.to).map((n) => removedModule(`${module}.${n.name}`, target)?.to).filter((m): m is string => Boolean(m));
    const advice = instead.length ? `; import ${[...new Set(instead)].join(', ')} instead` : modules.length ? `; import from ${[...new Set(modules)].join(', ')} instead` : '';
    const provider = providerRelease(module, target);
    const when = provider ? `in ${provider}` : `in ${release(names[0]!.since)}`;
    const message = `${listed} no longer ${names.length > 1 ? 'exist' : 'exists'} in ${module} ${when}${advice}.`;
    result.unshift({ at: names[0]!.node, api: `${module}.${names[0]!.name}`, message, ...(fix ? { fix } : {}) });
  }
  return result;
}

function moduleRemoved(imp: ImportModel, gone: RemovedModule, target: Version, source: string): RemovedApi {
  const exact = gone.module === imp.module;
  const targets = exact ? imp.names.map((n) => gone.names[n.name]) : [];
  const dropIn = imp.names.every((n) => gone.names[n.name] && !gone.adviceOnly.includes(n.name));
  const fix = exact && imp.names.length > 0 && dropIn ? rewriteImport(imp, (name) => gone.names[name], source) : undefined;
  const known = [...new Set(targets.filter((t): t is string => Boolean(t)))];
  const advice = known.length > 0 ? `; import ${known.join(', ')} instead` : gone.to ? `; import from ${gone.to} instead` : '';
  const what = exact ? `Module ${imp.module}` : `Module ${imp.module} (its package ${gone.module})`;
  return { at: imp.moduleNode, api: imp.module, message: `${what} was ${removal(imp.module, gone.since, target)}${advice}.`, ...(fix ? { fix } : {}) };
}

/** Deprecated names the import uses (still importable in the target, with a warning): one finding per statement. */
export function deprecatedApis(imp: ImportModel, target: Version, source: string): RemovedApi | undefined {
  if (removedModule(imp.module, target)) return undefined;
  const table = { ...deprecatedNames(imp.module), ...LAZY_DEPRECATIONS[imp.module] };
  const moved = imp.names.filter((n) => table[n.name] && !removedName(imp.module, n.name, target));
  if (moved.length === 0) return undefined;
  const fix = rewriteImport(imp, (name) => (moved.some((n) => n.name === name) ? table[name] : undefined), source);
  const targets = [...new Set(moved.map((n) => table[n.name]!))].join(', ');
  const message = `${moved.map((n) => `${imp.module}.${n.name}`).join(', ')} ${moved.length > 1 ? 'are' : 'is'} deprecated in Airflow ${target.major}; import ${targets} instead.`;
  return { at: moved[0]!.node, api: `${imp.module}.${moved[0]!.name}`, message, ...(fix ? { fix } : {}) };
}


/**
 * `settings.STATE_COLORS` after `from airflow import settings` (or `import airflow.settings`): an attribute of an Airflow
 * module that the target no longer has, read while Airflow parses the file (an AttributeError then).
 */
export function removedAttributes(context: RuleContext, isGuarded: (node: Node) => boolean): RemovedApi[] {
  const modules = new Map<string, string>();
  for (const imp of context.model.imports) {
    if (!imp.module.startsWith('airflow') || isGuarded(imp.node)) continue;
    if (imp.names.length === 0 && isCoreModule(imp.module)) modules.set(imp.alias ?? imp.module, imp.module);
    for (const { name, alias } of imp.names) if (isCoreModule(`${imp.module}.${name}`)) modules.set(alias ?? name, `${imp.module}.${name}`);
  }
  const found: RemovedApi[] = [];
  for (const [alias, module] of modules) {
    for (const match of context.source.matchAll(new RegExp(`(?<![\\w.])${alias.replace(/\./g, '\\.')}\\.(\\w+)`, 'g'))) {
      const removed = removedName(module, match[1]!, context.target.airflow);
      if (!removed) continue;
      const attribute = context.tree.rootNode.descendantForIndex(match.index + alias.length + 1)?.parent;
      if (attribute?.type !== 'attribute' || attribute.text.replace(/\s+/g, '') !== `${alias}.${match[1]}` || !context.model.isParseTime(attribute)) continue;
      const instead = removed.to ? `; use ${removed.to} instead` : '';
      found.push({ at: attribute, api: `${module}.${match[1]}`, message: `${match[1]} no longer exists in ${module} in ${release(removed.since)}, so ${alias}.${match[1]} fails while Airflow parses the file${instead}.` });
    }
  }
  return found;
}
