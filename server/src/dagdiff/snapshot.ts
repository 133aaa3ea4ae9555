import { DEFAULT_CONFIG, type HangarConfig } from '../analysis/config';
import { analyzeTree } from '../analysis/engine';
import { decodeSource } from '../analysis/input';
import { createPythonParser, type Parser } from '../analysis/parser';
import { snapshotModel } from './extract';
import { compare } from './order';
import { digestOf, SourceText } from './sourceText';
import type { DagSnapshot, FileSnapshot, TreeSnapshot } from './types';

/** Only the model is needed: every rule is switched off. */
const MODEL_ONLY: HangarConfig = { ...DEFAULT_CONFIG, ignore: ['ALL'] };

/** One Python file's DAGs (without their path, so equal contents share one analysis) and its file snapshot fields. */
export interface PythonFileAnalysis {
  readonly dags: readonly Omit<DagSnapshot, 'file'>[];
  readonly file: Omit<FileSnapshot, 'path'>;
}

let parserReady: Promise<Parser> | undefined;

/** Builds the DAG model of one Python file and reads it into snapshots. */
export async function analyzePythonFile(path: string, text: string): Promise<PythonFileAnalysis> {
  const decoded = decodeSource(Buffer.from(text, 'utf8'));
  if ('finding' in decoded) return { dags: [], file: { digest: digestOf(text), problem: decoded.finding.message } };
  parserReady ??= createPythonParser();
  const tree = (await parserReady).parse(decoded.source);
  if (!tree) return { dags: [], file: { digest: digestOf(text), problem: 'Hangar could not parse it' } };
  try {
    const { model } = analyzeTree({ path, source: decoded.source, tree, config: MODEL_ONLY });
    const source = new SourceText(tree.rootNode);
    const { dags, residual, names } = snapshotModel(model, tree.rootNode, source);
    const problem = tree.rootNode.hasError ? { problem: 'it has syntax errors, so its DAGs may be incomplete' } : {};
    return { dags, file: { digest: digestOf(source.text(tree.rootNode)), residual, names, ...problem } };
  } finally {
    tree.delete();
  }
}

/** A file of a DAG folder: Python files come with their analysis, other files with their git blob id. */
export type FolderEntry = { readonly path: string; readonly python: PythonFileAnalysis } | { readonly path: string; readonly blob: string };

export function isPythonFile(path: string): boolean {
  return path.endsWith('.py');
}

/** Puts the entries of a folder together, in a stable order. */
export function treeSnapshot(entries: readonly FolderEntry[]): TreeSnapshot {
  const sorted = [...entries].sort((a, b) => compare(a.path, b.path));
  return {
    dags: sorted.flatMap((e) => ('python' in e ? e.python.dags.map((d) => ({ ...d, file: e.path })) : [])),
    files: sorted.map((e) => ('python' in e ? { path: e.path, ...e.python.file } : { path: e.path, digest: e.blob })),
  };
}

/** The snapshot of a folder with nothing in it (the "before" of a first deploy). */
export const EMPTY_SNAPSHOT: TreeSnapshot = { dags: [], files: [] };
