/**
 * The floor for `hangar check`: a Node process that only reads and parses every *.py file of a folder
 * with the same tree-sitter parser. check.bench.ts bundles it like the CLI and times it.
 *  --analyze  also runs the engine on each tree, timing the DAG model (buildModel) and the whole analysis
 *             (analyzeTree: the model and the rules) separately: the engine's cost split into parse, model, rules.
 *  --probe    also times ways of reading a tree, against the parse: every call captured by a tree-sitter Query, a
 *             TreeCursor walk over every node, and what the model does, locating each call that may create a task
 *             and its keyword arguments from the text (callHeads + callStartingAt + keywordArguments).
 * Prints {"files", "readMs", "parseMs", "modelMs", "analyzeMs", "queryMs", "cursorMs", "locateMs", "lines"} as JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Query } from 'web-tree-sitter';
import { analyzeTree } from '../../server/src/analysis/engine';
import { buildModel } from '../../server/src/analysis/model/build';
import { callHeads } from '../../server/src/analysis/model/callHeads';
import { callStartingAt, keywordArguments } from '../../server/src/analysis/model/syntax';
import { createPythonParser, loadPython, type Tree } from '../../server/src/analysis/parser';
import { visitNodes } from './treeNodes';

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

function cursorWalk(tree: Tree): number {
  let named = 0;
  visitNodes(tree, (cursor) => (named += cursor.nodeIsNamed ? 1 : 0));
  return named;
}

function locateCalls(tree: Tree, source: string): number {
  let found = 0;
  for (const { index } of callHeads(tree, source)) {
    const call = callStartingAt(tree.rootNode, index);
    if (call) found += keywordArguments(call, source).size;
  }
  return found;
}

async function main(): Promise<void> {
  const analyze = process.argv.includes('--analyze');
  const probe = process.argv.includes('--probe');
  const folder = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? '.';
  const parser = await createPythonParser();
  const calls = probe ? new Query(await loadPython(), '(call) @call') : undefined;
  const figures = { readMs: 0, parseMs: 0, modelMs: 0, analyzeMs: 0, queryMs: 0, cursorMs: 0, locateMs: 0, lines: 0 };
  const time = (key: 'modelMs' | 'analyzeMs' | 'queryMs' | 'cursorMs' | 'locateMs', work: () => unknown): void => {
    const started = performance.now();
    work();
    figures[key] += performance.now() - started;
  };
  const files = pythonFiles(folder);
  for (const file of files) {
    const readStart = performance.now();
    const source = readFileSync(file, 'utf8');
    const parseStart = performance.now();
    const tree = parser.parse(source);
    figures.parseMs += performance.now() - parseStart;
    figures.readMs += parseStart - readStart;
    if (!tree) continue;
    if (analyze) {
      time('modelMs', () => buildModel(tree, source));
      time('analyzeMs', () => analyzeTree({ path: file, source, tree }));
    }
    if (calls) {
      time('queryMs', () => calls.captures(tree.rootNode));
      time('cursorMs', () => cursorWalk(tree));
      time('locateMs', () => locateCalls(tree, source));
    }
    figures.lines += tree.rootNode.endPosition.row;
    tree.delete();
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, ...figures })}\n`);
}

void main();
