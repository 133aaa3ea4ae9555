// The Debian packages Hangar's set-ups need (`npm run demo`, `npm test`, CI), why each is needed, and how the
// missing ones get installed: with apt-get as root, through `sudo -n` when that needs no password, otherwise
// the set-up stops with the one command to run. Node built-ins only: .ci/run calls it before `npm ci`.
//
// Usage: node scripts/system-packages.mjs demo|test|ci
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const succeeds = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
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
  { name: 'chromium', groups: ['browser'], why: 'the browser the real-editor tests drive (the demo uses your own browser)', present: () => existsSync('/usr/bin/chromium') },
  { name: 'ca-certificates', groups: ['network'], why: 'HTTPS to the npm registry and the Python package index', present: () => existsSync('/etc/ssl/certs/ca-certificates.crt') },
];

/** What each set-up needs, by group. */
export const SETUPS = {
  demo: ['git', 'code-server', 'airflow'],
  test: ['git', 'code-server', 'airflow', 'browser'],
  ci: ['git', 'code-server', 'airflow', 'browser', 'network'],
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const setup = process.argv[2];
  try {
    const installed = ensureSystemPackages(setup, process.env.npm_lifecycle_event ? `"npm run ${process.env.npm_lifecycle_event}"` : undefined);
    if (installed.length === 0) say(`all present for "${setup}"`);
  } catch (error) {
    console.error(`[system packages] ${error instanceof Error ? error.message : error}`);
    process.exit(1);
  }
}
