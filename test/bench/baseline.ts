/**
 * The build a benchmark compares against: HANGAR_BENCH_BASELINE=<git ref> (default `main`) built in a temporary
 * clone into .cache/bench-baseline/<commit>/dist, once per commit. None when the ref is this checkout's own commit
 * (nothing to compare) or cannot be resolved. Figures of the two builds are taken in alternation, so both see
 * the same load on a shared machine.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CACHE, REPO_ROOT } from '../support/venv';

export interface Baseline {
  /** The ref as given, and its commit. */
  readonly ref: string;
  readonly commit: string;
  /** Its dist/ folder (cli/hangar.js, server/server.js, wasm/). */
  readonly dist: string;
}

const git = (args: string[], cwd = REPO_ROOT): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

export function baselineBuild(): Baseline | undefined {
  const ref = process.env.HANGAR_BENCH_BASELINE ?? 'main';
  let commit: string;
  try {
    commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  } catch {
    console.log(`baseline: "${ref}" is no commit here; set HANGAR_BENCH_BASELINE to a branch, tag or commit to compare with`);
    return undefined;
  }
  if (commit === git(['rev-parse', 'HEAD'])) {
    console.log(`baseline: ${ref} is this checkout's commit; set HANGAR_BENCH_BASELINE to an older ref to compare with`);
    return undefined;
  }
  const home = path.join(CACHE, 'bench-baseline', commit);
  const dist = path.join(home, 'dist');
  if (!existsSync(path.join(dist, 'cli', 'hangar.js'))) {
    console.log(`baseline: building ${ref} (${commit.slice(0, 10)}) in a temporary clone`);
    const clone = mkdtempSync(path.join(os.tmpdir(), 'hangar-baseline-'));
    try {
      git(['clone', '--quiet', '--shared', '--no-checkout', REPO_ROOT, clone]);
      git(['checkout', '--quiet', commit], clone);
      symlinkSync(path.join(REPO_ROOT, 'node_modules'), path.join(clone, 'node_modules'));
      execFileSync(process.execPath, ['esbuild.mjs'], { cwd: clone, stdio: 'ignore' });
      rmSync(home, { recursive: true, force: true });
      cpSync(path.join(clone, 'dist'), dist, { recursive: true });
    } finally {
      rmSync(clone, { recursive: true, force: true });
    }
  }
  return { ref, commit, dist };
}
