import { Command, InvalidArgumentError } from 'commander';
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../config/load';
import { gitEnvironment } from '../git/environment';
import { catalogsFromReposFile, parseCatalogSpec } from '../market/config';
import { checkCatalog, IndexNotWrittenError, writeCatalogIndex } from '../market/indexer';
import { HANGAR_INDEX } from '../market/readers/hangarIndex';
import type { InstallResult } from '../market/install';
import type { KeptFile } from '../market/installedFiles';
import { cliInstallationId } from '../market/installationId';
import { Marketplace } from '../market/marketplace';
import type { SortKey } from '../market/search';
import { createMarketServer } from '../market/service/api';
import { openMarketStore } from '../market/service/openStore';
import { cloneDirOf } from '../repos/sync';
import { defaultStorageDir } from '../repos/workspace';
import type { CatalogSource } from '../market/sources';
import type { CatalogProblem } from '../market/types';
import { DEFAULT_AIRFLOW_VERSIONS, parseAirflowVersions, verifyCatalog } from '../market/verify/catalogVerify';
import { defaultVerifyCacheDir, prebuiltFromEnv } from '../market/verify/environments';
import { ServiceVerifier } from '../market/verify/serviceVerifier';
import { describeResults, statusLine, withoutLogs } from '../market/verify/status';
import { registerMarketAdmin } from './marketAdmin';
import { print, requireService, service } from './marketService';

interface CommonOptions {
  json?: boolean;
  catalog?: string[];
  config?: string;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function withCommon(command: Command): Command {
  return command
    .option('--json', 'print machine-readable JSON')
    .option('--catalog <name=url-or-folder[#ref]>', 'catalog to use (repeatable; default: HANGAR_MARKET_CATALOGS and airflow-repos.yaml)', collect)
    .option('--config <file>', 'airflow-repos.yaml with a catalogs: list', 'airflow-repos.yaml');
}

/** Catalog sources from --catalog, else HANGAR_MARKET_CATALOGS, else the catalogs: list of airflow-repos.yaml. */
export function catalogSources(options: CommonOptions): CatalogSource[] {
  if (options.catalog?.length) return options.catalog.map(parseCatalogSpec);
  const env = process.env.HANGAR_MARKET_CATALOGS?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  if (env.length) return env.map(parseCatalogSpec);
  return catalogsFromReposFile(path.resolve(options.config ?? 'airflow-repos.yaml'), { strict: true });
}

/** Counts an install on the service, when one is configured with a token; a failure is a warning, the install stands. */
async function reportInstall(result: InstallResult, options: CommonOptions): Promise<void> {
  if (!process.env.HANGAR_MARKET_TOKEN) return;
  await service()
    ?.recordInstall(result.id, cliInstallationId())
    .catch((error: Error) => {
      if (!options.json) console.error(`warning: install not counted: ${error.message}`);
    });
}

const keptLines = (kept: readonly KeptFile[]): string[] => kept.map((k) => `kept ${k.path}: ${k.reason} (delete it yourself if you no longer need it)`);

function formatProblem(p: CatalogProblem): string {
  return `${p.catalog}: ${p.file}${p.line ? `:${p.line}` : ''}: ${p.message}`;
}

async function openMarket(options: CommonOptions): Promise<Marketplace> {
  const sources = catalogSources(options);
  if (sources.length === 0) {
    throw new Error('no catalogs configured: pass --catalog NAME=URL, set HANGAR_MARKET_CATALOGS, or add a catalogs: list to airflow-repos.yaml');
  }
  const market = await Marketplace.load(sources);
  if (!options.json) for (const problem of market.problems) console.error(`warning: ${formatProblem(problem)}`);
  const client = service();
  if (client) {
    try {
      market.setStats(await client.stats());
      market.setVerifications(await client.verifications());
    } catch (error) {
      if (!options.json) console.error(`warning: ${(error as Error).message}; showing catalogs only`);
    }
  }
  return market;
}

interface RepoTarget {
  root: string;
  /** The repository's DAG folder from airflow-repos.yaml, when --repo named one. */
  dagsPath?: string;
}

/**
 * --repo: a folder, or the name of a repository in airflow-repos.yaml (its local clone, which
 * `hangar repos sync` made); without it, the Git work tree around the current folder.
 */
function repoTarget(repo: string | undefined, configFile = 'airflow-repos.yaml'): RepoTarget {
  if (repo && existsSync(repo) && statSync(repo).isDirectory()) return { root: path.resolve(repo) };
  if (repo) {
    const file = path.resolve(configFile);
    const configured = loadConfigFile(file).repositories.find((r) => r.name === repo);
    if (!configured) throw new Error(`--repo ${repo}: no such folder, and no repository of that name in ${file}`);
    const root = cloneDirOf(configured, defaultStorageDir(file));
    if (!existsSync(root)) throw new Error(`repository ${repo} has no local clone yet: run "hangar repos sync ${repo}" first`);
    return { root, dagsPath: configured.dagsPath || '.' };
  }
  try {
    return { root: execFileSync('git', ['rev-parse', '--show-toplevel'], { encoding: 'utf8', env: gitEnvironment() }).trim() };
  } catch {
    return { root: process.cwd() };
  }
}

const repoRoot = (repo: string | undefined, configFile?: string): string => repoTarget(repo, configFile).root;

function parseRating(value: string): number {
  const rating = Number(value);
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) throw new InvalidArgumentError('a rating is a whole number from 1 to 5');
  return rating;
}

