import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { diffSnapshots } from '../../../server/src/dagdiff/diff';
import { describeDiff, summaryLines } from '../../../server/src/dagdiff/format';
import { analyzePythonFile, isPythonFile, treeSnapshot, type FolderEntry } from '../../../server/src/dagdiff/snapshot';
import type { SemanticDiff, TreeSnapshot } from '../../../server/src/dagdiff/types';

export const FIXTURES = path.join(__dirname, '..', '..', 'fixtures', 'dagdiff');

/** The change-kind cases: folders holding before/after as one file (`before.py`) or as a DAG folder (`before/`). */
export function fixtureCases(): string[] {
  return readdirSync(FIXTURES).filter((name) => statSync(path.join(FIXTURES, name)).isDirectory()).sort();
}

/** One side of a case as the snapshot of a DAG folder; a single `before.py` is the folder's `pipeline.py`. */
export async function fixtureSide(name: string, side: 'before' | 'after'): Promise<TreeSnapshot> {
  const single = path.join(FIXTURES, name, `${side}.py`);
  const files = existsSync(single) ? [{ path: 'pipeline.py', text: readFileSync(single, 'utf8') }] : filesUnder(path.join(FIXTURES, name, side), '');
  return treeSnapshot(await Promise.all(files.map(async ({ path: file, text }): Promise<FolderEntry> => (isPythonFile(file) ? { path: file, python: await analyzePythonFile(file, text) } : { path: file, blob: createHash('sha1').update(text).digest('hex') }))));
}

function filesUnder(dir: string, prefix: string): { path: string; text: string }[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? filesUnder(full, `${prefix}${name}/`) : [{ path: `${prefix}${name}`, text: readFileSync(full, 'utf8') }];
  });
}

export async function fixtureDiff(name: string): Promise<SemanticDiff> {
  return diffSnapshots(await fixtureSide(name, 'before'), await fixtureSide(name, 'after'));
}

/** The three text forms of a diff, as `expected.txt` holds them. */
export function renderedText(diff: SemanticDiff): string {
  return [...describeDiff(diff), '--- summary', ...summaryLines(diff), '--- markdown', ...summaryLines(diff, { markdown: true }), ''].join('\n');
}
