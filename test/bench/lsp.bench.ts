/**
 * Language-server benchmark: the real built server (dist/server/server.js) driven over stdio by an LSP
 * client, as an editor would.
 *  - didChange -> publishDiagnostics latency for one-character edits in 1,000-line and 10,000-line DAG files of
 *    both shapes of shapes.ts (sparse and dense), with incremental re-parsing on and off (HANGAR_INCREMENTAL=0);
 *  - the re-parse alone (in process), incremental and full, to show what incremental parsing saves;
 *  - server RSS once 1,000 DAG files of a workspace are indexed by the background analysis.
 * `npm run bench -- lsp`.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createPythonParser } from '../../server/src/analysis/parser';
import { DocumentStore } from '../../server/src/lsp/documentStore';
import { fileUri, LspClient, now, snapshotServer } from '../integration/lsp/lspClient';
import { printTable, saveResults, seconds, type Bench } from './bench';
import { benchCorpusFiles } from './corpus';
import { generatedDag, type DagShape } from './shapes';

export interface LatencyResult {
  lines: number;
  shape: DagShape;
  incremental: boolean;
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

/**
 * didChange -> publishDiagnostics, with incremental re-parsing on and off measured in alternation
 * (two servers, one edit each in turn), so both see the same load on a shared machine.
 */
export async function measureLatency(server: string, lines: number, shape: DagShape, samples = 300): Promise<LatencyResult[]> {
  const modes = [true, false];
  const clients = await Promise.all(modes.map((on) => LspClient.start({ server, env: { HANGAR_INCREMENTAL: on ? '1' : '0' } })));
  try {
    const text = generatedDag(lines, shape);
    const uri = fileUri(path.join(os.tmpdir(), `bench-${shape}-${lines}.py`));
    const at = editPoint(text, lines);
    for (const client of clients) {
      await client.open(uri, text, 1);
      await client.diagnostics(uri, (p) => p.version === 1, 60_000);
    }
    const times: number[][] = modes.map(() => []);
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
    return modes.map((incremental, index) => {
      const sorted = times[index]!.sort((a, b) => a - b);
      return { lines, shape, incremental, samples: sorted.length, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1)!) };
    });
  } finally {
    await Promise.all(clients.map((client) => client.stop()));
  }
}

export interface ParseResult {
  lines: number;
  incremental: boolean;
  p50: number;
  p99: number;
}

/** The re-parse alone, in this process, incremental and full in alternation: what incremental parsing saves. */
export async function measureParse(lines: number, samples = 200): Promise<ParseResult[]> {
  const parser = await createPythonParser();
  const modes = [true, false];
  const stores = modes.map((on) => new DocumentStore(parser, on));
  const text = generatedDag(lines);
  const at = editPoint(text, lines);
  const docs = stores.map((store) => store.open('file:///bench.py', text, 1));
  stores.forEach((store, index) => store.tree(docs[index]!));
  const times: number[][] = modes.map(() => []);
  for (let version = 2; version < samples + WARM_UP + 2; version++) {
    for (const [index, store] of stores.entries()) {
      const started = now();
      store.change('file:///bench.py', [oneCharacterEdit(at, version)], version);
      store.tree(docs[index]!);
      if (version >= WARM_UP + 2) times[index]!.push(now() - started);
    }
  }
  stores.forEach((store) => store.dispose());
  return modes.map((incremental, index) => {
    const sorted = times[index]!.sort((a, b) => a - b);
    return { lines, incremental, p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)) };
  });
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
  description: 'language server over stdio: didChange->publishDiagnostics latency (incremental re-parsing on/off), RSS with 1,000 DAG files indexed',
  async run() {
    const server = snapshotServer();
    const latency: LatencyResult[] = [];
    for (const shape of ['sparse', 'dense'] as const) for (const lines of [1000, 10000]) latency.push(...(await measureLatency(server, lines, shape)));
    printTable('didChange -> publishDiagnostics, one-character edits (targets: 1,000 lines p50 <= 5 ms, p99 <= 20 ms; 10,000 lines p99 <= 60 ms)', [
      ['file', 'incremental re-parse', 'edits', 'p50 ms', 'p99 ms', 'max ms'],
      ...latency.map((r) => [`${r.lines} lines, ${r.shape}`, r.incremental ? 'on' : 'off', String(r.samples), String(r.p50), String(r.p99), String(r.max)]),
    ]);
    const parse: ParseResult[] = [];
    for (const lines of [1000, 10000]) parse.push(...(await measureParse(lines)));
    printTable('re-parse after a one-character edit, in process (text update + tree-sitter parse)', [
      ['file', 'incremental re-parse', 'p50 ms', 'p99 ms'],
      ...parse.map((r) => [`${r.lines} lines`, r.incremental ? 'on' : 'off', String(r.p50), String(r.p99)]),
    ]);
    const memory = await measureMemory(server);
    rmSync(path.dirname(path.dirname(server)), { recursive: true, force: true });
    printTable('server memory (target <= 250 MB)', [
      ['DAG files', 'indexed', 'RSS MB', 'index time'],
      [String(memory.files), String(memory.indexed), String(memory.rssMb), seconds(memory.indexMs)],
    ]);
    console.log(`results: ${saveResults('lsp', { latency, parse, memory })}`);
  },
};

export default bench;
