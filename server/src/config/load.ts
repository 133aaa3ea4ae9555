import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import { Document, isMap, isNode, isScalar, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import schema from './airflow-repos.schema.json';
import { parseDuration } from './duration';
import { remoteValueErrors, resolveConfiguredUrl } from './remoteChecks';
import type { AuthKind, CatalogConfig, ConfigError, EnvironmentConfig, RepositoryConfig, RepositoryRef } from './types';

export { isRemoteUrl } from '../git/remote';

export const CONFIG_FILE_NAME = 'airflow-repos.yaml';

export interface WorkspaceConfig {
  /** Absolute path of airflow-repos.yaml (it may not exist yet). */
  readonly file: string;
  readonly exists: boolean;
  /** Entries without errors; an entry with an error is left out so the others keep working. */
  readonly repositories: RepositoryConfig[];
  readonly environments: EnvironmentConfig[];
  readonly catalogs: CatalogConfig[];
  /** The parsed file, for writing back with comments and formatting kept (see edit.ts). */
  readonly document: Document;
  readonly errors: ConfigError[];
}

type PathSegment = string | number;
type Raw = Record<string, unknown>;

const validateSchema = new Ajv({ allErrors: true, strict: false }).compile(schema);

/** Reads `<dir>/airflow-repos.yaml`; a missing file is an empty configuration, a broken one reports located errors. */
export function loadWorkspaceConfig(dir: string): WorkspaceConfig {
  return loadConfigFile(path.join(dir, CONFIG_FILE_NAME));
}

/** `text` checks unsaved content (an edit before it is written) as if it were the file. */
export function loadConfigFile(file: string, text?: string): WorkspaceConfig {
  const exists = existsSync(file);
  text ??= exists ? readFileSync(file, 'utf8') : '';
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, keepSourceTokens: false });
  const locate = locator(file, document, lineCounter);
  const empty = { file, exists, repositories: [], environments: [], catalogs: [], document };
  if (document.errors.length > 0) {
    return { ...empty, errors: document.errors.map((e) => locate.offset(e.pos[0], '', `YAML syntax error: ${e.message.split('\n')[0]}`)) };
  }
  const value: unknown = document.toJS({ maxAliasCount: 50 }) ?? {};
  const errors: ConfigError[] = [];
  if (!validateSchema(value)) errors.push(...schemaErrors(validateSchema.errors ?? [], locate));
  const raw = (isObject(value) ? value : {}) as Raw;
  const invalid = (section: string, index: number) => errors.some((e) => e.field === `${section}[${index}]` || e.field.startsWith(`${section}[${index}].`));
  const base = path.dirname(file);

  errors.push(...semanticErrors(raw, locate));
  const reported = new Set(errors.map((e) => e.field));
  errors.push(...remoteValueErrors(raw, base, locate, (field) => reported.has(field)));
  const repositories = list(raw.repositories).flatMap((r, i) => (invalid('repositories', i) ? [] : [toRepository(r, base)]));
  const environments = list(raw.environments).flatMap((e, i) => (invalid('environments', i) ? [] : [toEnvironment(e, base)]));
  const catalogs = list(raw.catalogs).flatMap((c, i) =>
    invalid('catalogs', i) ? [] : [{ name: String(c.name), url: String(c.url), ref: c.ref as string | undefined, auth: (c.auth as AuthKind) ?? 'none' }],
  );
  return { ...empty, repositories, environments, catalogs, errors };
}

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Keeps indexes aligned with the file: a non-object item (a schema error) becomes {}. */
const list = (v: unknown): Raw[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);


function toRef(r: Raw): RepositoryRef {
  if (typeof r.branch === 'string') return { kind: 'branch', name: r.branch };
  if (typeof r.tag === 'string') return { kind: 'tag', name: r.tag };
  if (typeof r.commit === 'string') return { kind: 'commit', name: r.commit.toLowerCase() };
  return { kind: 'default', name: 'HEAD' };
}

function toRepository(r: Raw, base: string): RepositoryConfig {
  const url = String(r.url);
  const validation = isObject(r.validation) ? r.validation : {};
  const dagsPath = typeof r.dags_path === 'string' ? r.dags_path.replace(/^\.\/?|\/+$/g, '') : 'dags';
  return {
    name: String(r.name),
    url: resolveConfiguredUrl(url, base),
    ref: toRef(r),
    priority: typeof r.priority === 'number' ? r.priority : 0,
    namespace: typeof r.namespace === 'string' ? r.namespace : String(r.name),
    dagsPath,
    auth: (r.auth as AuthKind | undefined) ?? 'none',
    username: r.username as string | undefined,
    sshKey: typeof r.ssh_key === 'string' ? path.resolve(base, r.ssh_key.replace(/^~(?=\/)/, process.env.HOME ?? '~')) : undefined,
    syncIntervalMs: r.sync_interval === undefined ? 0 : parseDuration(r.sync_interval as string | number),
    validation: { enabled: validation.enabled !== false, securityScan: validation.security_scan !== false },
    path: typeof r.path === 'string' ? path.resolve(base, r.path) : undefined,
  };
}

