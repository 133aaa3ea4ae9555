import { readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfigFor, type HangarConfig } from '../analysis/config';
import { DagIndex } from '../analysis/dagIndex';
import { compareFindings, duplicateDagFindings, isKnownSelector } from '../analysis/engine';
import type { Severity } from '../analysis/findings';
import { defaultCacheDir, openCheckCache, type CheckCache } from './checkCache';
import { readCheckable, type CheckedFile, type CheckJob } from './checkFile';
import { checkAll } from './checkPool';
import { render, type FileFindings, type ReportFormat } from './checkReport';
import { MissingPathError, resolveCheckFiles } from './dagFiles';

export interface CheckOptions {
  readonly format: ReportFormat;
  readonly select?: readonly string[];
  readonly ignore?: readonly string[];
  readonly failOn: 'error' | 'warning';
  readonly cwd: string;
  /** Worker threads for large file sets (default: the number of cores). */
  readonly jobs?: number;
  /** Reuses and records each file's findings (see checkCache.ts); none: every file is analysed. */
  readonly cache?: CheckCache;
}

export interface CheckResult {
  readonly results: FileFindings[];
  /** 0 clean, 1 findings at or above the fail level. */
  readonly exitCode: 0 | 1;
}

/** A problem with the command line or the configuration: exit code 2. */
export class UsageError extends Error {}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1, hint: 0 };

/** Checks `paths`: files are analysed on worker threads when there are many, then duplicate dag_ids are matched. */
export async function runCheck(paths: readonly string[], options: CheckOptions): Promise<CheckResult> {
  for (const selector of [...(options.select ?? []), ...(options.ignore ?? [])]) {
    if (!isKnownSelector(selector)) throw new UsageError(`unknown rule "${selector}"; run "hangar rules" for the list of ids and names`);
  }
  let files: string[];
  try {
    files = resolveCheckFiles(paths, options.cwd);
  } catch (error) {
    if (error instanceof MissingPathError) throw new UsageError(error.message);
    throw error;
  }
  const configs = new Map<string, HangarConfig>();
  const work = files.map((file) => ({ file, path: displayPath(file, options.cwd), config: configFor(file, configs, options) }));
  const results = await checkCached(work, options);
  const index = new DagIndex();
  for (const result of results) index.record(result.path, result.dags);
  for (const result of results) {
    if (index.duplicatesIn(result.path).length === 0) continue;
    const source = readFileSync(result.file, 'utf8');
    result.findings = [...result.findings, ...duplicateDagFindings(result.path, source, index, result.config)].sort(compareFindings);
  }
  const threshold = RANK[options.failOn];
  const failed = results.some((r) => r.findings.some((f) => RANK[f.severity] >= threshold));
  return { results: results.map(({ path: p, findings }) => ({ path: p, findings })), exitCode: failed ? 1 : 0 };
}

/** Files whose findings are in the cache are not analysed again; the others are, and their findings are recorded. */
async function checkCached(work: readonly CheckJob[], options: CheckOptions): Promise<CheckedFile[]> {
  const jobs = options.jobs ?? availableParallelism();
  const cache = options.cache;
  if (!cache) return checkAll(work, jobs);
  const results: (CheckedFile | undefined)[] = [];
  const misses: { at: number; key?: string; job: CheckJob }[] = [];
  for (const [at, job] of work.entries()) {
    const bytes = readCheckable(job.file);
    const key = bytes && cache.keyOf(job, bytes);
    const hit = key === undefined ? undefined : cache.get(key);
    if (hit) results.push({ file: job.file, path: job.path, config: job.config, ...hit });
    else {
      results.push(undefined);
      misses.push({ at, key, job: bytes ? { ...job, bytes } : job });
    }
  }
  const checked = await checkAll(misses.map((miss) => miss.job), jobs);
  misses.forEach(({ at, key }, i) => {
    const result = checked[i]!;
    results[at] = result;
    if (key !== undefined) cache.set(key, { findings: result.findings, dags: result.dags, dagIds: result.dagIds });
  });
  cache.prune();
  if (cache.problem) process.stderr.write(`hangar check: could not write the cache in ${cache.dir} (${cache.problem}); the results are complete. --no-cache skips the cache.\n`);
  return results as CheckedFile[];
}

function configFor(file: string, cache: Map<string, HangarConfig>, options: CheckOptions): HangarConfig {
  const dir = path.dirname(file);
  let config = cache.get(dir);
  if (!config) {
    try {
      config = loadConfigFor(dir, isKnownSelector);
    } catch (error) {
      if (error instanceof ConfigError) throw new UsageError(`invalid configuration: ${error.message}`);
      throw error;
    }
    if (options.select && options.select.length > 0) config = { ...config, select: options.select };
    if (options.ignore && options.ignore.length > 0) config = { ...config, ignore: [...config.ignore, ...options.ignore] };
    cache.set(dir, config);
  }
  return config;
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
}

function jobCount(value: string): number {
  const jobs = Number(value);
  if (!Number.isInteger(jobs) || jobs < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return jobs;
}

const list = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Check Airflow DAG files: import errors, Airflow 3 migration, best practice and security.')
    .argument('[paths...]', 'files or folders to check (default: the dags/ folders under the current directory)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json', 'sarif', 'github']).default('text'))
    .option('--select <rules>', 'only these rules: ids, names or id prefixes, comma-separated (replaces "select" from the config)', list)
    .option('--ignore <rules>', 'skip these rules (added to "ignore" from the config)', list)
    .addOption(new Option('--fail-on <level>', 'exit 1 when a finding has this severity or worse').choices(['error', 'warning']).default('error'))
    .option('--output <file>', 'write the report to a file instead of stdout')
    .option('--jobs <n>', 'worker threads for large file sets (default: the number of cores)', jobCount)
    .option('--no-cache', 'analyse every file, neither reading nor writing the cache')
    .option('--cache-dir <dir>', 'where the cache of findings per file lives (default: $XDG_CACHE_HOME/hangar/check or ~/.cache/hangar/check)')
    .addHelpText('after', '\nExit codes: 0 no findings at the --fail-on level, 1 findings at or above it, 2 usage or configuration error.\nConfiguration: [tool.hangar] in pyproject.toml or hangar.toml, found upward from each file.')
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2);
    })
    .action(async (paths: string[], raw: { format: ReportFormat; select?: string[]; ignore?: string[]; failOn: 'error' | 'warning'; output?: string; jobs?: number; cache: boolean; cacheDir?: string }) => {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0); // `hangar check | head`
      });
      try {
        const cache = raw.cache ? openCheckCache(path.resolve(raw.cacheDir ?? defaultCacheDir())) : undefined;
        const { results, exitCode } = await runCheck(paths, { format: raw.format, select: raw.select, ignore: raw.ignore, failOn: raw.failOn, cwd: process.cwd(), jobs: raw.jobs, cache });
        const report = render(raw.format, results);
        if (raw.output) writeFileSync(raw.output, report);
        else process.stdout.write(report);
        process.exitCode = exitCode;
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`hangar check: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
