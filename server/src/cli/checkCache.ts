import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { threadId } from 'node:worker_threads';
import type { DagDefinition } from '../analysis/dagIndex';
import type { Finding } from '../analysis/findings';
import { decodeSource } from '../analysis/input';
import { catalog } from '../analysis/rules/catalog';
import { version } from '../version';
import type { CheckJob } from './checkFile';

/** What `hangar check` keeps of one file: its own findings (before cross-file ones) and its DAG definitions and ids. */
export interface CachedFile {
  readonly findings: Finding[];
  readonly dags: readonly DagDefinition[];
  readonly dagIds: readonly string[];
  /** The helper modules the analysis read, [file, sha256]: the entry holds only while each still has that content. */
  readonly helpers?: readonly (readonly [string, string])[];
}

/** Bumped when the entry layout changes. */
const ENTRY_FORMAT = 2;
/** Most entries kept; past it the oldest written are removed, down to PRUNE_TO. */
export const MAX_ENTRIES = 20_000;
const PRUNE_TO = Math.floor(MAX_ENTRIES * 0.9);

/** `$XDG_CACHE_HOME/hangar/check`, else `~/.cache/hangar/check`. */
export function defaultCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME && path.isAbsolute(process.env.XDG_CACHE_HOME) ? process.env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'hangar', 'check');
}

/**
 * The cache in `dir`, or none when Hangar runs from its TypeScript sources (version "dev"): there the code changes
 * under the cache and no bundle fingerprints it.
 */
export function openCheckCache(dir: string): CheckCache | undefined {
  return version === 'dev' ? undefined : new CheckCache(dir);
}

let engineFingerprint: string | undefined;

/**
 * What the findings depend on besides the file and its config: Hangar's version, its rule catalog and the code
 * that runs them (the hash of the running bundle, so a rebuilt engine never reads its predecessor's entries).
 */
function engine(): string {
  if (engineFingerprint === undefined) {
    const hash = createHash('sha256').update(`${ENTRY_FORMAT}\0${version}\0${catalog.map((rule) => `${rule.id}:${rule.severity}`).join(',')}\0`);
    try {
      hash.update(readFileSync(__filename));
    } catch {
      // the code is not on disk (an unusual loader): version and catalog still key the entries
    }
    engineFingerprint = hash.digest('hex');
  }
  return engineFingerprint;
}

/**
 * The `hangar check` cache: one file per entry, named by the hash of everything the entry depends on (the file's
 * bytes, the path shown, the configuration, the engine), so a change to any of them is a miss, never a stale hit.
 * Entries are written atomically (temporary file, then rename), so concurrent runs never see half an entry; an
 * entry that does not read back as one (torn, corrupt, foreign) is ignored and rewritten.
 */
export class CheckCache {
  private wrote = false;
  private broken: string | undefined;
  private written = 0;

  constructor(readonly dir: string) {}

  /** The key of `job` with the file content `bytes`. */
  keyOf(job: CheckJob, bytes: Uint8Array): string {
    return createHash('sha256').update(engine()).update('\0').update(job.path).update('\0').update(job.root ?? '').update('\0').update(JSON.stringify(job.config)).update('\0').update(bytes).digest('hex');
  }

  get(key: string): CachedFile | undefined {
    let text: string;
    try {
      text = readFileSync(this.entryPath(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const entry = JSON.parse(text) as { key?: unknown; findings?: unknown; dags?: unknown; dagIds?: unknown; helpers?: unknown };
      if (entry.key !== key || !Array.isArray(entry.findings) || !Array.isArray(entry.dags) || !Array.isArray(entry.dagIds)) return undefined;
      const helpers = Array.isArray(entry.helpers) ? (entry.helpers as [string, string][]) : [];
      if (!helpers.every(([file, sha]) => contentDigest(file) === sha)) return undefined;
      return { findings: entry.findings as Finding[], dags: entry.dags as DagDefinition[], dagIds: entry.dagIds as string[], ...(helpers.length ? { helpers } : {}) };
    } catch {
      return undefined;
    }
  }

  set(key: string, file: CachedFile): void {
    if (this.broken !== undefined) return;
    try {
      if (!this.wrote) mkdirSync(this.dir, { recursive: true });
      // A temporary file of this process and thread, renamed over the entry: readers see the old entry or the new one, whole.
      // (write-file-atomic does the same plus ownership and exit-handler work that triples the cost of 1,000 entries.)
      const temporary = `${this.entryPath(key)}.${process.pid}.${threadId}.${this.written++}.tmp`;
      try {
        writeFileSync(temporary, JSON.stringify({ key, findings: file.findings, dags: file.dags, dagIds: file.dagIds, helpers: file.helpers ?? [] }));
        renameSync(temporary, this.entryPath(key));
      } catch (error) {
        rmSync(temporary, { force: true });
        throw error;
      }
      this.wrote = true;
    } catch (error) {
      this.broken = error instanceof Error ? error.message : String(error);
    }
  }

  /** Why entries could not be written in this run, if they could not. */
  get problem(): string | undefined {
    return this.broken;
  }

  /** After a run that wrote entries: keeps the cache within MAX_ENTRIES files, removing the oldest written first. */
  prune(): void {
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return;
    }
    if (names.length <= MAX_ENTRIES) return;
    const aged = names.flatMap((name) => {
      try {
        return [{ name, mtime: statSync(path.join(this.dir, name)).mtimeMs }];
      } catch {
        return []; // removed by a concurrent run
      }
    });
    aged.sort((a, b) => a.mtime - b.mtime);
    for (const { name } of aged.slice(0, aged.length - PRUNE_TO)) rmSync(path.join(this.dir, name), { force: true });
  }

  private entryPath(key: string): string {
    return path.join(this.dir, `${key}.json`);
  }
}

/** The sha256 of a helper file's decoded text as LocalModules digests it, or undefined when it cannot be read. */
function contentDigest(file: string): string | undefined {
  try {
    const decoded = decodeSource(readFileSync(file));
    return createHash('sha256').update('source' in decoded ? decoded.source : '').digest('hex');
  } catch {
    return undefined;
  }
}
