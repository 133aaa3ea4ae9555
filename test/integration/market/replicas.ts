import { spawn } from 'node:child_process';
import { after, before } from 'node:test';
import { waitFor } from '../../support/airflow';
import { runHangar, shippedCli, type CliRun } from '../../support/cli';
import { postgresOrSkip, type RunningPostgres } from '../../support/postgres';
import { gitRepo, hangarCatalogFiles, scratch } from './catalogRepos';

/** The entries of hangarCatalogFiles(). */
export const ENTRIES = ['team/postgres-to-s3', 'team/hello'];

export const entryRoute = (entry: string, rest = ''): string => `/api/v1/entries/${encodeURIComponent(entry)}${rest}`;

/** No database from the machine's environment: a test names its own (or none, for SQLite). */
export const NO_DATABASE = { HANGAR_DATABASE_URL: '', PGHOST: '', PGPORT: '', PGUSER: '', PGPASSWORD: '', PGDATABASE: '', PGPASSFILE: '' };

/** The environment that points hangar at `database` of `postgres` (the password in the URL, never in argv). */
export const onPostgres = (postgres: RunningPostgres, database: string): Record<string, string> => ({ ...NO_DATABASE, HANGAR_DATABASE_URL: postgres.url(database) });

export interface Replica {
  readonly base: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `hangar serve --marketplace` from the shipped CLI (or `cli`) and waits until it listens; `args` add --db and the like. */
export async function startReplica(catalog: string, env: Record<string, string>, args: string[] = [], cli = shippedCli()): Promise<Replica> {
  const child = spawn(process.execPath, [cli, 'serve', '--marketplace', '--port', '0', '--bind', '127.0.0.1', '--catalog', `team=${catalog}`, '--verify-airflow', 'none', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = (): boolean => child.exitCode !== null || child.signalCode !== null;
  const stop = async (): Promise<void> => {
    if (exited()) return;
    child.kill('SIGTERM');
    await waitFor('the marketplace replica to exit', exited, 10_000, 50).catch(() => child.kill('SIGKILL'));
  };
  try {
    const base = await waitFor(
      'the marketplace replica to listen',
      () => {
        if (exited()) throw new Error(`the replica exited with ${child.exitCode ?? child.signalCode}:\n${output}`);
        return /on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      },
      30_000,
      50,
    );
    return { base, output: () => output, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** One JSON request to a replica. */
export async function api(base: string, method: string, route: string, options: { token?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${base}${route}`, { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** `hangar market admin token create` through the shipped CLI; `env` (and a --db in `extra`) select the store. */
export async function createToken(user: string, env: Record<string, string>, extra: string[] = []): Promise<string> {
  const created: CliRun = await runHangar(['market', 'admin', 'token', 'create', '--user', user, '--json', ...extra], { env });
  if (created.code !== 0) throw new Error(`token create for ${user} failed (${created.code}): ${created.stderr}`);
  return (JSON.parse(created.stdout) as { token: string }).token;
}

/** What a replica serves for the entries: stats, verifications, entry pages, visible reviews and the install audits (read with an admin token). */
export async function served(replica: Replica, adminToken: string): Promise<unknown> {
  const [stats, verifications] = await Promise.all([api(replica.base, 'GET', '/api/v1/stats'), api(replica.base, 'GET', '/api/v1/verifications')]);
  const entries = await Promise.all(
    ENTRIES.map(async (entry) => ({
      page: (await api(replica.base, 'GET', entryRoute(entry))).body,
      reviews: (await api(replica.base, 'GET', entryRoute(entry, '/reviews'))).body.reviews,
      audit: (await api(replica.base, 'GET', entryRoute(entry, '/installs'), { token: adminToken })).body,
    })),
  );
  return { stats: stats.body.stats, verifications: verifications.body.verifications, entries };
}

export interface ReplicaSuite {
  /** The suite's scratch folder. */
  readonly dir: string;
  /** The cluster, or undefined outside CI when PostgreSQL is missing (pass it to `prerequisite`). */
  postgres(): RunningPostgres | undefined;
  /** The catalog repository the replicas serve (hangarCatalogFiles()). */
  catalog(): string;
  /** Starts a replica on the suite's catalog; every replica still running is stopped after the suite. */
  start(env: Record<string, string>, args?: string[], cli?: string): Promise<Replica>;
  /** Two replicas started at once on a new database of `postgres`, and the environment that selects it. */
  startPair(postgres: RunningPostgres, database: string): Promise<{ env: Record<string, string>; pair: Replica[] }>;
}

/** Registers a suite's `before` and `after`: the shipped CLI checked, a PostgreSQL cluster, a catalog repository. */
export function replicaSuite(name: string): ReplicaSuite {
  const { dir, cleanup } = scratch(name);
  let postgres: RunningPostgres | undefined;
  let catalog = '';
  const replicas: Replica[] = [];
  before(async () => {
    shippedCli();
    postgres = await postgresOrSkip();
    catalog = gitRepo(dir, 'catalog', hangarCatalogFiles());
  });
  after(async () => {
    await Promise.all(replicas.map((r) => r.stop()));
    await postgres?.stop();
    cleanup();
  });
  const start = async (env: Record<string, string>, args: string[] = [], cli = shippedCli()): Promise<Replica> => {
    const replica = await startReplica(catalog, env, args, cli);
    replicas.push(replica);
    return replica;
  };
  return {
    dir,
    postgres: () => postgres,
    catalog: () => catalog,
    start,
    startPair: async (postgres, database) => {
      const env = onPostgres(postgres, await postgres.createDatabase(database));
      return { env, pair: await Promise.all([start(env), start(env)]) };
    },
  };
}
