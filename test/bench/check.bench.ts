/**
 * `hangar check` over 1,000 generated DAG files, cold (`--no-cache`) and warm (every file in the cache), against
 * the bare tree-sitter parse of the same files (the floor), ruff (AIR, S rules), bandit and Airflow's own DagBag
 * import, with the targets; the baseline build (baseline.ts) is timed in alternation with this one.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ensureAirflowVenv } from '../support/airflow';
import { CACHE, ensureVenv, REPO_ROOT, venvBin, type VenvSpec } from '../support/venv';
import { baselineBuild } from './baseline';
import { median, measureProcess, printTable, saveResults, seconds, type Bench, type ProcessMeasure } from './bench';
import { benchCorpusFiles, BENCH_CORPUS } from './corpus';

const FILES = 1000;
const REPEATS = 3;
const HANGAR_CLI = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');
const BENCH_VENV: VenvSpec = { name: 'bench-venv', requirements: path.join(__dirname, 'requirements-bench.txt'), label: 'ruff and bandit' };
/** DagBag imports the whole corpus unless HANGAR_BENCH_DAGBAG_SAMPLE=N asks for N files scaled up. */
const DAGBAG_SAMPLE = Number(process.env.HANGAR_BENCH_DAGBAG_SAMPLE ?? FILES);

/** What parseFloor.ts prints. */
interface InsideFigures {
  files: number;
  readMs: number;
  parseMs: number;
  modelMs: number;
  analyzeMs: number;
  queryMs: number;
  cursorMs: number;
  locateMs: number;
  lines: number;
}

interface Figure {
  wallMs: number;
  cpuMs?: number | undefined;
  peakRssMb?: number | undefined;
  note?: string;
}

/** Median wall time of `runs` runs after one warm-up (file cache, the tools' own caches); `last` is the median run. */
async function repeated(runs: number, measure: () => Promise<ProcessMeasure>): Promise<Figure & { last: ProcessMeasure }> {
  const [figure] = await alternated(runs, [measure]);
  return figure!;
}

/** Like repeated, for several commands run in turn (A B A B ...), so that each sees the same load on a busy machine. */
async function alternated(runs: number, measures: readonly (() => Promise<ProcessMeasure>)[]): Promise<(Figure & { last: ProcessMeasure })[]> {
  for (const measure of measures) await measure();
  const all: ProcessMeasure[][] = measures.map(() => []);
  for (let i = 0; i < runs; i++) for (const [k, measure] of measures.entries()) all[k]!.push(await measure());
  return all.map(summarize);
}

function summarize(results: ProcessMeasure[]): Figure & { last: ProcessMeasure } {
  const peaks = results.map((r) => r.peakRssMb).filter((mb): mb is number => mb !== undefined);
  const cpu = results.map((r) => r.cpuMs).filter((ms): ms is number => ms !== undefined);
  return {
    wallMs: median(results.map((r) => r.wallMs)),
    cpuMs: cpu.length ? median(cpu) : undefined,
    peakRssMb: peaks.length ? Math.max(...peaks) : undefined,
    last: [...results].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(results.length / 2)]!,
  };
}

/** Bundles parseFloor.ts the way esbuild.mjs bundles the CLI, with the wasm files beside it. */
async function buildParseFloor(): Promise<string> {
  const out = path.join(CACHE, 'bench-build');
  mkdirSync(path.join(out, 'wasm'), { recursive: true });
  for (const wasm of ['tree-sitter.wasm', 'tree-sitter-python.wasm']) {
    const source = wasm === 'tree-sitter.wasm' ? path.join(path.dirname(require.resolve('web-tree-sitter')), wasm) : require.resolve('tree-sitter-wasms/out/tree-sitter-python.wasm');
    copyFileSync(source, path.join(out, 'wasm', wasm));
  }
  const outfile = path.join(out, 'bench', 'parseFloor.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'parseFloor.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
    alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  });
  return outfile;
}

