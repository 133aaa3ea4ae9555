/** What a benchmark module exports, and the helpers benchmarks share (process timing, tables). */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../support/venv';

export interface Bench {
  /** Short name, used by `npm run bench -- NAME` to run only this one. */
  name: string;
  description: string;
  /** Measures and prints; never asserts. Throw only when the benchmark itself cannot run. */
  run(): Promise<void>;
}

export interface ProcessMeasure {
  wallMs: number;
  /** Peak resident set size of the process (GNU time's %M), undefined when /usr/bin/time is missing. */
  peakRssMb: number | undefined;
  /** User + system CPU time of the process and its children (GNU time's %U + %S): less sensitive to a busy machine than wall time. */
  cpuMs: number | undefined;
  code: number;
  stdout: string;
  stderr: string;
}

const GNU_TIME = '/usr/bin/time';

/** Runs a command to completion and measures its wall time and peak memory. */
export async function measureProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessMeasure> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-bench-'));
  const timeFile = path.join(scratch, 'time');
  const useTime = existsSync(GNU_TIME);
  const [program, argv] = useTime ? [GNU_TIME, ['-f', '%M %U %S', '-o', timeFile, command, ...args]] : [command, args];
  try {
    const started = performance.now();
    const result = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn(program, argv, { cwd: options.cwd ?? REPO_ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code: code ?? 1, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }));
    });
    const wallMs = performance.now() - started;
    const [kb, user, system] = (useTime && existsSync(timeFile) ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()! : '').split(' ').map(Number);
    return {
      ...result,
      wallMs,
      peakRssMb: kb !== undefined && Number.isFinite(kb) ? kb / 1024 : undefined,
      cpuMs: user !== undefined && system !== undefined && Number.isFinite(user + system) ? (user + system) * 1000 : undefined,
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 3 : 1)} s`;
}

/** Prints rows as an aligned table (first row is the header). */
export function printTable(title: string, rows: string[][]): void {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) => `| ${row.map((cell, col) => cell.padEnd(widths[col]!)).join(' | ')} |`;
  console.log(`\n${title}`);
  console.log(line(rows[0]!));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const row of rows.slice(1)) console.log(line(row));
}

/** Keeps a benchmark's figures in test-results/bench/NAME.json for closing notes and comparisons. */
export function saveResults(name: string, results: unknown): string {
  const dir = path.join(REPO_ROOT, 'test-results', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  writeFileSync(file, `${JSON.stringify({ at: new Date().toISOString(), cpus: os.cpus().length, node: process.version, results }, null, 2)}\n`);
  return file;
}
