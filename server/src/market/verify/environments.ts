import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { satisfies } from '@renovatebot/pep440';
import lockfile from 'proper-lockfile';
import writeFileAtomic from 'write-file-atomic';
import { normaliseName, requirementProblem } from '../requirementsSpec';
import type { ProviderRequirement } from '../types';
import { basePython, EnvironmentUnavailableError, findUv, runTool } from './pythonTools';

/** The entry's declared providers cannot be installed next to this Airflow: the entry's failure. */
export class ProvidersNotInstallableError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(message);
  }
}

/** An interpreter with one Airflow version and an entry's providers, ready to verify in. */
export interface VerifyEnvironment {
  python: string;
  /** The environment's folder (a venv); read-only for the entry. */
  root: string;
  /** Folder of the interpreter the venv was made from (its standard library), also readable by the entry. */
  baseRoot: string;
  pythonVersion: string;
  /** Every installed distribution (PEP 503 name → version), read from the metadata folders, never by running Python. */
  distributions: Map<string, string>;
  /** Where the migrated Airflow database for dag.test() runs is kept, once per environment. */
  templateDir: string;
}

export interface EnvironmentOptions {
  /** Folder of the cached environments: `<cache>/hangar/verify` by default. */
  cacheDir: string;
  /** Airflow version → python of an existing environment with it, used as is when it has the entry's providers. */
  prebuilt?: ReadonlyMap<string, string>;
}

const AIRFLOW_VERSION = /^\d+\.\d+\.\d+((a|b|rc)\d+)?$/;
const INSTALL_TIMEOUT_MS = 15 * 60_000;

