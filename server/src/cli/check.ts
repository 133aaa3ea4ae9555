import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ConfigError, loadConfigFor, type HangarConfig } from '../analysis/config';
import { DagIndex } from '../analysis/dagIndex';
import { AIRFLOW_TARGET, PYTHON_TARGET } from '../analysis/target';
import { deploymentUnit } from '../analysis/deploymentUnit';
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
  /** Threads for large file sets, the main thread and jobs - 1 workers (default: the number of cores). */
  readonly jobs?: number;
  /** Reuses and records each file's findings (see checkCache.ts); none: every file is analysed. */
  readonly cache?: CheckCache;
  /** `--target-airflow` / `--target-python`: over the project's config. */
  readonly targetAirflow?: string;
  readonly targetPython?: string;
  /** The Airflow environment's versions (`--python`): where neither the flags nor the config name a target. */
  readonly environment?: { readonly airflow?: string; readonly python?: string };
}

export interface CheckResult {
  readonly results: FileFindings[];
  /** 0 clean, 1 findings at or above the fail level. */
  readonly exitCode: 0 | 1;
  /** Where the findings came from: `--verbose` prints it. */
  readonly stats: CheckStats;
}

export interface CheckStats {
  readonly files: number;
  readonly fromCache: number;
  /** Threads that analysed files (the main thread and its workers); 0 when the main thread analysed them alone. */
  readonly threads: number;
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
  const root = checkRoot(paths, options.cwd);
  const work = files.map((file) => ({ file, path: displayPath(file, options.cwd), config: configFor(file, configs, options), followImports: true, root }));
  const { results, fromCache, threads } = await checkCached(work, options);
  // a dag_id must be unique within what one Airflow serves: each deployment unit has its own index
  const units = new Map<string, DagIndex>();
  const byFolder = new Map<string, DagIndex>(); // the unit depends on the folder alone: one look-up per folder
  const indexOf = (file: string): DagIndex => {
    const folder = path.dirname(file);
    let index = byFolder.get(folder);
    if (index) return index;
    const unit = deploymentUnit(file, root);
    index = units.get(unit);
    if (!index) units.set(unit, (index = new DagIndex()));
    byFolder.set(folder, index);
    return index;
  };
  for (const result of results) indexOf(result.file).record(result.path, result.dags);
  for (const result of results) {
    const index = indexOf(result.file);
    if (index.duplicatesIn(result.path).length === 0) continue;
    const source = readFileSync(result.file, 'utf8');
    result.findings = [...result.findings, ...duplicateDagFindings(result.path, source, index, result.config)].sort(compareFindings);
  }
  const threshold = RANK[options.failOn];
  const failed = results.some((r) => r.findings.some((f) => RANK[f.severity] >= threshold));
  return { results: results.map(({ path: p, findings }) => ({ path: p, findings })), exitCode: failed ? 1 : 0, stats: { files: results.length, fromCache, threads } };
}

/** Files whose findings are in the cache are not analysed again; the others are, and their findings are recorded. */
async function checkCached(work: readonly CheckJob[], options: CheckOptions): Promise<{ results: CheckedFile[]; fromCache: number; threads: number }> {
  const jobs = options.jobs ?? availableParallelism();
  const cache = options.cache;
  if (!cache) return { ...(await checkAll(work, jobs)), fromCache: 0 };
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
  const keys = misses.map((miss) => miss.key);
  const { results: checked, threads, cacheProblem } = await checkAll(misses.map((miss) => miss.job), jobs, { dir: cache.dir, keys });
  misses.forEach(({ at }, i) => (results[at] = checked[i]!));
  if (cacheProblem) process.stderr.write(`hangar check: could not write the cache in ${cache.dir} (${cacheProblem}); the results are complete. --no-cache skips the cache.\n`);
  else if (keys.some((key) => key !== undefined)) cache.prune();
  return { results: results as CheckedFile[], fromCache: work.length - misses.length, threads };
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
    const targetAirflow = options.targetAirflow ?? config.targetAirflow ?? options.environment?.airflow;
    const targetPython = options.targetPython ?? config.targetPython ?? options.environment?.python;
    if (targetAirflow || targetPython) config = { ...config, ...(targetAirflow ? { targetAirflow } : {}), ...(targetPython ? { targetPython } : {}) };
    if (options.select && options.select.length > 0) config = { ...config, select: options.select };
    if (options.ignore && options.ignore.length > 0) config = { ...config, ignore: [...config.ignore, ...options.ignore] };
    cache.set(dir, config);
  }
  return config;
}