export function registerMarket(program: Command): void {
  const market = program.command('market').description('Search, inspect, install and rate shared DAGs from catalogs');

  withCommon(market.command('search').argument('[query]', 'words to search in names, descriptions, tags and providers'))
    .description('search the catalogs')
    .option('--category <name>')
    .option('--status <status>')
    .option('--airflow <version>', 'only entries compatible with this Airflow version')
    .option('--provider <package>')
    .option('--sort <key>', 'relevance, rating, installs, updated or title')
    .option('--limit <n>', 'at most this many results', '50')
    .action(async (query: string | undefined, options: CommonOptions & { category?: string; status?: string; airflow?: string; provider?: string; sort?: SortKey; limit: string }) => {
      const m = await openMarket(options);
      const result = m.find({ text: query, category: options.category, status: options.status, airflowVersion: options.airflow, provider: options.provider, sort: options.sort, limit: Number(options.limit) });
      const hits = result.hits.map((h) => ({ ...h.entry, stats: h.stats, verification: withoutLogs(m.verification(h.entry.id)) }));
      print(options, { total: result.total, hits, problems: m.problems }, () =>
        [`${result.total} result(s)`, ...hits.map((h) => `${h.id}  ${h.version}  [${h.status}]  ${h.title}${h.stats.ratings ? `  ★${h.stats.rating.toFixed(1)}` : ''}  (${h.verification.headline})`)].join('\n'),
      );
    });

  withCommon(market.command('info').argument('<id>', 'entry id (catalog/entry)'))
    .description('show an entry: description, requirements, validation')
    .action(async (id: string, options: CommonOptions) => {
      const details = await (await openMarket(options)).details(id);
      const { entry } = details;
      const { descriptionHtml: _html, ...rest } = details;
      print(options, rest, () =>
        [
          `${entry.title} (${entry.id} ${entry.version}, ${entry.status})`,
          entry.description,
          `category: ${entry.category}   author: ${entry.author || '-'}   license: ${entry.license ?? '-'}`,
          `airflow: ${entry.airflowVersion ?? 'any'}   sha256: ${entry.sha256 ?? 'not pinned by the index'}`,
          `providers: ${entry.providers.map((p) => `${p.name}${p.version ?? ''}`).join(', ') || '-'}`,
          `connections: ${entry.connections.map((c) => c.id).join(', ') || '-'}   variables: ${entry.variables.map((v) => v.name).join(', ') || '-'}`,
          `tasks: ${details.tasks.join(', ') || '-'}`,
          `validation: ${details.badge}${details.findings.map((f) => `\n  ${f.severity} ${f.ruleId} line ${f.range.start.line + 1}: ${f.message}`).join('')}`,
          `verification: ${statusLine(details.verification)}`,
          ...(details.verification.record && details.verification.state !== 'stale' ? describeResults(details.verification.record, true) : []),
        ].join('\n'),
      );
    });

  withCommon(market.command('install').argument('<id>', 'entry id (catalog/entry)'))
    .description('verify, scan and copy an entry into a repository; merge its providers into requirements.txt')
    .option('--repo <name-or-dir>', 'repository folder, or a repository name from airflow-repos.yaml (default: the Git work tree around the current folder)')
    .option('--path <dir>', "folder inside the repository (default: the repository's dags_path, else dags)")
    .option('--force', 'install even when the scan reports errors')
    .option('--allow-unverified', 'install even when the entry failed verification')
    .action(async (id: string, options: CommonOptions & { repo?: string; path?: string; force?: boolean; allowUnverified?: boolean }) => {
      const m = await openMarket(options);
      const target = repoTarget(options.repo, options.config);
      const result = await m.install(id, { repoRoot: target.root, folder: options.path ?? target.dagsPath, force: options.force, allowUnverified: options.allowUnverified });
      await reportInstall(result, options);
      print(options, result, () =>
        [
          `${result.updated ? 'Updated' : 'Installed'} ${result.id} ${result.version}: ${result.files.join(', ')}`,
          ...result.removed.map((file) => `removed ${file} (no longer shipped)`),
          ...keptLines(result.kept),
          result.requirements.added.length ? `requirements.txt: added ${result.requirements.added.join(', ')}` : 'requirements.txt: nothing to add',
          ...result.requirements.conflicts.map((c) => `conflict: requirements.txt has "${c.existing}", the DAG wants "${c.wanted}"`),
          ...result.checklist.connections.map((c) => `[ ] create connection ${c.id}${c.type ? ` (${c.type})` : ''}`),
          ...result.checklist.variables.map((v) => `[ ] create variable ${v.name}`),
        ].join('\n'),
      );
    });

  withCommon(market.command('uninstall').argument('<id>'))
    .description('remove the files an install wrote that still have the content it wrote (edited files are kept)')
    .option('--repo <name-or-dir>', 'repository folder or name (as for install)')
    .action(async (id: string, options: CommonOptions & { repo?: string }) => {
      const { removed, kept } = (await openMarket(options)).uninstall(id, repoRoot(options.repo, options.config));
      print(options, { id, removed, kept }, () => [`Removed ${removed.join(', ') || 'nothing'}`, ...keptLines(kept)].join('\n'));
    });

  withCommon(market.command('update').argument('[id]', 'entry to update (default: all with updates)'))
    .description('update installed entries whose catalog has a newer version')
    .option('--repo <name-or-dir>', 'repository folder or name (as for install)')
    .option('--check', 'only list available updates')
    .option('--allow-unverified', 'update even to a version that failed verification')
    .action(async (id: string | undefined, options: CommonOptions & { repo?: string; check?: boolean; allowUnverified?: boolean }) => {
      const m = await openMarket(options);
      const root = repoRoot(options.repo, options.config);
      const updates = m.updates(root).filter((u) => !id || u.id === id);
      if (options.check) return print(options, { updates }, () => updates.map((u) => `${u.id}: ${u.installed} -> ${u.available}`).join('\n') || 'Everything is up to date');
      const results: InstallResult[] = [];
      for (const update of updates) {
        // No folder: the update goes where the entry is installed.
        const result = await m.install(update.id, { repoRoot: root, allowUnverified: options.allowUnverified });
        await reportInstall(result, options);
        results.push(result);
      }
      print(
        options,
        { updated: results },
        () =>
          results
            .flatMap((r) => [`Updated ${r.id} to ${r.version}`, ...r.removed.map((file) => `removed ${file} (no longer shipped)`), ...keptLines(r.kept)])
            .join('\n') || 'Everything is up to date',
      );
    });

  withCommon(market.command('rate').argument('<id>').argument('<rating>', '1 to 5', parseRating))
    .description('rate an entry you installed, on the marketplace service (token from HANGAR_MARKET_TOKEN)')
    .action(async (id: string, rating: number, options: CommonOptions) => {
      const stats = await requireService().rate(id, rating, cliInstallationId());
      print(options, stats, () => `Rated ${id} ${rating}/5 (average ${stats.rating.toFixed(1)} from ${stats.ratings})`);
    });

  withCommon(market.command('review').argument('<id>').argument('<text>'))
    .description('review an entry you installed, on the marketplace service (token from HANGAR_MARKET_TOKEN)')
    .action(async (id: string, text: string, options: CommonOptions) => {
      const result = await requireService().review(id, text, cliInstallationId());
      print(options, result, () => `Review ${result.id} posted for ${id}`);
    });

  registerMarketAdmin(market);
  registerMarketVerify(market);

  market
    .command('index')
    .argument('<path>', 'catalog repository folder')
    .description('check a catalog (any of the three formats) or write its hangar-catalog.json with fresh sha256 values')
    .option('--write', `write ${HANGAR_INDEX}`)
    .option('--check', 'only check (the default; for CI)')
    .option('--json', 'print machine-readable JSON')
    .action((folder: string, options: { write?: boolean; check?: boolean; json?: boolean }) => {
      if (options.write && options.check) throw new InvalidArgumentError('--check and --write exclude each other');
      const report = checkCatalog(folder);
      let outcome = '';
      if (options.write) {
        try {
          outcome = writeCatalogIndex(folder, report) ? `wrote ${path.join(folder, HANGAR_INDEX)}` : `${path.join(folder, HANGAR_INDEX)} is up to date`;
        } catch (error) {
          if (!(error instanceof IndexNotWrittenError)) throw error;
          console.error(`hangar: ${error.message}`);
          process.exitCode = 1;
        }
      } else if (report.problems.length || report.refreshed.length) {
        process.exitCode = 1;
      }
      // Written, a stale sha256 is fixed; otherwise it is an error for the catalog's CI.
      const refreshed = report.refreshed.map((p) => (outcome ? `fixed: ${formatProblem(p)}; wrote the computed sha256` : `error: ${formatProblem(p)}${options.write ? '' : ' (--write fixes it)'}`));
      print(options, report, () =>
        [
          `${folder}: ${report.format ?? 'no'} index, ${report.entries} entr${report.entries === 1 ? 'y' : 'ies'}`,
          ...report.problems.map((p) => `error: ${formatProblem(p)}`),
          ...refreshed,
          outcome,
        ].filter(Boolean).join('\n'),
      );
    });
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600) throw new InvalidArgumentError('a whole number of seconds from 5 to 3600');
  return seconds;
}

