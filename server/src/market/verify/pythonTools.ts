import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';

/** Python or uv cannot be had: verification cannot run at all (not the entry's fault). */
export class EnvironmentUnavailableError extends Error {}

export interface ToolRun {
  code: number | null;
  output: string;
}

/** Runs a trusted tool (uv, the base interpreter) to completion, keeping the tail of its output. */
export function runTool(command: string, args: readonly string[], options: { timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<ToolRun> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, timeout: options.timeoutMs, killSignal: 'SIGKILL' });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-64 * 1024);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.on('error', (error) => resolve({ code: null, output: `cannot run ${command}: ${error.message}` }));
    child.on('close', (code, signal) => resolve({ code, output: signal ? `${output}\n${command} was stopped after ${options.timeoutMs / 1000} s` : output }));
  });
}

/** A Python 3.10-3.13 interpreter to build environments from: HANGAR_VERIFY_BASE_PYTHON, else the first on PATH. */
export function basePython(): string {
  const candidates = [process.env.HANGAR_VERIFY_BASE_PYTHON, 'python3.11', 'python3.12', 'python3.10', 'python3.13', 'python3'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    const probe = spawnSync(candidate, ['-I', '-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8', timeout: 30_000 });
    if (probe.status === 0 && ['3.10', '3.11', '3.12', '3.13'].includes(probe.stdout.trim())) return candidate;
  }
  throw new EnvironmentUnavailableError(
    'no Python 3.10-3.13 interpreter found to build verification environments from (tried python3.11, python3.12, python3.10, python3.13, python3); install one or set HANGAR_VERIFY_BASE_PYTHON',
  );
}

const onPath = (program: string): string | undefined => {
  const probe = spawnSync(program, ['--version'], { encoding: 'utf8', timeout: 30_000 });
  return probe.status === 0 ? program : undefined;
};

/**
 * uv, which builds every verification environment: HANGAR_UV, else `uv` on PATH, else installed once with pip into
 * `<cacheDir>/uv` from the base interpreter.
 */
export async function findUv(cacheDir: string): Promise<string> {
  const given = process.env.HANGAR_UV;
  if (given) {
    if (!onPath(given)) throw new EnvironmentUnavailableError(`HANGAR_UV=${given} does not run; point it at a uv executable or unset it`);
    return given;
  }
  const found = onPath('uv');
  if (found) return found;
  const dir = path.join(cacheDir, 'uv');
  const uv = path.join(dir, 'bin', 'uv');
  if (existsSync(uv)) return uv;
  mkdirSync(cacheDir, { recursive: true });
  const release = await lockfile.lock(dir, { realpath: false, stale: 60_000, retries: { retries: 300, minTimeout: 500, maxTimeout: 2_000 } });
  try {
    if (existsSync(uv)) return uv;
    const python = basePython();
    const steps: [string, string[]][] = [
      [python, ['-m', 'venv', dir]],
      [path.join(dir, 'bin', 'python'), ['-m', 'pip', 'install', '--quiet', 'uv']],
    ];
    for (const [command, args] of steps) {
      const run = await runTool(command, args, { timeoutMs: 600_000 });
      if (run.code !== 0) throw new EnvironmentUnavailableError(`cannot install uv into ${dir} (${command} ${args.join(' ')}): ${run.output.trim().split('\n').slice(-5).join('\n')}`);
    }
    return uv;
  } finally {
    await release();
  }
}
