import path from 'node:path';
import { createPythonParser } from '../analysis/parser';
import { importFindings, localModules } from '../deps/check';
import { describeEnvironment, EnvironmentError } from '../pyenv/environment';
import { BLOCKING_LISTED, type GateInput } from './gate';
import { readBlobs } from './gitSource';
import type { ValidationSummary } from './types';

/**
 * The gate's dependency check: every Python file of the deploy (read from the commit, not the working tree) is
 * checked against the environment's interpreter, and each import it cannot satisfy (HGR501) is reported as the
 * editor shows it: an error that blocks the deploy when it runs while Airflow imports the file, a warning when only
 * a task body runs it. Local modules are those the deployed folder itself holds.
 */
export async function checkDeployDependencies(python: string, inputs: readonly GateInput[], validation: ValidationSummary, gated?: ReadonlySet<string>): Promise<ValidationSummary> {
  const env = await describeEnvironment(python);
  if (!env.airflow) {
    throw new EnvironmentError(`${python}, the interpreter named for this environment, has no Apache Airflow, so the gate cannot check the DAGs' imports against it. Name the interpreter of the environment's Airflow (python: in airflow-repos.yaml, hangar.python in the editor).`);
  }
  const parser = await createPythonParser();
  const lines: string[] = [];
  let warnings = 0;
  for (const input of inputs) {
    const files = input.files.filter((f) => f.path.endsWith('.py') && (!gated || gated.has(`${input.namespace}/${f.path}`)));
    const present = new Set(input.files.map((f) => f.path));
    const isLocal = localModules([''], (candidate) => present.has(candidate.split(path.sep).join('/')));
    const texts = await readBlobs(input.repoPath, files.map((f) => f.blob));
    for (const file of files) {
      const source = texts.get(file.blob) ?? '';
      const tree = parser.parse(source);
      if (!tree) continue;
      try {
        for (const finding of importFindings(tree, source, file.path, { env, isLocal })) {
          if (finding.severity !== 'error') {
            warnings += 1;
            continue;
          }
          lines.push(`${input.namespace}/${file.path}: ${finding.ruleId}: ${finding.message} (line ${finding.range.start.line + 1})`);
        }
      } finally {
        tree.delete();
      }
    }
  }
  const listed = validation.blocking.length;
  return {
    ...validation,
    errors: validation.errors + lines.length,
    warnings: validation.warnings + warnings,
    blocking: [...validation.blocking, ...lines.slice(0, Math.max(0, BLOCKING_LISTED - listed))],
    blockingTotal: (validation.blockingTotal ?? listed) + lines.length,
    dependencies: { python: env.python, airflow: env.airflow, missing: lines.length },
  };
}
