/**
 * Language-server benchmark: the real built server (dist/server/server.js) driven over stdio by an LSP
 * client, as an editor would.
 *  - didChange -> publishDiagnostics latency for one-character edits in 1,000-line and 10,000-line DAG files of
 *    both shapes of shapes.ts (sparse and dense), this build and the baseline build (baseline.ts) in alternation;
 *  - in process, per edit: the re-parse alone, incremental and full, and the analysis of the new tree (the floor
 *    under the latency: what an edit costs before any messaging);
 *  - server RSS once 1,000 DAG files of a workspace are indexed by the background analysis.
 * `npm run bench -- lsp`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { analyzeTree } from '../../server/src/analysis/engine';
import { createPythonParser } from '../../server/src/analysis/parser';
import { DocumentStore } from '../../server/src/lsp/documentStore';
import { fileUri, LspClient, now, snapshotServer } from '../integration/lsp/lspClient';
import { baselineBuild } from './baseline';
import { printTable, saveResults, seconds, type Bench } from './bench';
import { benchCorpusFiles } from './corpus';
import { generatedDag, type DagShape } from './shapes';

export interface LatencyResult {
  lines: number;
  shape: DagShape;
  build: string;
  samples: number;
  p50: number;
  p99: number;
  max: number;
}

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

const round = (n: number): number => Math.round(n * 100) / 100;

/** Where the benchmark edits: inside the bash_command string of a task in the middle of the file, so the file stays valid. */
function editPoint(text: string, lines: number): { line: number; character: number } {
  const all = text.split('\n');
  const line = all.findIndex((l, n) => n > lines / 2 && l.includes('bash_command'));
  return { line, character: all[line]!.indexOf('echo') + 4 };
}

/** Insert one character, then delete it, alternately. */
function oneCharacterEdit(at: { line: number; character: number }, version: number) {
  const insert = version % 2 === 0;
  return { range: { start: at, end: insert ? at : { line: at.line, character: at.character + 1 } }, text: insert ? 'x' : '' };
}

const WARM_UP = 30;

/** A server build to time: its label and its server.js. */
export interface ServerBuild {
  readonly label: string;
  readonly server: string;
}

/**
 * didChange -> publishDiagnostics for each build, measured in alternation (one server per build, one edit each in
 * turn), so all see the same load on a shared machine.
 */
export async function measureLatency(builds: readonly ServerBuild[], lines: number, shape: DagShape, samples = 300): Promise<LatencyResult[]> {
  const clients = await Promise.all(builds.map(({ server }) => LspClient.start({ server })));
  try {
    const text = generatedDag(lines, shape);
    const uri = fileUri(path.join(os.tmpdir(), `bench-${shape}-${lines}.py`));
    const at = editPoint(text, lines);
    for (const client of clients) {
      await client.open(uri, text, 1);
      await client.diagnostics(uri, (p) => p.version === 1, 60_000);
    }
    const times: number[][] = builds.map(() => []);
    for (let version = 2; version < samples + WARM_UP + 2; version++) {
      for (const [index, client] of clients.entries()) {
        const published = client.nextDiagnostics(uri, (p) => p.version === version, 30_000);
        const sentAt = now();
        await client.change(uri, version, [oneCharacterEdit(at, version)]);
        const { at: receivedAt, diagnostics } = await published;
        if (diagnostics.some((d) => d.code === 'HGR001')) throw new Error('the benchmark edit made the file invalid');
        if (version >= WARM_UP + 2) times[index]!.push(receivedAt - sentAt);
      }
    }
    return builds.map(({ label }, index) => {
      const sorted = times[index]!.sort((a, b) => a - b);
      return { lines, shape, build: label, samples: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1)!) };
    });
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
}

export interface EditCost {
  lines: number;
  shape: DagShape;
  /** Text update + incremental re-parse, text update + full parse, analysis of the new tree (model and rules). */
  incremental: { p50: number; p99: number };
  full: { p50: number; p99: number };
  analysis: { p50: number; p99: number };
}

/**
 * What one edit costs in this process, before any messaging: the re-parse, incremental and full in alternation (what
 * incremental parsing saves), and the analysis of the re-parsed tree.
 */