/** The folder the check was asked for (the one path given, or the working directory): the outermost deployment unit. */
function checkRoot(paths: readonly string[], cwd: string): string {
  if (paths.length !== 1) return cwd;
  const given = path.resolve(cwd, paths[0]!);
  return existsSync(given) && statSync(given).isDirectory() ? given : path.dirname(given);
}

function displayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return (relative.startsWith('..') || path.isAbsolute(relative) ? file : relative).split(path.sep).join('/');
}

function describeStats({ files, fromCache, threads }: CheckStats): string {
  const analysed = files - fromCache;
  return `${files} file(s): ${fromCache} from the cache, ${analysed} analysed ${threads > 0 ? `on ${threads} threads (the main thread and ${threads - 1} worker(s))` : 'in the main thread'}`;
}

function targetVersion(pattern: RegExp): (value: string) => string {
  return (value) => {
    if (!pattern.test(value.trim())) throw new InvalidArgumentError(`expected a version such as ${pattern === AIRFLOW_TARGET ? '2, 3 or 3.4' : '3.11'}.`);
    return value.trim();
  };
}

/** The Airflow and Python release lines of an interpreter (`3.3.2` -> `3.3`). */
async function environmentTargets(python: string): Promise<{ airflow?: string; python?: string }> {
  try {
    const { describeEnvironment } = await import('../pyenv/environment'); // runs a process: loaded only for --python
    const env = await describeEnvironment(python);
    const line = (version: string | undefined): string | undefined => version?.split('.').slice(0, 2).join('.');
    return { ...(env.airflow ? { airflow: line(env.airflow) } : {}), python: line(env.pythonVersion) };
  } catch (error) {
    throw new UsageError(`--python ${python}: ${error instanceof Error ? error.message : String(error)}`);
  }
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
    .option('--jobs <n>', 'threads for large file sets: the main thread and n - 1 workers (default: the number of cores)', jobCount)
    .option('--target-airflow <version>', 'the Airflow the DAGs run on: 2, 3 or a release line such as 3.4 (over target-airflow in the config)', targetVersion(AIRFLOW_TARGET))
    .option('--target-python <version>', 'the Python the DAGs run on, such as 3.11 (over target-python in the config)', targetVersion(PYTHON_TARGET))
    .option('--python <interpreter>', "the Airflow environment's Python: its Airflow and Python versions are the targets where neither flags nor config name one")
    .option('--no-cache', 'analyse every file, neither reading nor writing the cache')
    .option('--cache-dir <dir>', 'where the cache of findings per file lives (default: $XDG_CACHE_HOME/hangar/check or ~/.cache/hangar/check)')
    .option('--verbose', 'say on stderr how many files came from the cache and how many threads analysed the others')
    .addHelpText('after', '\nExit codes: 0 no findings at the --fail-on level, 1 findings at or above it, 2 usage or configuration error.\nConfiguration: [tool.hangar] in pyproject.toml or hangar.toml, found upward from each file.')
    .exitOverride((error) => {
      process.exit(error.exitCode === 0 ? 0 : 2);
    })
    .action(async (paths: string[], raw: { format: ReportFormat; select?: string[]; ignore?: string[]; failOn: 'error' | 'warning'; output?: string; jobs?: number; cache: boolean; cacheDir?: string; targetAirflow?: string; targetPython?: string; python?: string; verbose?: boolean }) => {
      process.stdout.on('error', (error: NodeJS.ErrnoException) => {
        if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0); // `hangar check | head`
      });
      try {
        const cache = raw.cache ? openCheckCache(path.resolve(raw.cacheDir ?? defaultCacheDir())) : undefined;
        const environment = raw.python ? await environmentTargets(raw.python) : undefined;
        const { results, exitCode, stats } = await runCheck(paths, { format: raw.format, select: raw.select, ignore: raw.ignore, failOn: raw.failOn, cwd: process.cwd(), jobs: raw.jobs, cache, targetAirflow: raw.targetAirflow, targetPython: raw.targetPython, environment });
        if (raw.verbose) process.stderr.write(`hangar check: ${describeStats(stats)}\n`);
        const report = await render(raw.format, results);
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