export function defaultVerifyCacheDir(): string {
  return process.env.HANGAR_VERIFY_CACHE || path.join(process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache'), 'hangar', 'verify');
}

/** `3.3.2=/path/python,3.4.0b2=/path/python` from HANGAR_VERIFY_PYTHONS. */
export function prebuiltFromEnv(value = process.env.HANGAR_VERIFY_PYTHONS ?? ''): Map<string, string> {
  const pairs = value.split(',').map((pair) => pair.trim()).filter(Boolean);
  return new Map(
    pairs.map((pair) => {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new EnvironmentUnavailableError(`HANGAR_VERIFY_PYTHONS: "${pair}" is not VERSION=/path/to/python`);
      return [pair.slice(0, eq), pair.slice(eq + 1)];
    }),
  );
}

/** Checks an Airflow version given on the command line before it reaches the installer. */
export function checkAirflowVersion(version: string): string {
  if (!AIRFLOW_VERSION.test(version)) throw new Error(`"${version}" is not an Airflow release such as 3.3.2 or 3.4.0b2`);
  return version;
}

/** The requirement strings to install, or why one of the entry's providers is not a plain requirement. */
function requirementsOf(providers: readonly ProviderRequirement[]): string[] {
  return providers.map((p) => {
    const problem = requirementProblem(p);
    if (problem) throw new ProvidersNotInstallableError(problem, '');
    return `${p.name}${p.version ?? ''}`;
  });
}

function sitePackages(root: string): string | undefined {
  const lib = path.join(root, 'lib');
  const python = existsSync(lib) ? readdirSync(lib).find((d) => /^python3\.\d+$/.test(d)) : undefined;
  return python ? path.join(lib, python, 'site-packages') : undefined;
}

/** Installed distributions from their `*.dist-info` folder names: nothing from the environment runs. */
export function readDistributions(root: string): Map<string, string> {
  const site = sitePackages(root);
  const found = new Map<string, string>();
  for (const name of site && existsSync(site) ? readdirSync(site) : []) {
    const match = /^(.+?)-([^-]+)\.dist-info$/.exec(name);
    if (match) found.set(normaliseName(match[1]!), match[2]!);
  }
  return found;
}

/** The venv's own folder and its base interpreter's folder (`home` in pyvenv.cfg). */
function describe(python: string, templateDir: string): VerifyEnvironment {
  const root = path.dirname(path.dirname(python));
  const cfg = path.join(root, 'pyvenv.cfg');
  const lines = existsSync(cfg) ? readFileSync(cfg, 'utf8').split('\n') : [];
  const value = (key: string): string | undefined => lines.find((l) => l.split('=')[0]!.trim() === key)?.split('=').slice(1).join('=').trim();
  const home = value('home');
  if (!home) throw new EnvironmentUnavailableError(`${python} is not the python of a virtual environment (no pyvenv.cfg next to it)`);
  return {
    python,
    root: realpathSync(root),
    baseRoot: realpathSync(path.dirname(home)),
    pythonVersion: value('version_info') ?? value('version') ?? 'unknown',
    distributions: readDistributions(root),
    templateDir,
  };
}

/** Whether an environment has this Airflow and satisfies every declared provider. */
function fits(env: VerifyEnvironment, airflow: string, providers: readonly ProviderRequirement[]): boolean {
  if (env.distributions.get('apache-airflow') !== airflow) return false;
  return providers.every((p) => {
    const installed = env.distributions.get(normaliseName(p.name));
    return installed !== undefined && (!p.version || satisfies(installed, p.version));
  });
}

const keyOf = (airflow: string, requirements: readonly string[]): string =>
  createHash('sha256').update(JSON.stringify([airflow, [...requirements].map(normaliseName).sort()])).digest('hex').slice(0, 16);

/**
 * Builds a venv with uv: Airflow `airflow` and `requirements`, wheels only (no package's build script runs on this
 * host). uv is never pointed at the venv again afterwards, so nothing the packages install runs outside the sandbox.
 */
async function build(dir: string, airflow: string, requirements: readonly string[], cacheDir: string): Promise<string | undefined> {
  const uv = await findUv(cacheDir);
  rmSync(dir, { recursive: true, force: true });
  const python = path.join(dir, 'bin', 'python');
  const prerelease = /[a-z]/.test(airflow) ? ['--prerelease=allow'] : [];
  const steps: string[][] = [
    ['venv', '--quiet', '--python', basePython(), dir],
    ['pip', 'install', '--quiet', '--python', python, '--only-binary', ':all:', ...prerelease, `apache-airflow==${airflow}`, ...requirements],
  ];
  for (const args of steps) {
    const run = await runTool(uv, args, { timeoutMs: INSTALL_TIMEOUT_MS });
    if (run.code !== 0) {
      rmSync(dir, { recursive: true, force: true });
      return run.output.trim() || `uv ${args[0]} exited with ${run.code}`;
    }
  }
  return undefined;
}

const STAMP = '.hangar-verify.json';

/** The cached venv for `airflow` + `requirements`, built once under a lock; undefined with the installer's output when it cannot be built. */
async function cachedVenv(airflow: string, requirements: readonly string[], cacheDir: string): Promise<{ python: string } | { failure: string }> {
  const dir = path.join(cacheDir, 'venvs', `${airflow}-${keyOf(airflow, requirements)}`);
  const python = path.join(dir, 'bin', 'python');
  if (existsSync(path.join(dir, STAMP))) return { python };
  mkdirSync(path.dirname(dir), { recursive: true });
  const release = await lockfile.lock(dir, { realpath: false, stale: 60_000, update: 10_000, retries: { retries: 2_000, minTimeout: 500, maxTimeout: 2_000 } });
  try {
    if (existsSync(path.join(dir, STAMP))) return { python };
    const failure = await build(dir, airflow, requirements, cacheDir);
    if (failure) return { failure };
    writeFileAtomic.sync(path.join(dir, STAMP), `${JSON.stringify({ airflow, requirements, builtAt: new Date().toISOString() }, null, 2)}\n`);
    return { python };
  } finally {
    await release();
  }
}

/**
 * An environment with Airflow `airflow` and the entry's declared providers from the package index: a prebuilt one
 * (HANGAR_VERIFY_PYTHONS) when it already has them, else a venv cached under `cacheDir` by Airflow version and
 * providers. Throws ProvidersNotInstallableError when Airflow installs but the providers do not, and
 * EnvironmentUnavailableError when Airflow itself cannot be had.
 */
export async function environmentFor(airflow: string, providers: readonly ProviderRequirement[], options: EnvironmentOptions): Promise<VerifyEnvironment> {
  checkAirflowVersion(airflow);
  const requirements = requirementsOf(providers);
  const prebuilt = options.prebuilt?.get(airflow);
  if (prebuilt) {
    const env = describe(prebuilt, path.join(options.cacheDir, 'airflow-homes', createHash('sha256').update(prebuilt).digest('hex').slice(0, 16)));
    if (fits(env, airflow, providers)) return env;
  }
  const built = await cachedVenv(airflow, requirements, options.cacheDir);
  if ('python' in built) return describe(built.python, path.join(path.dirname(built.python), '..', '.hangar-airflow-home'));
  if (requirements.length > 0 && 'python' in (await cachedVenv(airflow, [], options.cacheDir))) {
    throw new ProvidersNotInstallableError(`the providers ${requirements.join(', ')} cannot be installed with Airflow ${airflow} from the package index`, built.failure);
  }
  throw new EnvironmentUnavailableError(`Apache Airflow ${airflow} cannot be installed from the package index: ${built.failure.split('\n').slice(-3).join(' ')}`);
}