function hangarCheckAvailable(): boolean {
  if (!existsSync(HANGAR_CLI)) return false;
  try {
    execFileSync(process.execPath, [HANGAR_CLI, 'check', '--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Files with an error-level finding in `hangar check --format json` output (paths as given, relative to the repository). */
function filesWithErrors(json: string): Set<string> | undefined {
  try {
    const report = JSON.parse(json) as { findings?: { path: string; severity: string }[] };
    return new Set((report.findings ?? []).filter((f) => f.severity === 'error').map((f) => path.resolve(REPO_ROOT, f.path)));
  } catch {
    return undefined;
  }
}

function toolVersion(program: string, args: string[]): string {
  try {
    return execFileSync(program, args, { encoding: 'utf8' }).trim().split('\n')[0]!;
  } catch {
    return 'unknown';
  }
}

const bench: Bench = {
  name: 'check',
  description: `hangar check vs tree-sitter parse, ruff, bandit and Airflow DagBag on ${FILES} generated DAG files`,
  async run() {
    const files = benchCorpusFiles(FILES);
    const corpus = path.relative(REPO_ROOT, BENCH_CORPUS);
    console.log(`corpus: ${files.length} files in ${corpus} (deterministic, ~150 lines each)`);

    const parseFloor = await buildParseFloor();
    const parse = await repeated(REPEATS, () => measureProcess(process.execPath, [parseFloor, BENCH_CORPUS]));
    const parseInside = JSON.parse(parse.last.stdout) as InsideFigures;
    console.log(`bare parse: ${parseInside.files} files, ${parseInside.lines} lines, ${parseInside.parseMs.toFixed(0)} ms parsing + ${parseInside.readMs.toFixed(0)} ms reading inside a ${seconds(parse.wallMs)} process`);
    const split = JSON.parse((await measureProcess(process.execPath, [parseFloor, '--analyze', '--probe', BENCH_CORPUS])).stdout) as InsideFigures;
    const overParse = (ms: number) => `${((ms / split.parseMs) * 100).toFixed(0)}%`;
    const rulesMs = split.analyzeMs - split.modelMs;
    console.log(
      `engine in one process: ${split.parseMs.toFixed(0)} ms parsing + ${split.analyzeMs.toFixed(0)} ms analyzeTree = analysis +${overParse(split.analyzeMs)} over parsing ` +
        `(the DAG model ${split.modelMs.toFixed(0)} ms = ${overParse(split.modelMs)}, the rules ${rulesMs.toFixed(0)} ms = ${overParse(rulesMs)})`,
    );
    console.log(
      `reading the trees, against the parse: a Query capturing every call ${overParse(split.queryMs)}, a TreeCursor over every node ${overParse(split.cursorMs)}, ` +
        `locating each call that may create a task and its keyword arguments (what the model does first) ${overParse(split.locateMs)}`,
    );

    let hangar: (Figure & { last: ProcessMeasure }) | undefined;
    let warm: (Figure & { last: ProcessMeasure }) | undefined;
    let old: (Figure & { last: ProcessMeasure }) | undefined;
    const baseline = baselineBuild();
    if (hangarCheckAvailable()) {
      const checked = (cli: string, ...options: string[]) => async () => {
        const run = await measureProcess(process.execPath, [cli, 'check', ...options, '--format', 'json', corpus]);
        if (run.code > 1 || !filesWithErrors(run.stdout)) throw new Error(`hangar check failed (exit ${run.code}): ${run.stderr.slice(0, 2000) || run.stdout.slice(0, 500)}`);
        return run;
      };
      const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'hangar-bench-cache-'));
      try {
        const cold = checked(HANGAR_CLI, '--no-cache');
        const cached = checked(HANGAR_CLI, '--cache-dir', cacheDir);
        const commands = baseline ? [cold, cached, checked(path.join(baseline.dist, 'cli', 'hangar.js'), '--no-cache')] : [cold, cached]; // cold against cold: the baseline has a cache too
        [hangar, warm, old] = await alternated(REPEATS, commands);
        if (warm!.last.stdout !== hangar!.last.stdout) throw new Error('hangar check from the cache reported something else than without it');
      } finally {
        rmSync(cacheDir, { recursive: true, force: true });
      }
      console.log(`hangar check: exit ${hangar!.last.code}, error-level findings in ${filesWithErrors(hangar!.last.stdout)?.size ?? 'n/a (output is not JSON)'} files; the warm run's report is identical`);
      if (old && baseline) console.log(`baseline ${baseline.ref} (${baseline.commit.slice(0, 10)}), in alternation: ${seconds(old.wallMs)} (${seconds(old.cpuMs ?? 0)} CPU); this build ${seconds(hangar!.wallMs)} (${seconds(hangar!.cpuMs ?? 0)} CPU)`);
    } else {
      console.log('hangar check: not available (dist/cli/hangar.js has no check command yet; run `npm run build`)');
    }

    const benchPython = await ensureVenv(BENCH_VENV);
    const ruffBin = venvBin(BENCH_VENV, 'ruff');
    const banditBin = venvBin(BENCH_VENV, 'bandit');
    const versions = { ruff: toolVersion(ruffBin, ['--version']), bandit: toolVersion(banditBin, ['--version']), python: toolVersion(benchPython, ['--version']) };
    const ruff = await repeated(REPEATS, () => measureProcess(ruffBin, ['check', '--select', 'AIR,S', '--no-cache', '--exit-zero', '--quiet', '--output-format', 'concise', corpus]));
    const bandit = await measureProcess(banditBin, ['-r', '-q', '-f', 'json', '-o', path.join(CACHE, 'bench-bandit.json'), corpus]);

    const airflowPython = await ensureAirflowVenv();
    const sample = files.slice(0, Math.min(DAGBAG_SAMPLE, files.length));
    const dagbagRun = await measureProcess(airflowPython, [path.join(REPO_ROOT, 'test', 'support', 'python', 'dagbag_check.py'), ...sample], {
      env: { ...process.env, AIRFLOW_HOME: path.join(CACHE, 'bench-airflow-home'), AIRFLOW__CORE__LOAD_EXAMPLES: 'False' },
    });
    const perFile = dagbagRun.stdout
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { file: string; parse_ms: number; error: string | null; summary: string | null });
    const scale = files.length / sample.length;
    const dagbag: Figure = {
      wallMs: dagbagRun.wallMs * scale,
      cpuMs: dagbagRun.cpuMs === undefined ? undefined : dagbagRun.cpuMs * scale,
      peakRssMb: dagbagRun.peakRssMb,
      note: sample.length < files.length ? `${sample.length}-file sample x${scale.toFixed(1)}` : `all ${files.length} files`,
    };
    const dagbagImportMs = perFile.reduce((sum, r) => sum + r.parse_ms, 0) * scale;
    console.log(`DagBag: ${dagbag.note}; ${perFile.filter((r) => r.error).length} import errors in the sample; ${seconds(dagbagImportMs)} inside DagBag, the rest is starting Python and importing Airflow`);
    const hangarErrors = hangar && filesWithErrors(hangar.last.stdout);
    if (hangarErrors) {
      const rejected = new Set(perFile.filter((r) => r.error).map((r) => r.file));
      const checked = new Set(perFile.map((r) => r.file));
      const agreed = [...rejected].filter((file) => hangarErrors.has(file)).length;
      const extra = [...hangarErrors].filter((file) => checked.has(file) && !rejected.has(file));
      console.log(`agreement on the corpus: DagBag rejects ${rejected.size} files, hangar check reports errors on ${agreed} of them and on ${extra.length} files DagBag imports`);
      const silent = perFile.filter((r) => r.error && !hangarErrors.has(r.file));
      for (const r of silent.slice(0, 10)) console.log(`  DagBag rejects, hangar silent: ${path.basename(r.file)}: ${r.summary}`);
      for (const file of extra.slice(0, 10)) console.log(`  hangar error, DagBag imports: ${path.basename(file)}`);
    }
    console.log(`tools: ${versions.ruff}, ${versions.bandit.split(' ').slice(0, 2).join(' ')}, ${versions.python}; Apache Airflow from test/support/python/requirements-airflow.txt`);

    const h = hangar?.wallMs;
    const ratio = (value: number | undefined) => (value === undefined ? 'n/a' : `${value.toFixed(2)}x`);
    const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a' : ok ? 'met' : 'MISSED');
    const overhead = h === undefined ? undefined : (h - parse.wallMs) / parse.wallMs;
    const cpu = (figure: Figure | undefined) => (figure?.cpuMs === undefined ? 'n/a' : seconds(figure.cpuMs));
    const w = warm?.wallMs;
    const rows = [
      ['measure', 'wall', 'CPU', 'ratio (wall)', 'target', 'verdict'],
      ['hangar check --no-cache (cold, median of 3)', h === undefined ? 'n/a' : seconds(h), cpu(hangar), '', '<= 1.5 s', verdict(h === undefined ? undefined : h <= 1500)],
      ['hangar check, every file cached (warm)', w === undefined ? 'n/a' : seconds(w), cpu(warm), w === undefined || h === undefined ? 'n/a' : `${((w / h) * 100).toFixed(1)}% of cold`, '<= 10%', verdict(w === undefined || h === undefined ? undefined : w / h <= 0.1)],
      ...(old && baseline ? [[`baseline ${baseline.ref} hangar check (alternated)`, seconds(old.wallMs), cpu(old), h === undefined ? 'n/a' : `this build ${ratio(h / old.wallMs)}`, '', '']] : []),
      ['bare tree-sitter parse (process)', seconds(parse.wallMs), cpu(parse), overhead === undefined ? 'n/a' : `+${(overhead * 100).toFixed(0)}% analysis`, '<= +30%', verdict(overhead === undefined ? undefined : overhead <= 0.3)],
      // The same question without the worker threads: analysis CPU over parse CPU in one thread.
      ['analyzeTree in one thread (in process)', seconds(split.analyzeMs), '', `+${overParse(split.analyzeMs)} over ${seconds(split.parseMs)} parse`, '<= +60%', verdict(split.analyzeMs / split.parseMs <= 0.6)],
      ['ruff check --select AIR,S (no cache)', seconds(ruff.wallMs), cpu(ruff), h === undefined ? 'n/a' : `hangar/ruff ${ratio(h / ruff.wallMs)}`, '<= 3x', verdict(h === undefined ? undefined : h / ruff.wallMs <= 3)],
      ['bandit -r -q', seconds(bandit.wallMs), cpu(bandit), h === undefined ? 'n/a' : `bandit/hangar ${ratio(bandit.wallMs / h)}`, '>= 10x', verdict(h === undefined ? undefined : bandit.wallMs / h >= 10)],
      [`Airflow DagBag import (${dagbag.note})`, seconds(dagbag.wallMs), cpu(dagbag), h === undefined ? 'n/a' : `DagBag/hangar ${ratio(dagbag.wallMs / h)}`, '>= 50x', verdict(h === undefined ? undefined : dagbag.wallMs / h >= 50)],
      ['hangar check peak RSS', hangar?.peakRssMb === undefined ? 'n/a' : `${hangar.peakRssMb.toFixed(0)} MB`, '', '', '<= 300 MB', verdict(hangar?.peakRssMb === undefined ? undefined : hangar.peakRssMb <= 300)],
    ];
    printTable(`hangar check benchmark (${files.length} files, ${parseInside.lines} lines)`, rows);
    console.log(
      `upper bound with this parser: the bare parse alone is ${ratio(bandit.wallMs / parse.wallMs)} faster than bandit, ` +
        `${ratio(dagbag.wallMs / parse.wallMs)} faster than DagBag and ${ratio(parse.wallMs / ruff.wallMs)} the time of ruff (wall)`,
    );
    const saved = saveResults('check', {
      files: files.length,
      lines: parseInside.lines,
      hangarCheck: hangar && { wallMs: hangar.wallMs, cpuMs: hangar.cpuMs, peakRssMb: hangar.peakRssMb, exitCode: hangar.last.code },
      hangarCheckWarm: warm && { wallMs: warm.wallMs, cpuMs: warm.cpuMs, peakRssMb: warm.peakRssMb },
      baseline: old && baseline && { ref: baseline.ref, commit: baseline.commit, wallMs: old.wallMs, cpuMs: old.cpuMs, peakRssMb: old.peakRssMb },
      parseFloor: { wallMs: parse.wallMs, cpuMs: parse.cpuMs, parseMs: parseInside.parseMs, readMs: parseInside.readMs, peakRssMb: parse.peakRssMb },
      inProcess: { parseMs: split.parseMs, modelMs: split.modelMs, analyzeMs: split.analyzeMs, queryMs: split.queryMs, cursorMs: split.cursorMs, locateMs: split.locateMs },
      ruff: { wallMs: ruff.wallMs, cpuMs: ruff.cpuMs, version: versions.ruff },
      bandit: { wallMs: bandit.wallMs, cpuMs: bandit.cpuMs, version: versions.bandit },
      dagbag: { ...dagbag, importMs: dagbagImportMs, sample: sample.length },
    });
    console.log(`figures saved to ${path.relative(REPO_ROOT, saved)}`);
  },
};

export default bench;
