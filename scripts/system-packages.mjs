// The Debian packages Hangar's set-ups need (`npm run demo`, `npm test`, CI), why each is needed, and how the
// missing ones get installed: with apt-get as root, through `sudo -n` when that needs no password, otherwise
// the set-up stops with the one command to run. Node built-ins only: .ci/run calls it before `npm ci`.
//
// The test set-up also builds better-sqlite3 when `npm ci` had to skip it (it is optional, and native).
//
// Usage: node scripts/system-packages.mjs demo|test|ci
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function succeedsIn(cwd, command, args) {
  return spawnSync(command, args, { cwd, stdio: 'ignore' }).status === 0;
}
const succeeds = (command, args) => succeedsIn(undefined, command, args);
const onPath = (command) => succeeds('sh', ['-c', `command -v ${command}`]);

/** A Python 3.10-3.13 that can make virtual environments with pip (Debian moves ensurepip into python3-venv). */
function pythonWithVenv() {
  const probe = 'import sys, ensurepip, venv; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 13) else 1)';
  return ['python3.11', 'python3.12', 'python3.10', 'python3.13', 'python3'].some((python) => succeeds(python, ['-c', probe]));
}

/** Each package: the groups that need it, why, and how to tell it is there without asking dpkg. */
export const PACKAGES = [
  { name: 'git', groups: ['git'], why: 'the sample repositories, sync and deploy', present: () => onPath('git') },
  { name: 'build-essential', groups: ['code-server'], why: "a C/C++ compiler and make for code-server's native modules", present: () => onPath('g++') && onPath('make') },
  { name: 'libkrb5-dev', groups: ['code-server'], why: "Kerberos headers for VS Code's kerberos module", present: () => existsSync('/usr/include/gssapi/gssapi.h') },
  { name: 'ripgrep', groups: ['code-server'], why: "VS Code's search (code-server uses /usr/bin/rg)", present: () => existsSync('/usr/bin/rg') },
  { name: 'python3-venv', groups: ['airflow'], why: 'the virtual environment of the real Airflow 3 (Python 3.10-3.13 with venv)', present: pythonWithVenv },
  { name: 'postgresql', groups: ['database'], why: 'the throw-away PostgreSQL server of the fleet tests (agents and marketplace replicas)', present: () => existsSync('/usr/lib/postgresql') },
  { name: 'chromium', groups: ['browser'], why: 'the browser the real-editor tests drive (the demo uses your own browser)', present: () => existsSync('/usr/bin/chromium') },
  { name: 'ca-certificates', groups: ['network'], why: 'HTTPS to the npm registry and the Python package index', present: () => existsSync('/etc/ssl/certs/ca-certificates.crt') },
];

/** What each set-up needs, by group. */
export const SETUPS = {
  demo: ['git', 'code-server', 'airflow'],
  test: ['git', 'code-server', 'airflow', 'browser', 'database'],
  ci: ['git', 'code-server', 'airflow', 'browser', 'database', 'network'],
};

const say = (message) => console.log(`[system packages] ${message}`);

/** The packages of `groups` that are missing on this machine. */
export function missingPackages(groups, packages = PACKAGES) {
  return packages.filter((p) => p.groups.some((g) => groups.includes(g)) && !p.present());
}

/** How apt-get can be run here without a password: directly as root, through `sudo -n`, or not at all. */
export function aptAccess() {
  if (!onPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return { prefix: [], how: 'as root' };
  if (onPath('sudo') && succeeds('sudo', ['-n', 'true'])) return { prefix: ['sudo', '-n'], how: 'through sudo' };
  return undefined;
}

function aptGet(prefix, args) {
  const [command, ...rest] = [...prefix, 'apt-get', ...args];
  const result = spawnSync(command, rest, { stdio: ['ignore', 'inherit', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  if (result.status !== 0) throw new Error(`"${[command, ...rest].join(' ')}" failed (exit ${result.status ?? result.signal}); see its output above.`);
}

/**
 * Installs the missing packages of `groups` (or of a set-up name), saying what and why; throws with the one
 * command to run when they cannot be installed from here. `again` names the command to run afterwards.
 * Tests pass their own `packages` table and `access` (how apt-get is run; undefined: it cannot be).
 * Returns the names of the packages it installed.
 */
export function ensureSystemPackages(groups, again, options = {}) {
  const packages = options.packages ?? PACKAGES;
  const wanted = typeof groups === 'string' ? SETUPS[groups] : groups;
  if (!wanted) throw new Error(`unknown set-up "${groups}"; one of: ${Object.keys(SETUPS).join(', ')}`);
  const missing = missingPackages(wanted, packages);
  if (missing.length === 0) return [];
  const names = missing.map((p) => p.name);
  const listed = missing.map((p) => `  ${p.name}: ${p.why}`).join('\n');
  const access = 'access' in options ? options.access : aptAccess();
  if (!access) {
    const command = onPath('apt-get')
      ? `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${names.join(' ')}`
      : `the equivalents of the Debian packages ${names.join(' ')} with your system's package manager`;
    throw new Error(`Missing system packages:\n${listed}\nInstall them with:\n  ${command}\nthen run ${again ?? 'the same command'} again.`);
  }
  say(`installing with apt-get ${access.how}:\n${listed}`);
  aptGet(access.prefix, ['update', '-qq']);
  aptGet(access.prefix, ['install', '-y', '-qq', '--no-install-recommends', ...names]);
  const still = missingPackages(wanted, packages);
  if (still.length > 0) throw new Error(`apt-get installed ${names.join(' ')}, but ${still.map((p) => p.name).join(', ')} still cannot be found (${still.map((p) => p.why).join('; ')}).`);
  say(`installed ${names.join(' ')}`);
  return names;
}

/**
 * better-sqlite3 (the marketplace service's storage) is an optional native dependency: `npm ci` drops it when it
 * cannot be built, e.g. before the compiler was installed. The tests run the service, so install it now.
 * Nothing to do before `npm ci` (no node_modules yet) or when it loads.
 */
export function ensureSqliteModule(root = repoRoot) {
  if (!existsSync(path.join(root, 'node_modules'))) return false;
  const loads = () => succeedsIn(root, process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"]);
  if (loads()) return false;
  const version = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).optionalDependencies['better-sqlite3'];
  say(`installing better-sqlite3 ${version}, the marketplace service's native SQLite module, which the tests run (npm ci skipped it: it could not be built then)`);
  const result = spawnSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', `better-sqlite3@${version}`], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.status !== 0 || !loads()) throw new Error(`better-sqlite3 ${version} could not be built; see npm's output above (it needs the packages of "build-essential" and python3).`);
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const setup = process.argv[2];
  try {
    const installed = ensureSystemPackages(setup, process.env.npm_lifecycle_event ? `"npm run ${process.env.npm_lifecycle_event}"` : undefined);
    const built = setup !== 'demo' && ensureSqliteModule();
    if (installed.length === 0 && !built) say(`all present for "${setup}"`);
  } catch (error) {
    console.error(`[system packages] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
