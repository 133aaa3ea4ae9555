/**
 * The floor for `hangar check`: a Node process that only reads and parses every *.py file of a folder
 * with the same tree-sitter parser. check.bench.ts bundles it like the CLI and times it.
 * With --analyze it also runs the engine's analyzeTree on each tree and times that separately, which
 * splits the engine's cost into parsing and analysis inside one process.
 * Prints {"files", "readMs", "parseMs", "analyzeMs", "lines"} as JSON.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { analyzeTree } from '../../server/src/analysis/engine';
import { createPythonParser } from '../../server/src/analysis/parser';

function pythonFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return pythonFiles(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

async function main(): Promise<void> {
  const analyze = process.argv.includes('--analyze');
  const folder = process.argv.slice(2).find((arg) => !arg.startsWith('--')) ?? '.';
  const parser = await createPythonParser();
  let readMs = 0;
  let parseMs = 0;
  let analyzeMs = 0;
  let lines = 0;
  const files = pythonFiles(folder);
  for (const file of files) {
    const readStart = performance.now();
    const source = readFileSync(file, 'utf8');
    const parseStart = performance.now();
    const tree = parser.parse(source);
    const parseEnd = performance.now();
    parseMs += parseEnd - parseStart;
    readMs += parseStart - readStart;
    if (!tree) continue;
    if (analyze) {
      analyzeTree({ path: file, source, tree });
      analyzeMs += performance.now() - parseEnd;
    }
    lines += tree.rootNode.endPosition.row;
    tree.delete();
  }
  process.stdout.write(`${JSON.stringify({ files: files.length, readMs, parseMs, analyzeMs, lines })}\n`);
}

void main();
