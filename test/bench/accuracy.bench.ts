/**
 * `npm run bench -- accuracy`: Hangar on real DAG files nobody here wrote (realDags.ts), against Airflow 3.3's DagBag
 * as ground truth, beside ruff `--select AIR,S` and the baseline build (HANGAR_BENCH_BASELINE, default main):
 *  - recall: of the files Airflow rejects for a reason of its own (an Airflow 2 or removed API, a syntax or argument
 *    error: not a third-party module or a provider package the ground-truth environment lacks), how many get an
 *    error-level finding;
 *  - same statement: of those with a line in Airflow's traceback, how many get it on that statement;
 *  - false errors: files Airflow imports with an error-level finding anyway.
 * It downloads packages, so it is a benchmark to re-run by hand, never part of `npm test`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '../../server/src/analysis/findings';
import { createPythonParser } from '../../server/src/analysis/parser';
import { acceptedLines, findingOnLines } from '../support/accuracy';
import { dagbagImport, ensureAirflowVenv, type DagBagResult } from '../support/airflow';
import { ensureVenv, REPO_ROOT, venvBin, type VenvSpec } from '../support/venv';
import { baselineBuild } from './baseline';
import { measureProcess, printTable, saveResults, type Bench } from './bench';
import { REAL_CORPUS, realDagCorpus } from './realDags';

const BENCH_VENV: VenvSpec = { name: 'bench-venv', requirements: path.join(__dirname, 'requirements-bench.txt'), label: 'ruff and bandit' };
const HANGAR_CLI = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');
/** ruff's codes for an Airflow 2 API that Airflow 3 removed (AIR311/AIR312 are suggestions that still import). */
const RUFF_REMOVALS = /^AIR30[1-3]$/;

interface Flag {
  readonly line: number;
  readonly endLine: number;
  readonly rule: string;
}

/** Why Airflow rejects a file, when the reason is the environment rather than the file (a package it lacks). */
function environmentReason(result: DagBagResult, installed: ReadonlySet<string>): string | undefined {
  const summary = result.summary ?? '';
  const missing = /No module named '([\w.]+)'/.exec(summary)?.[1] ?? /cannot import name '\w+' from '([\w.]+)' \(unknown location\)/.exec(summary)?.[1];
  if (!missing) return undefined;
  if (!missing.startsWith('airflow')) return 'a third-party module';
  const provider = /^airflow\.providers\.([\w]+)/.exec(missing)?.[1];
  if (provider && !installed.has(provider)) return 'a provider package the environment lacks';
  return undefined;
}

/** The noisy warnings of issue 20, counted per build. */
const WATCHED_WARNINGS = ['HGR202', 'HGR206', 'HGR209', 'HGR305', 'HGR315'];

async function hangarFlags(cli: string, files: readonly string[], warnings: Record<string, number> = {}): Promise<Map<string, Flag[]>> {
  const run = await measureProcess(process.execPath, [cli, 'check', '--format', 'json', '--no-cache', REAL_CORPUS], { cwd: REAL_CORPUS });
  if (run.code > 1) throw new Error(`hangar check failed (exit ${run.code}): ${run.stderr.slice(0, 2000)}`);
  const report = JSON.parse(run.stdout) as { findings: { path: string; ruleId: string; severity: string; line: number; endLine: number }[] };
  const flags = new Map<string, Flag[]>(files.map((file) => [file, []]));
  for (const f of report.findings) {
    if (WATCHED_WARNINGS.includes(f.ruleId)) warnings[f.ruleId] = (warnings[f.ruleId] ?? 0) + 1;
    if (f.severity !== 'error') continue;
    flags.get(path.resolve(REAL_CORPUS, f.path))?.push({ line: f.line, endLine: f.endLine, rule: f.ruleId });
  }
  return flags;
}

async function ruffFlags(files: readonly string[]): Promise<Map<string, Flag[]>> {
  await ensureVenv(BENCH_VENV);
  const run = await measureProcess(venvBin(BENCH_VENV, 'ruff'), ['check', '--select', 'AIR,S', '--no-cache', '--exit-zero', '--output-format', 'json', REAL_CORPUS]);
  const report = JSON.parse(run.stdout) as { filename: string; code: string | null; location: { row: number }; end_location: { row: number } }[];
  const flags = new Map<string, Flag[]>(files.map((file) => [file, []]));
  for (const f of report) if (f.code && RUFF_REMOVALS.test(f.code)) flags.get(path.resolve(f.filename))?.push({ line: f.location.row, endLine: f.end_location.row, rule: f.code });
  return flags;
}

interface Score {
  readonly tool: string;
  readonly recall: string;
  readonly sameStatement: string;
  readonly falseErrors: string;
  readonly falseErrorRules: Record<string, number>;
  readonly falseErrorFiles: string[];
  readonly missed: string[];
  readonly offStatement: string[];
}

let parser: ReturnType<typeof createPythonParser> | undefined;

/**
 * The lines of the statement Airflow names: every line of the outermost statement starting on Airflow's line (an
 * import over several lines, a call), as well as the lines the accuracy test accepts.
 */
async function statementLines(source: string, line: number): Promise<{ first: number; last: number }> {
  const accepted = await acceptedLines(source, line);
  parser ??= createPythonParser();
  const tree = (await parser).parse(source);
  let last = accepted.last;
  for (let node = tree?.rootNode.descendantForPosition({ row: line - 1, column: source.split('\n')[line - 1]!.search(/\S|$/) }); node; node = node.parent) {
    if (node.startPosition.row !== line - 1) break;
    last = Math.max(last, node.endPosition.row + 1);
  }
  tree?.delete();
  return { first: accepted.first, last };
}

