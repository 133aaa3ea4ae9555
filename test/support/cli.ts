import { execFile, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './venv';

/** The CLI exactly as it ships: `dist/cli/hangar.js` from `node esbuild.mjs` (npm test builds before testing). */
export const SHIPPED_CLI = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');

/** The shipped CLI's path; fails with what to run when the build is missing. */
export function shippedCli(): string {
  if (!existsSync(SHIPPED_CLI)) throw new Error(`${path.relative(REPO_ROOT, SHIPPED_CLI)} is missing: run "node esbuild.mjs" (npm test builds it first).`);
  return SHIPPED_CLI;
}

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the shipped CLI to completion; never throws on a non-zero exit (the caller asserts the code). */
export function runHangar(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; nodeArgs?: readonly string[] } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      [...(options.nodeArgs ?? []), shippedCli(), ...args],
      { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(new Error(`hangar ${args.join(' ')} did not finish: ${error.message}\n${stderr}`));
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
      },
    );
    child.stdin?.end();
  });
}

/** The synchronous form, for tests that run one quick command. */
export function runHangarSync(args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): CliRun {
  const result = spawnSync(process.execPath, [shippedCli(), ...args], { cwd: options.cwd ?? REPO_ROOT, env: { ...process.env, ...options.env }, encoding: 'utf8', timeout: 120_000 });
  if (result.status === null) throw new Error(`hangar ${args.join(' ')} did not finish: ${result.error?.message ?? result.signal}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
