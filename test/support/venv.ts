/**
 * Python virtual environments under `.cache/` for tests and benchmarks (Airflow, ruff, bandit):
 * created once from a pinned requirements file with uv, re-created when that file changes, and
 * serialised with a lock so concurrent test files and engineers share one install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const CACHE = path.join(REPO_ROOT, '.cache');

/** A missing prerequisite: names what is missing and how to provide it. */
export class PrerequisiteError extends Error {
  override name = 'PrerequisiteError';
}

export function progress(message: string): void {
  process.stderr.write(`[test-harness] ${message}\n`);
}

/** Runs a command to completion without blocking the event loop (the install lock must keep refreshing). */
export function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', (error) => reject(new PrerequisiteError(`Cannot run ${command}: ${error.message}`)));
    child.on('close', (code) => {
      if (code === 0) return resolve(stdout);
      const output = `${stdout}\n${stderr}`.trim().split('\n').slice(-25).join('\n');
      reject(new PrerequisiteError(`"${command} ${args.join(' ')}" exited with ${code}:\n${output}`));
    });
  });
}

/** A Python 3.10-3.13 interpreter to build venvs from (Airflow 3.3's supported range). */
function basePython(): string {
  const candidates = [process.env.HANGAR_BASE_PYTHON, 'python3.11', 'python3.12', 'python3.10', 'python3.13', 'python3'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' });
    const version = probe.status === 0 ? probe.stdout.trim() : '';
    if (['3.10', '3.11', '3.12', '3.13'].includes(version)) return candidate;
  }
  throw new PrerequisiteError(
    'No Python 3.10-3.13 interpreter found (tried python3.11, python3.12, python3.10, python3.13, python3). ' +
      'Install Python 3.11 (Debian: python3 python3-venv) or set HANGAR_BASE_PYTHON to one.',
  );
}

export interface VenvSpec {
  /** Folder name under .cache/. */
  name: string;
  /** Pinned requirements installed with `uv pip install -r`. */
  requirements: string;
  /** What the venv is for, in progress messages. */
  label: string;
  /** Extra `uv pip install` options (for example `--prerelease=allow` for a beta). */
  uvArgs?: string[];
}

export function venvBin(spec: VenvSpec, program: string): string {
  return path.join(CACHE, spec.name, 'bin', program);
}

/** Changes whenever the pinned requirements change (the venv and anything derived from it are rebuilt). */
export function requirementsDigest(spec: VenvSpec): string {
  return createHash('sha256').update(readFileSync(spec.requirements)).digest('hex').slice(0, 16);
}

function stampIsCurrent(spec: VenvSpec): boolean {
  const stamp = path.join(CACHE, spec.name, '.hangar-stamp');
  return existsSync(stamp) && existsSync(venvBin(spec, 'python')) && readFileSync(stamp, 'utf8').trim() === requirementsDigest(spec);
}

async function install(spec: VenvSpec): Promise<void> {
  const dir = path.join(CACHE, spec.name);
  const base = basePython();
  const started = performance.now();
  const requirements = path.relative(REPO_ROOT, spec.requirements);
  progress(`creating .cache/${spec.name} for ${spec.label} with ${base}`);
  rmSync(dir, { recursive: true, force: true });
  await run(base, ['-m', 'venv', dir]);
  const python = venvBin(spec, 'python');
  progress(`installing uv into .cache/${spec.name} (pip install uv)`);
  await run(python, ['-m', 'pip', 'install', '--quiet', 'uv']);
  progress(`installing ${spec.label} (uv pip install -r ${requirements})`);
  await run(venvBin(spec, 'uv'), ['pip', 'install', '--quiet', '--python', python, ...(spec.uvArgs ?? []), '-r', spec.requirements]);
  writeFileSync(path.join(dir, '.hangar-stamp'), `${requirementsDigest(spec)}\n`);
  progress(`${spec.label} ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}

/** The venv's python, installing the venv first when it is missing or its requirements changed. */
export async function ensureVenv(spec: VenvSpec): Promise<string> {
  if (stampIsCurrent(spec)) return venvBin(spec, 'python');
  mkdirSync(CACHE, { recursive: true });
  progress(`waiting for the .cache/${spec.name} install lock`);
  const release = await lockfile.lock(path.join(CACHE, `${spec.name}.install`), {
    realpath: false,
    stale: 30_000,
    update: 5_000,
    retries: { retries: 600, minTimeout: 500, maxTimeout: 1_000, factor: 1.2 },
  });
  try {
    if (!stampIsCurrent(spec)) await install(spec);
  } finally {
    await release();
  }
  return venvBin(spec, 'python');
}