function toEnvironment(e: Raw, base: string): EnvironmentConfig {
  const t = e.target as Raw;
  const target =
    t.kind === 'git'
      ? { kind: 'git' as const, url: resolveConfiguredUrl(String(t.url), base), branch: typeof t.branch === 'string' ? t.branch : 'main', auth: (t.auth as AuthKind) ?? 'none' }
      : { kind: 'folder' as const, path: path.resolve(base, String(t.path)), keepReleases: typeof t.keep_releases === 'number' ? t.keep_releases : 5 };
  const a = isObject(e.airflow) ? e.airflow : undefined;
  return {
    name: String(e.name),
    target,
    airflow: a && {
      url: String(a.url),
      version: a.version === 2 ? 2 : 3,
      auth: (a.auth as 'none' | 'basic' | 'token') ?? 'none',
      bundle: a.bundle as string | undefined,
    },
    repositories: Array.isArray(e.repositories) ? e.repositories.map(String) : [],
    // A path is relative to this file; a bare name ("python3") is looked up on PATH.
    ...(typeof e.python === 'string' ? { python: /[\\/]/.test(e.python) ? path.resolve(base, e.python) : e.python } : {}),
  };
}

interface Locator {
  at(segments: PathSegment[], message: string, key?: string): ConfigError;
  offset(offset: number, field: string, message: string): ConfigError;
}

function fieldName(segments: PathSegment[]): string {
  return segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

function locator(file: string, document: Document, lineCounter: LineCounter): Locator {
  const position = (offset: number) => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: line - 1, character: col - 1 };
  };
  const error = (range: [number, number], field: string, message: string): ConfigError => {
    const start = position(range[0]);
    return { file, line: start.line + 1, column: start.character + 1, field, message, range: { start, end: position(range[1]) } };
  };
  return {
    offset: (offset, field, message) => error([offset, offset], field, message),
    at(segments, message, key) {
      // The closest node that exists: a missing field is reported on its parent.
      for (let depth = segments.length; depth >= 0; depth--) {
        const node = depth === 0 ? document.contents : document.getIn(segments.slice(0, depth), true);
        if (!isNode(node) || !node.range) continue;
        const keyNode = key !== undefined && depth === segments.length && isMap(node) ? node.items.find((p) => isScalar(p.key) && p.key.value === key)?.key : undefined;
        const target = (keyNode ?? node) as YamlNode;
        const range = target.range ?? node.range;
        const field = fieldName(key !== undefined ? [...segments, key] : segments);
        return error([range[0], keyNode ? range[1] : Math.min(range[1], lineEnd(range[0]))], field, message);
      }
      return error([0, 0], fieldName(segments), message);
    },
  };

  function lineEnd(offset: number): number {
    const text = document.toString();
    const next = text.indexOf('\n', offset);
    return next < 0 ? offset : next;
  }
}

function segmentsOf(instancePath: string): PathSegment[] {
  if (!instancePath) return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function schemaErrors(errors: ErrorObject[], locate: Locator): ConfigError[] {
  const seen = new Set<string>();
  const result: ConfigError[] = [];
  for (const e of errors) {
    const located = describe(e, locate);
    if (!located) continue;
    const id = `${located.field}\0${located.message}`;
    if (!seen.has(id)) result.push(located);
    seen.add(id);
  }
  return result;
}

const PATTERN_MESSAGES: Record<string, string> = {
  commit: 'must be a commit id (7 to 64 hexadecimal characters)',
  url: 'must be a URL or a path; it cannot start with "-" or a space',
};

function describe(e: ErrorObject, locate: Locator): ConfigError | undefined {
  const segments = segmentsOf(e.instancePath);
  const params = e.params as Record<string, unknown>;
  if (e.keyword === 'if' || e.keyword === 'const') return undefined; // the `kind` enum already says it
  if (e.schemaPath.includes('/duration/')) {
    return e.keyword === 'oneOf' ? locate.at(segments, 'must be a duration such as 30s, 5m or 1h (a number means seconds)') : undefined;
  }
  switch (e.keyword) {
    case 'required':
      return locate.at(segments, `the field "${String(params.missingProperty)}" is required`, undefined);
    case 'additionalProperties':
      return locate.at(segments, `unknown field "${String(params.additionalProperty)}"; check its spelling against the documentation`, String(params.additionalProperty));
    case 'enum':
      return locate.at(segments, `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}`);
    case 'not':
      return locate.at(segments, 'set only one of branch, tag or commit');
    case 'pattern':
      return locate.at(segments, PATTERN_MESSAGES[String(segments.at(-1))] ?? "may use only letters, digits, '.', '_' and '-', and must start with a letter or digit");
    default:
      return locate.at(segments, e.message ?? 'is not valid');
  }
}

function semanticErrors(raw: Raw, locate: Locator): ConfigError[] {
  const errors: ConfigError[] = [];
  const repos = list(raw.repositories);
  const names = new Map<string, number>();
  repos.forEach((r, i) => {
    if (typeof r.name !== 'string') return;
    const first = names.get(r.name);
    if (first !== undefined) errors.push(locate.at(['repositories', i, 'name'], `"${r.name}" is already the name of repositories[${first}]; names must be unique`));
    else names.set(r.name, i);
  });
  list(raw.environments).forEach((e, i) => {
    (Array.isArray(e.repositories) ? e.repositories : []).forEach((name, j) => {
      if (typeof name === 'string' && !names.has(name)) errors.push(locate.at(['environments', i, 'repositories', j], `no repository is named "${name}"`));
    });
  });
  return errors;
}