export async function measureEditCost(lines: number, shape: DagShape, samples = 200): Promise<EditCost> {
  const parser = await createPythonParser();
  const stores = [new DocumentStore(parser, true), new DocumentStore(parser, false)];
  const text = generatedDag(lines, shape);
  const at = editPoint(text, lines);
  const docs = stores.map((store) => store.open('file:///bench.py', text, 1));
  stores.forEach((store, index) => store.tree(docs[index]!));
  const times: number[][] = [[], [], []];
  for (let version = 2; version < samples + WARM_UP + 2; version++) {
    for (const [index, store] of stores.entries()) {
      const started = now();
      store.change('file:///bench.py', [oneCharacterEdit(at, version)], version);
      const tree = store.tree(docs[index]!)!;
      const parsed = now();
      if (index === 0) analyzeTree({ path: 'bench.py', source: docs[index]!.document.getText(), tree });
      if (version < WARM_UP + 2) continue;
      times[index]!.push(parsed - started);
      if (index === 0) times[2]!.push(now() - parsed);
    }
  }
  stores.forEach((store) => store.dispose());
  const figures = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    return { p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
  };
  return { lines, shape, incremental: figures(times[0]!), full: figures(times[1]!), analysis: figures(times[2]!) };
}

export interface MemoryResult {
  files: number;
  indexed: number;
  rssMb: number;
  indexMs: number;
}

/** RSS once the background analysis has published diagnostics for every file of a workspace holding the bench corpus in dags/. */
export async function measureMemory(server: string, files = 1000): Promise<MemoryResult> {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hangar-bench-'));
  try {
    const dags = path.join(root, 'dags');
    mkdirSync(dags);
    for (const file of benchCorpusFiles(files)) copyFileSync(file, path.join(dags, path.basename(file)));
    const startedAt = now();
    const client = await LspClient.start({ server, root, settings: () => ({ analysis: { backgroundCap: files } }) });
    try {
      const seen = new Set<string>();
      const deadline = Date.now() + 180_000;
      while (seen.size < files && Date.now() < deadline) {
        for (const p of client.published) seen.add(p.uri);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const indexMs = Math.round(now() - startedAt);
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return { files, indexed: seen.size, rssMb: Math.round(client.rssMb()), indexMs };
    } finally {
      await client.stop();
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

const bench: Bench = {
  name: 'lsp',
  description: 'language server over stdio: didChange->publishDiagnostics latency on sparse and dense DAG files (this build and the baseline in alternation), the cost of one edit in process, RSS with 1,000 DAG files indexed',
  async run() {
    const server = snapshotServer();
    const baseline = baselineBuild();
    const builds: ServerBuild[] = [{ label: 'this build', server }, ...(baseline ? [{ label: `baseline ${baseline.ref}`, server: path.join(baseline.dist, 'server', 'server.js') }] : [])];
    const latency: LatencyResult[] = [];
    for (const shape of ['sparse', 'dense'] as const) {
      for (const lines of [1000, 10000]) latency.push(...(await measureLatency(builds, lines, shape, lines > 5000 ? 100 : 300)));
    }
    printTable('didChange -> publishDiagnostics, one-character edits (targets: 1,000 lines p50 <= 5 ms; 10,000 lines p99 <= 60 ms; both shapes)', [
      ['file', 'build', 'edits', 'p50 ms', 'p99 ms', 'max ms'],
      ...latency.map((r) => [`${r.lines} lines, ${r.shape}`, r.build, String(r.samples), String(r.p50), String(r.p99), String(r.max)]),
    ]);
    const edits: EditCost[] = [];
    for (const shape of ['sparse', 'dense'] as const) for (const lines of [1000, 10000]) edits.push(await measureEditCost(lines, shape, lines > 5000 ? 60 : 200));
    printTable('one edit in process, before any messaging (p50 / p99 ms): text update + re-parse, and the analysis of the new tree', [
      ['file', 'incremental re-parse', 'full re-parse', 'analysis (model + rules)'],
      ...edits.map((r) => [`${r.lines} lines, ${r.shape}`, `${r.incremental.p50} / ${r.incremental.p99}`, `${r.full.p50} / ${r.full.p99}`, `${r.analysis.p50} / ${r.analysis.p99}`]),
    ]);
    const memory = await measureMemory(server);
    rmSync(path.dirname(path.dirname(server)), { recursive: true, force: true });
    printTable('server memory (target <= 250 MB)', [
      ['DAG files', 'indexed', 'RSS MB', 'index time'],
      [String(memory.files), String(memory.indexed), String(memory.rssMb), seconds(memory.indexMs)],
    ]);
    console.log(`results: ${saveResults('lsp', { latency, edits, memory })}`);
  },
};

export default bench;