function registerMarketVerify(market: Command): void {
  market
    .command('verify')
    .argument('[catalog]', 'catalog repository folder', '.')
    .description("import each entry's DAG (and, where the entry allows it, run dag.test()) on each Airflow version, in a sandbox")
    .option('--entry <id>', 'only this entry (repeatable)', collect)
    .option('--airflow <versions>', 'comma-separated Airflow versions', DEFAULT_AIRFLOW_VERSIONS.join(','))
    .option('--timeout <seconds>', 'limit for one import or one DAG test; then its process tree is killed', parseSeconds, 300)
    .option('--write', 'write the results to verification/<entry>.json in the catalog')
    .option('--changed', 'skip entries whose verification/ file already covers their file and every version')
    .option('--json', 'print machine-readable JSON')
    .action(async (folder: string, options: { entry?: string[]; airflow: string; timeout: number; write?: boolean; changed?: boolean; json?: boolean }) => {
      const report = await verifyCatalog(folder, {
        entries: options.entry,
        versions: parseAirflowVersions(options.airflow),
        write: options.write,
        changedOnly: options.changed,
        timeoutS: options.timeout,
        cacheDir: defaultVerifyCacheDir(),
        prebuilt: prebuiltFromEnv(),
        onProgress: options.json ? undefined : (line) => console.error(line),
      });
      if (report.verified.some((v) => v.status.state === 'failed' || v.status.state === 'error')) process.exitCode = 1;
      print(options, report, () =>
        [
          ...report.problems.map((p) => `warning: ${formatProblem(p)}`),
          ...report.verified.flatMap((v) => [
            `${v.id} ${v.record.version}: ${v.status.headline} (sha256 ${v.record.sha256}, ${v.record.isolation} sandbox)`,
            ...describeResults(v.record, v.status.state !== 'verified'),
            ...(v.written ? [`wrote ${v.written}`] : []),
          ]),
          `${report.verified.length} entr${report.verified.length === 1 ? 'y' : 'ies'} verified${report.current.length ? `, ${report.current.length} already verified for their current file` : ''}`,
        ].join('\n'),
      );
    });
}

