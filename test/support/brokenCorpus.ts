/**
 * The broken-DAG corpus (test/fixtures/broken) and its manifest: what Airflow's own DagBag says about
 * each file. `node --import tsx test/support/brokenCorpus.ts` re-generates the manifest from the real
 * DagBag; test/integration/broken-corpus.test.ts checks that it still matches.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dagbagImport, ensureAirflowVenv, type DagBagResult } from './airflow';

export const BROKEN_DIR = path.join(__dirname, '..', 'fixtures', 'broken');
export const CLEAN_DIR = path.join(__dirname, '..', 'fixtures', 'clean');
export const MANIFEST = path.join(BROKEN_DIR, 'manifest.json');

export interface BrokenEntry {
  /** The first line of the file's docstring: the one problem it has. */
  problem: string;
  /** Airflow's exception class name. */
  exception: string;
  /** Airflow's "Name: message" line, with absolute paths shortened to file names. */
  summary: string;
  /** The line Airflow's traceback points at in the file, null when Airflow gives none (cycles, timetables). */
  line: number | null;
}

export interface BrokenManifest {
  airflowVersion: string;
  files: Record<string, BrokenEntry>;
}

export function pythonFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.py'))
    .sort()
    .map((name) => path.join(dir, name));
}

export function readManifest(): BrokenManifest {
  return JSON.parse(readFileSync(MANIFEST, 'utf8')) as BrokenManifest;
}

function docstringProblem(file: string): string {
  const match = /^"""(.*?)(?:"""|$)/m.exec(readFileSync(file, 'utf8'));
  return match?.[1]?.trim() ?? '';
}

function shortenPaths(text: string): string {
  return text.replace(/\/[^\s'"()]+\/([^\s'"()/]+)/g, '$1');
}

/** What the manifest should say, from Airflow's own results for the corpus. */
export function manifestFrom(airflowVersion: string, results: DagBagResult[]): BrokenManifest {
  const files: Record<string, BrokenEntry> = {};
  for (const result of results) {
    if (!result.error || !result.exception || !result.summary) continue; // imported cleanly: not part of the corpus
    files[path.basename(result.file)] = {
      problem: docstringProblem(result.file),
      exception: result.exception,
      summary: shortenPaths(result.summary).slice(0, 240),
      line: result.line,
    };
  }
  return { airflowVersion, files };
}

async function main(): Promise<void> {
  const python = await ensureAirflowVenv();
  const results = await dagbagImport(python, BROKEN_DIR);
  const accepted = results.filter((r) => !r.error).map((r) => path.basename(r.file));
  if (accepted.length) {
    process.stderr.write(`Airflow imports these files cleanly; remove them from the broken corpus: ${accepted.join(', ')}\n`);
    process.exitCode = 1;
  }
  const { execFileSync } = await import('node:child_process');
  const version = execFileSync(python, ['-c', 'import airflow; print(airflow.__version__)'], { encoding: 'utf8' }).trim();
  const manifest = manifestFrom(version, results);
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
  process.stdout.write(`wrote ${path.relative(process.cwd(), MANIFEST)}: ${Object.keys(manifest.files).length} files rejected by Airflow ${version}\n`);
}

if (require.main === module) void main();
