import type { FileAnalyzer } from './analyzer';
import type { TreeFile } from './gitSource';
import type { DagDiff, Manifest, ManifestEntry, ValidationSummary } from './types';

/** Blocking findings listed in a summary; the rest are counted ("and N more"). */
export const BLOCKING_LISTED = 10;

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
  let blockingTotal = 0;
  const block = (line: string): void => {
    blockingTotal++;
    if (blocking.length < BLOCKING_LISTED) blocking.push(line);
  };
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
        verdict.blocking.forEach((b) => block(`${key}: ${b}`));
        blockingTotal += verdict.blockingCount - verdict.blocking.length;
      } else if (entry.errors > 0 || entry.highSecurity > 0) {
        block(`${key}: ${entry.errors} error(s), ${entry.highSecurity} high-severity security finding(s) (already deployed)`);
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
      blockingTotal,
    },
  };
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

export function gatePasses(validation: ValidationSummary): boolean {
  return validation.errors === 0 && validation.highSecurity === 0;
}

/** The listed blocking findings, and how many more there are. */
export function blockingLines(validation: ValidationSummary): string[] {
  const more = (validation.blockingTotal ?? validation.blocking.length) - validation.blocking.length;
  return [...validation.blocking, ...(more > 0 ? [`…and ${more} more`] : [])];
}

export class GateError extends Error {
  constructor(
    readonly validation: ValidationSummary,
    /** The plan the gate refused, for reports (`hangar deploy --json`). */
    readonly plan?: BlockedPlan,
  ) {
    const dependencies = validation.dependencies ? ` (${validation.dependencies.missing} import(s) missing from ${validation.dependencies.python})` : '';
    super(
      `Validation blocks this deploy: ${validation.errors} error(s)${dependencies} and ${validation.highSecurity} high-severity security finding(s).\n` +
        blockingLines(validation).map((b) => `  ${b}`).join('\n') +
        '\nFix them, or deploy with --force --reason "why" (the reason is recorded in the history).',
    );
  }
}

/** What a refused deploy would have done. */
export interface BlockedPlan {
  readonly environment: string;
  readonly action: string;
  readonly repositories: ReadonlyArray<{ readonly name: string; readonly ref: string; readonly commit: string }>;
  readonly dagDiff: DagDiff;
  readonly changedFiles: readonly string[];
}