async function score(tool: string, flags: Map<string, Flag[]>, rejected: readonly DagBagResult[], accepted: readonly DagBagResult[]): Promise<Score> {
  let caught = 0;
  let withLine = 0;
  let onLine = 0;
  const missed: string[] = [];
  const offStatement: string[] = [];
  for (const result of rejected) {
    const found = flags.get(result.file) ?? [];
    if (found.length > 0) caught++;
    else missed.push(`${path.relative(REAL_CORPUS, result.file)}: ${result.summary}`);
    if (result.line === null) continue;
    withLine++;
    const lines = await statementLines(readFileSync(result.file, 'utf8'), result.line);
    const asFinding = (flag: Flag) => ({ range: { start: { line: flag.line - 1, character: 0 }, end: { line: flag.endLine - 1, character: 0 } } }) as Finding;
    if (found.some((flag) => findingOnLines(asFinding(flag), lines))) onLine++;
    else if (found.length > 0) offStatement.push(`${path.relative(REAL_CORPUS, result.file)}: Airflow line ${result.line} (${result.summary}), flagged ${found.map((flag) => `${flag.rule} line ${flag.line}`).join(', ')}`);
  }
  const falseErrorRules: Record<string, number> = {};
  const falseErrorFiles: string[] = [];
  for (const result of accepted) {
    const found = flags.get(result.file) ?? [];
    if (found.length === 0) continue;
    falseErrorFiles.push(`${path.relative(REAL_CORPUS, result.file)}: ${found.map((flag) => `${flag.rule} line ${flag.line}`).join(', ')}`);
    for (const rule of new Set(found.map((flag) => flag.rule))) falseErrorRules[rule] = (falseErrorRules[rule] ?? 0) + 1;
  }
  const pct = (n: number, of: number) => `${n}/${of} (${of ? Math.round((n / of) * 100) : 0} %)`;
  return { tool, recall: pct(caught, rejected.length), sameStatement: pct(onLine, withLine), falseErrors: `${falseErrorFiles.length}/${accepted.length}`, falseErrorRules, falseErrorFiles, missed, offStatement };
}

const bench: Bench = {
  name: 'accuracy',
  description: 'hangar check on real DAG files (example DAGs shipped in Airflow 2.11, 1.10 and older provider packages) against Airflow 3.3 DagBag, beside ruff and the baseline build',
  async run() {
    const { files, packages } = realDagCorpus();
    console.log(`corpus: ${files.length} DAG files in ${path.relative(REPO_ROOT, REAL_CORPUS)} from ${packages.length} packages: ${packages.join(', ')}`);
    const python = await ensureAirflowVenv();
    const installed = new Set((await measureProcess(python, ['-c', 'import pkgutil, airflow.providers as p; print(" ".join(m.name for m in pkgutil.iter_modules(p.__path__)))'])).stdout.trim().split(/\s+/));
    const results = await dagbagImport(python, files);
    const accepted = results.filter((r) => r.error === null);
    const environment = results.filter((r) => r.error !== null && environmentReason(r, installed));
    const rejected = results.filter((r) => r.error !== null && !environmentReason(r, installed));
    console.log(`Airflow 3.3 DagBag: imports ${accepted.length}, rejects ${results.length - accepted.length}: ${rejected.length} for a reason of the file, ${environment.length} for a package the environment lacks (not scored)`);

    const warnings: Record<string, Record<string, number>> = { 'this build': {} };
    const scores: Score[] = [await score('hangar (this build)', await hangarFlags(HANGAR_CLI, files, warnings['this build']), rejected, accepted)];
    const baseline = baselineBuild();
    if (baseline) {
      const name = `hangar ${baseline.ref} (${baseline.commit.slice(0, 10)})`;
      warnings[baseline.ref] = {};
      scores.push(await score(name, await hangarFlags(path.join(baseline.dist, 'cli', 'hangar.js'), files, warnings[baseline.ref]), rejected, accepted));
    }
    scores.push(await score('ruff --select AIR,S (AIR301-303)', await ruffFlags(files), rejected, accepted));

    printTable(`accuracy on ${files.length} real DAG files (ground truth: Airflow 3.3 DagBag)`, [
      ['tool', 'recall (files Airflow rejects, flagged)', 'same statement', 'false errors (files Airflow imports)', 'false errors by rule'],
      ...scores.map((s) => [s.tool, s.recall, s.sameStatement, s.falseErrors, Object.entries(s.falseErrorRules).map(([rule, n]) => `${rule} ${n}`).join(', ') || '-']),
    ]);
    printTable('findings of the rules issue 20 found noisy, on the whole corpus', [
      ['build', ...WATCHED_WARNINGS],
      ...Object.entries(warnings).map(([build, counts]) => [build, ...WATCHED_WARNINGS.map((rule) => String(counts[rule] ?? 0))]),
    ]);
    for (const s of scores.slice(0, 1)) {
      if (s.missed.length) console.log(`\n${s.tool} misses (${s.missed.length}):\n${s.missed.map((m) => `  - ${m}`).join('\n')}`);
      if (s.offStatement.length) console.log(`\n${s.tool} flagged elsewhere than the statement Airflow names (${s.offStatement.length}):\n${s.offStatement.map((m) => `  - ${m}`).join('\n')}`);
      if (s.falseErrorFiles.length) console.log(`\n${s.tool} false errors (${s.falseErrorFiles.length}):\n${s.falseErrorFiles.map((m) => `  - ${m}`).join('\n')}`);
    }
    console.log(`\nsaved ${path.relative(REPO_ROOT, saveResults('accuracy', { files: files.length, packages, accepted: accepted.length, rejected: rejected.length, environment: environment.length, scores, warnings }))}`);
  },
};

export default bench;