export type MarketplaceServeOptions = CommonOptions & { port: string; bind: string; db: string; catalogRefresh: string; verifyAirflow: string; verifyTimeout: number };

export function withMarketplaceServeOptions(serve: Command): Command {
  return withCommon(serve)
    .option('--marketplace', 'serve the marketplace HTTP JSON API')
    .option('--db <file>', 'SQLite file for ratings, reviews, installs and tokens (unused when HANGAR_DATABASE_URL or PG* name a PostgreSQL)', 'hangar-marketplace.db')
    .option('--catalog-refresh <minutes>', 'fetch and re-read the catalogs this often (0: never)', '10')
    .option('--verify-airflow <versions>', 'verify new and changed entries on these Airflow versions, in a worker (none: off)', DEFAULT_AIRFLOW_VERSIONS.join(','))
    .option('--verify-timeout <seconds>', 'limit for one import or one DAG test', parseSeconds, 300);
}

export async function serveMarketplace(options: MarketplaceServeOptions): Promise<void> {
  const log = (line: string): void => console.log(`marketplace: ${line}`);
  // First: it says what to install when the native SQLite module is missing, or why PostgreSQL cannot be used.
  const db = await openMarketStore(options.db, log);
  let market = await openMarket(options).catch(async (error: unknown) => {
    await db.close();
    throw error;
  });
  const versions = parseAirflowVersions(options.verifyAirflow);
  const verifier = versions.length ? new ServiceVerifier(db, { versions, timeoutS: options.verifyTimeout, log }) : undefined;
  const server = createMarketServer(() => market, db, { pending: verifier && ((entryId, sha256) => verifier.isPending(entryId, sha256)) });
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(Number(options.port), options.bind, resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log(`serving ${market.search.size} entries from ${market.catalogNames.length} catalog(s) on http://${options.bind}:${port} (data in ${db.description})`);
  const queueVerifications = (fresh: Marketplace): void => void verifier?.sync(fresh).catch((error: Error) => log(`could not queue verifications: ${error.message}`));
  queueVerifications(market);
  const minutes = Number(options.catalogRefresh);
  // The new catalogs replace the old ones only once fully read: requests never see a half-loaded marketplace.
  const reload = (): Promise<void> =>
    openMarket(options).then(
      (fresh) => {
        market = fresh;
        queueVerifications(fresh);
      },
      (error: Error) => console.error(`marketplace: catalog refresh failed: ${error.message}`),
    );
  const refresh = minutes > 0 ? setInterval(() => void reload(), minutes * 60_000) : undefined;
  refresh?.unref();
  const stop = (): void => {
    clearInterval(refresh);
    verifier?.stop();
    server.close();
    void db.close();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
}
