/**
 * A throw-away PostgreSQL cluster for integration tests: Debian's `postgresql` package (initdb, postgres,
 * pg_ctl), on 127.0.0.1 and a free port, with a role that logs in with a password and a database it owns.
 * The server runs as the unprivileged `postgres` user when the tests run as root (PostgreSQL refuses root), under
 * the same supervisor as the Airflow harness: it dies with the test process, even on SIGKILL.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, createWriteStream, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { freePort, waitFor } from './airflow';
import { PrerequisiteError, progress } from './venv';

const inCI = /^(1|true)$/i.test(process.env.CI ?? '');
const SUPERVISOR = path.join(__dirname, 'python', 'supervise.py');
const INSTALL_HINT = 'Install the distribution package (Debian/Ubuntu: apt-get install postgresql) or set HANGAR_PG_BIN to the folder holding initdb, postgres and pg_ctl.';

export class PostgresUnavailableError extends PrerequisiteError {
  override name = 'PostgresUnavailableError';
}

export interface RunningPostgres {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The database made at start, owned by `user`. */
  readonly database: string;
  /** `postgresql://user:password@127.0.0.1:port/database` (tests only: it holds the password). */
  url(database?: string): string;
  /** The standard PG* variables for `database` (what `pg` and `psql` read). */
  env(database?: string): Record<string, string>;
  /** A new empty database owned by `user`. */
  createDatabase(name: string): Promise<string>;
  /** Stops the server (fast shutdown) and removes the cluster. Safe to call twice. */
  stop(): Promise<void>;
}

/** The folder with initdb/postgres/pg_ctl: HANGAR_PG_BIN, else the newest /usr/lib/postgresql/N/bin. */
function binDir(): string {
  const override = process.env.HANGAR_PG_BIN;
  if (override) {
    if (!existsSync(path.join(override, 'initdb'))) throw new PostgresUnavailableError(`HANGAR_PG_BIN=${override} holds no initdb. ${INSTALL_HINT}`);
    return override;
  }
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new PostgresUnavailableError(`PostgreSQL is not installed: no ${root}/*/bin/initdb. ${INSTALL_HINT}`);
  return path.join(root, newest, 'bin');
}

/** How to run a server program: through `runuser -u postgres` when we are root. */
function serverUser(): { prefix: string[]; uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return { prefix: [] };
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  const uid = id('-u');
  const gid = id('-g');
  if (uid.status !== 0 || gid.status !== 0) throw new PostgresUnavailableError(`running as root, and there is no "postgres" user to run the server as. ${INSTALL_HINT}`);
  return { prefix: ['runuser', '-u', 'postgres', '--'], uid: Number(uid.stdout), gid: Number(gid.stdout) };
}

function runAsServerUser(prefix: string[], program: string, args: string[]): void {
  const [command, ...rest] = [...prefix, program, ...args];
  const result = spawnSync(command!, rest, { encoding: 'utf8' });
  if (result.status !== 0) throw new PostgresUnavailableError(`${path.basename(program)} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`);
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const child of live) killGroup(child, 'SIGKILL');
  });
}

/** Starts a new cluster; fails with what to install when PostgreSQL is missing. */
export async function startPostgres(): Promise<RunningPostgres> {
  const bin = binDir();
  const { prefix, uid, gid } = serverUser();
  const root = mkdtempSync(path.join(os.tmpdir(), 'hangar-pg-'));
  const data = path.join(root, 'data');
  if (uid !== undefined) chownSync(root, uid, gid!);
  const port = await freePort();
  const user = 'hangar';
  const password = randomBytes(12).toString('hex');
  const database = 'hangar';
  // Local socket (in `root`): trusted, for the harness's own set-up; TCP on 127.0.0.1: password only.
  runAsServerUser(prefix, path.join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth-local=trust', '--auth-host=scram-sha-256', '--no-sync', '-E', 'UTF8']);

  installExitHook();
  const logFile = path.join(root, 'server.log');
  const log = createWriteStream(logFile);
  const serverArgs = ['-D', data, '-p', String(port), '-k', root, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'max_connections=200'];
  const child = spawn('python3', [SUPERVISOR, ...prefix, path.join(bin, 'postgres'), ...serverArgs], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  live.add(child);

  const admin = async <T>(work: (client: Client) => Promise<T>, db = 'postgres'): Promise<T> => {
    const client = new Client({ host: root, port, user: 'postgres', database: db });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  };
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    const [command, ...rest] = [...prefix, path.join(bin, 'pg_ctl'), '-D', data, '-m', 'fast', '-w', 'stop'];
    spawnSync(command!, rest, { stdio: 'ignore', timeout: 30_000 });
    killGroup(child, 'SIGTERM');
    await waitFor('the PostgreSQL supervisor to exit', () => child.exitCode !== null || child.signalCode !== null, 15_000, 50).catch(() => killGroup(child, 'SIGKILL'));
    live.delete(child);
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await waitFor('PostgreSQL to accept connections', async () => {
      if (child.exitCode !== null) throw new PostgresUnavailableError(`postgres exited with ${child.exitCode}`);
      return admin(async () => true);
    }, 30_000, 100);
    await admin(async (client) => {
      await client.query(`CREATE ROLE ${user} LOGIN PASSWORD '${password}'`);
      await client.query(`CREATE DATABASE ${database} OWNER ${user}`);
    });
  } catch (error) {
    const logText = existsSync(logFile) ? readFileSync(logFile, 'utf8').slice(-2000) : '';
    await stop();
    throw new PostgresUnavailableError(`PostgreSQL did not start: ${(error as Error).message}\n${logText}`);
  }
  progress(`PostgreSQL ${path.basename(path.dirname(bin))} on 127.0.0.1:${port} (cluster ${data})`);

  const host = '127.0.0.1';
  return {
    host,
    port,
    user,
    password,
    database,
    url: (db = database) => `postgresql://${user}:${password}@${host}:${port}/${db}`,
    env: (db = database) => ({ PGHOST: host, PGPORT: String(port), PGUSER: user, PGPASSWORD: password, PGDATABASE: db }),
    createDatabase: async (name) => {
      if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await admin((client) => client.query(`CREATE DATABASE ${name} OWNER ${user}`));
      return name;
    },
    stop,
  };
}

/**
 * For a suite's `before` hook: a running cluster, or undefined outside CI when PostgreSQL is missing (the tests then
 * skip with the reason, see `prerequisite` in airflow.ts). Under CI=true a missing PostgreSQL fails the run.
 */
export async function postgresOrSkip(): Promise<RunningPostgres | undefined> {
  try {
    return await startPostgres();
  } catch (error) {
    if (inCI || !(error instanceof PostgresUnavailableError)) throw error;
    progress(`skipping: ${error.message}`);
    return undefined;
  }
}
