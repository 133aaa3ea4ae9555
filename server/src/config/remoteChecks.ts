import path from 'node:path';
import { gitUrlProblem, isRemoteUrl, refNameProblem, revisionProblem, urlCredentialsProblem } from '../git/remote';
import type { ConfigError } from './types';

type PathSegment = string | number;
type Raw = Record<string, unknown>;

export interface Locate {
  at(segments: PathSegment[], message: string): ConfigError;
}

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const items = (v: unknown): Raw[] => (Array.isArray(v) ? v.map((x) => (isObject(x) ? x : {})) : []);

/** How a configured URL reaches git: a local path is resolved against the configuration's folder. */
export function resolveConfiguredUrl(url: string, base: string): string {
  return isRemoteUrl(url) ? url : path.resolve(base, url);
}

/**
 * Every URL and ref of the file that reaches git or carries credentials, checked with git/remote.ts: the
 * repository, git target and catalog URLs, branches, tags and refs, and `airflow.url` (no user or password
 * in it). Messages never repeat the value. Fields that already have a schema error are not reported twice.
 */
export function remoteValueErrors(raw: Raw, base: string, locate: Locate, reported: (field: string) => boolean): ConfigError[] {
  const errors: ConfigError[] = [];
  const check = (segments: PathSegment[], value: unknown, problemOf: (v: string) => string | undefined) => {
    if (typeof value !== 'string') return;
    const problem = problemOf(value);
    const field = segments.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
    if (problem && !reported(field)) errors.push(locate.at(segments, problem));
  };
  const gitUrl = (v: string) => gitUrlProblem(v, base);
  items(raw.repositories).forEach((r, i) => {
    check(['repositories', i, 'url'], r.url, gitUrl);
    check(['repositories', i, 'branch'], r.branch, refNameProblem);
    check(['repositories', i, 'tag'], r.tag, refNameProblem);
  });
  items(raw.environments).forEach((e, i) => {
    const target = isObject(e.target) ? e.target : {};
    if (target.kind === 'git') {
      check(['environments', i, 'target', 'url'], target.url, gitUrl);
      check(['environments', i, 'target', 'branch'], target.branch, refNameProblem);
    }
    if (isObject(e.airflow)) check(['environments', i, 'airflow', 'url'], e.airflow.url, urlCredentialsProblem);
  });
  items(raw.catalogs).forEach((c, i) => {
    check(['catalogs', i, 'url'], c.url, gitUrl);
    check(['catalogs', i, 'ref'], c.ref, revisionProblem);
  });
  return errors;
}
