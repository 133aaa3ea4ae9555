import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pythonScript } from './scripts';
import { withoutSecrets } from '../secretVariables';

const run = promisify(execFile);

/** What Hangar knows of an Airflow environment: read from the interpreter, never by importing a DAG. */
export interface PythonEnvironment {
  readonly python: string;
  readonly pythonVersion: string;
  /** Installed Airflow version, undefined when Airflow is not installed. */
  readonly airflow?: string;
  /** Normalised distribution name (PEP 503) → version. */
  readonly distributions: ReadonlyMap<string, string>;
  /** Top-level importable module → the distributions that provide it (importlib.metadata.packages_distributions). */
  readonly modules: ReadonlyMap<string, readonly string[]>;
  readonly stdlib: ReadonlySet<string>;
  /** Whether Airflow's LocalDagBundle takes `pin_symlink_on_refresh`; undefined without Airflow 3's LocalDagBundle. */
  readonly localBundlePinsSymlink?: boolean;
}

export class EnvironmentError extends Error {}

const cache = new Map<string, Promise<PythonEnvironment>>();

/**
 * The interpreter to use: an explicit choice (setting, `--python`, the Python extension's selection), then
 * `HANGAR_PYTHON`, then `python3` on PATH.
 */
export function choosePython(explicit?: string): string {
  return explicit || process.env.HANGAR_PYTHON || 'python3';
}

/** Describes an interpreter (cached per path until `forget`). Errors say how to fix the environment. */
export function describeEnvironment(python: string): Promise<PythonEnvironment> {
  let described = cache.get(python);
  if (!described) {
    described = load(python);
    cache.set(python, described);
    described.catch(() => cache.delete(python));
  }
  return described;
}

/** Drops the cached description (after installing packages). */
export function forgetEnvironment(python: string): void {
  cache.delete(python);
}

async function load(python: string): Promise<PythonEnvironment> {
  let stdout: string;
  try {
    ({ stdout } = await run(python, [pythonScript('hangar_env.py')], { maxBuffer: 32 * 1024 * 1024, timeout: 60_000, env: withoutSecrets(process.env) }));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new EnvironmentError(`No Python interpreter at "${python}". Select the Airflow environment's interpreter (Python: Select Interpreter, the hangar.python setting, or --python).`);
    }
    throw new EnvironmentError(`"${python}" could not describe its packages: ${(error as Error).message.split('\n')[0]}`);
  }
  const raw = JSON.parse(stdout) as {
    python: string;
    python_version: string;
    airflow: string | null;
    distributions: Record<string, string>;
    modules: Record<string, string[]>;
    stdlib: string[];
    local_bundle_pins_symlink?: boolean | null;
  };
  return {
    python: raw.python,
    pythonVersion: raw.python_version,
    ...(raw.airflow ? { airflow: raw.airflow } : {}),
    distributions: new Map(Object.entries(raw.distributions)),
    modules: new Map(Object.entries(raw.modules)),
    stdlib: new Set(raw.stdlib),
    ...(typeof raw.local_bundle_pins_symlink === 'boolean' ? { localBundlePinsSymlink: raw.local_bundle_pins_symlink } : {}),
  };
}

/** Fails with a fix-it message unless Airflow 2.x or 3.x is installed. */
export function requireAirflow(env: PythonEnvironment): string {
  if (!env.airflow) {
    throw new EnvironmentError(`Apache Airflow is not installed in ${env.python}. Install it there (pip install "apache-airflow==3.*") or select the interpreter of your Airflow environment.`);
  }
  const major = Number(env.airflow.split('.')[0]);
  if (major < 2) throw new EnvironmentError(`${env.python} has Airflow ${env.airflow}; Hangar needs Airflow 2 or 3.`);
  return env.airflow;
}
