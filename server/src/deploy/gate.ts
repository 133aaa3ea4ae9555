import type { FileAnalyzer } from './analyzer';
import type { TreeFile } from './gitSource';
import type { Manifest, ManifestEntry, ValidationSummary } from './types';

export interface GateInput {
  readonly repoPath: string;
  readonly namespace: string;
  readonly files: readonly TreeFile[];
}

/**
 * Builds the manifest of a deploy: dag ids and finding counts per Python file.
 * Files whose blob is in `known` (the deployed version) are not analyzed again.
 */
export async function buildManifest(inputs: readonly GateInput[], analyze: FileAnalyzer, known: Manifest = {}): Promise<{ manifest: Manifest; validation: ValidationSummary }> {
  const byBlob = new Map<string, ManifestEntry>(Object.values(known).map((e) => [e.blob, e]));
  const manifest: Manifest = {};
  const blocking: string[] = [];
  let analyzed = 0;
  for (const input of inputs) {
    const python = input.files.filter((f) => f.path.endsWith('.py'));
    const keyOf = (file: TreeFile): string => `${input.namespace}/${file.path}`;
    // One analysis per blob not deployed already, reported under the first file that has it.
    const fresh = new Map<string, TreeFile>();
    for (const file of python) if (!byBlob.has(file.blob) && !fresh.has(file.blob)) fresh.set(file.blob, file);
    const verdicts = await analyze(input.repoPath, [...fresh.values()].map((f) => ({ path: keyOf(f), blob: f.blob, size: f.size })));
    for (const file of python) {
      const key = keyOf(file);
      let entry = byBlob.get(file.blob);
      if (!entry) {
        const verdict = verdicts.get(keyOf(fresh.get(file.blob)!))!;
        analyzed++;
        entry = { blob: file.blob, dagIds: verdict.dagIds, errors: verdict.errors, warnings: verdict.warnings, highSecurity: verdict.highSecurity };
        byBlob.set(file.blob, entry);
        for (const b of verdict.blocking) if (blocking.length < 10) blocking.push(`${key}: ${b}`);
      } else if ((entry.errors > 0 || entry.highSecurity > 0) && blocking.length < 10) {
        blocking.push(`${key}: ${entry.errors} error(s), ${entry.highSecurity} high-severity security finding(s) (already deployed)`);
      }
      manifest[key] = entry;
    }
  }
  const entries = Object.values(manifest);
  return {
    manifest,
    validation: {
      files: entries.length,
      analyzed,
      errors: sum(entries.map((e) => e.errors)),
      highSecurity: sum(entries.map((e) => e.highSecurity)),
      warnings: sum(entries.map((e) => e.warnings)),
      blocking,
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function gatePasses(validation: ValidationSummary): boolean {
  return validation.errors === 0 && validation.highSecurity === 0;
}

export class GateError extends Error {
  constructor(readonly validation: ValidationSummary) {
    super(
      `Validation blocks this deploy: ${validation.errors} error(s) and ${validation.highSecurity} high-severity security finding(s).\n` +
        validation.blocking.map((b) => `  ${b}`).join('\n') +
        '\nFix them, or deploy with --force --reason "why" (the reason is recorded in the history).',
    );
  }
}
