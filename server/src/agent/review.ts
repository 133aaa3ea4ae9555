import path from 'node:path';
import { analyzeBlobs, blocksDeploy, verdictOf } from '../deploy/analyzer';
import { git, listFiles } from '../deploy/gitSource';
import { isDagFile } from '../repos/validate';

export interface ReviewResult {
  readonly passed: boolean;
  readonly files: number;
  readonly errors: number;
  readonly highSecurity: number;
  readonly lines: readonly string[];
}

/**
 * Validates the DAG files a commit changes against the clone's checked-out commit, reading them from Git's
 * object store (nothing is checked out and nothing from the commit runs) on worker threads, with the size limit
 * of every analysis. A commit passes when the deploy gate would let its files through. The commit must have been
 * fetched.
 */
export async function reviewCommit(cloneDir: string, commit: string, dagsPath: string): Promise<ReviewResult> {
  const changed = new Set(
    (await git(cloneDir, ['diff', '--name-only', '--no-renames', '--diff-filter=AM', '-z', '--end-of-options', 'HEAD', commit, '--', dagsPath || '.']))
      .split('\0')
      .filter((file) => file && isDagFile(file, dagsPath)),
  );
  const files = (await listFiles(cloneDir, commit, dagsPath)).map((f) => ({ ...f, path: path.posix.join(dagsPath, f.path) })).filter((f) => changed.has(f.path));
  const analyses = await analyzeBlobs(cloneDir, files);
  let errors = 0;
  let highSecurity = 0;
  const lines: string[] = [];
  for (const { path: file } of files) {
    const analysis = analyses.get(file)!;
    const verdict = verdictOf(analysis);
    errors += verdict.errors;
    highSecurity += verdict.highSecurity;
    for (const finding of analysis.findings.filter(blocksDeploy)) lines.push(`${file}:${finding.range.start.line + 1}: ${finding.ruleId} ${finding.message}`);
  }
  return { passed: errors === 0 && highSecurity === 0, files: files.length, errors, highSecurity, lines };
}
