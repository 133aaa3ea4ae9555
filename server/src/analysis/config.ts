import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import type { Severity } from './findings';
import { AIRFLOW_TARGET, PYTHON_TARGET } from './target';

/** `[tool.hangar]` in pyproject.toml, or the top level of hangar.toml. */
export interface HangarConfig {
  /** Rule ids, names or id prefixes (`HGR1`) to enable; empty = all. */
  readonly select: readonly string[];
  /** Rule ids, names or id prefixes to disable; wins over `select`. */
  readonly ignore: readonly string[];
  /** Per-rule severity override, by id or name; `off` disables. */
  readonly severity: Readonly<Record<string, Severity | 'off'>>;
  /** `target-airflow`: "2", "3" or a release line such as "3.4" (see target.ts); unset = the editor setting or Airflow 3. */
  readonly targetAirflow?: string;
  /** `target-python`: "3.11", "3.12", ...; unset = the editor setting, the Airflow environment's Python, or 3.11. */
  readonly targetPython?: string;
  /** The file the settings came from, when any. */
  readonly source?: string;
}

export const DEFAULT_CONFIG: HangarConfig = { select: [], ignore: [], severity: {} };

/** A configuration the user must fix: says which file, which line and what is wrong. */
export class ConfigError extends Error {
  constructor(readonly file: string, readonly line: number | undefined, detail: string) {
    super(`${file}${line ? `:${line}` : ''}: ${detail}`);
    this.name = 'ConfigError';
  }
}

const SEVERITIES = new Set(['error', 'warning', 'info', 'hint', 'off']);
const KEYS = new Set(['select', 'ignore', 'severity', 'extend-select', 'extend-ignore', 'target-airflow', 'target-python']);

/** The nearest hangar.toml or pyproject.toml with `[tool.hangar]`, searching upward from `start` (a file or folder). */
export function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  if (existsSync(dir) && !isDirectory(dir)) dir = path.dirname(dir);
  for (;;) {
    const hangar = path.join(dir, 'hangar.toml');
    if (existsSync(hangar)) return hangar;
    const pyproject = path.join(dir, 'pyproject.toml');
    if (existsSync(pyproject) && /^\s*\[tool\.hangar[\].]/m.test(readFileSync(pyproject, 'utf8'))) return pyproject;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isDirectory(file: string): boolean {
  return statSync(file).isDirectory();
}

const cache = new Map<string, { mtimeKey: string; config: HangarConfig }>();

/** Loads the configuration that applies to `file` (DEFAULT_CONFIG when none); throws ConfigError when malformed. */
export function loadConfigFor(file: string, knownRule?: (idOrName: string) => boolean): HangarConfig {
  const configFile = findConfigFile(file);
  if (!configFile) return DEFAULT_CONFIG;
  const text = readFileSync(configFile, 'utf8');
  const cached = cache.get(configFile);
  if (cached && cached.mtimeKey === text) return cached.config;
  const config = parseConfig(text, configFile, knownRule);
  cache.set(configFile, { mtimeKey: text, config });
  return config;
}

/** Parses a hangar.toml or pyproject.toml text; `knownRule` validates ids and names when given. */
export function parseConfig(text: string, file: string, knownRule?: (idOrName: string) => boolean): HangarConfig {
  let document: Record<string, unknown>;
  try {
    document = parse(text) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) throw new ConfigError(file, error.line, `invalid TOML: ${error.message.split('\n')[0]}`);
    throw error;
  }
  const isPyproject = path.basename(file) === 'pyproject.toml';
  const section = isPyproject ? ((document.tool as Record<string, unknown> | undefined)?.hangar as unknown) : document;
  if (section === undefined) return { ...DEFAULT_CONFIG, source: file };
  const header = isPyproject ? '[tool.hangar]' : 'hangar.toml';
  if (typeof section !== 'object' || section === null || Array.isArray(section)) {
    throw new ConfigError(file, lineOf(text, 'hangar'), `${header} must be a table`);
  }
  const table = section as Record<string, unknown>;
  for (const key of Object.keys(table)) {
    if (!KEYS.has(key)) throw new ConfigError(file, lineOf(text, key), `unknown key "${key}" in ${header}; expected one of: select, ignore, severity, target-airflow, target-python`);
  }
  const list = (key: string): string[] => {
    const value = table[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new ConfigError(file, lineOf(text, key), `"${key}" must be a list of rule ids or names, for example ${key} = ["HGR101", "duplicate-task-id"]`);
    }
    for (const entry of value as string[]) {
      if (knownRule && !knownRule(entry)) throw new ConfigError(file, lineOf(text, entry), `unknown rule "${entry}" in "${key}"; run "hangar rules" for the list`);
    }
    return value as string[];
  };
  const severity: Record<string, Severity | 'off'> = {};
  const rawSeverity = table.severity;
  if (rawSeverity !== undefined) {
    if (typeof rawSeverity !== 'object' || rawSeverity === null || Array.isArray(rawSeverity)) {
      throw new ConfigError(file, lineOf(text, 'severity'), '"severity" must be a table such as severity = { HGR209 = "off" }');
    }
    for (const [rule, level] of Object.entries(rawSeverity)) {
      if (typeof level !== 'string' || !SEVERITIES.has(level)) {
        throw new ConfigError(file, lineOf(text, rule), `severity of "${rule}" must be one of error, warning, info, hint, off (got ${JSON.stringify(level)})`);
      }
      if (knownRule && !knownRule(rule)) throw new ConfigError(file, lineOf(text, rule), `unknown rule "${rule}" in "severity"`);
      severity[rule] = level as Severity | 'off';
    }
  }
  const target = (key: string, pattern: RegExp, example: string): string | undefined => {
    const value = table[key];
    if (value === undefined) return undefined;
    // a TOML number would read 3.10 as 3.1: only whole numbers ("target-airflow = 3") are taken as they are
    const version = typeof value === 'number' && Number.isInteger(value) ? String(value) : value;
    if (typeof version !== 'string' || !pattern.test(version)) throw new ConfigError(file, lineOf(text, key), `"${key}" must be a quoted version such as ${example} (got ${JSON.stringify(value)})`);
    return version;
  };
  const targetAirflow = target('target-airflow', AIRFLOW_TARGET, 'target-airflow = "3" (or "2", "3.4")');
  const targetPython = target('target-python', PYTHON_TARGET, 'target-python = "3.11"');
  return {
    select: [...list('select'), ...list('extend-select')],
    ignore: [...list('ignore'), ...list('extend-ignore')],
    severity,
    ...(targetAirflow ? { targetAirflow } : {}),
    ...(targetPython ? { targetPython } : {}),
    source: file,
  };
}

/** 1-based line of the first occurrence of `needle` (a key or value), for error messages. */
function lineOf(text: string, needle: string): number | undefined {
  const index = text.indexOf(needle);
  return index < 0 ? undefined : text.slice(0, index).split('\n').length;
}
