import { analyzeSource } from '../analysis/engine';
import { ruleById } from '../analysis/rules/catalog';
import { git } from '../deploy/gitSource';
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
 * object store (nothing is checked out and nothing from the commit runs). The commit must have been fetched.
 */
export async function reviewCommit(cloneDir: string, commit: string, dagsPath: string): Promise<ReviewResult> {
  const changed = (await git(cloneDir, ['diff', '--name-only', '--no-renames', '--diff-filter=AM', '-z', '--end-of-options', 'HEAD', commit, '--', dagsPath || '.']))
    .split('\0')
    .filter((file) => file && isDagFile(file, dagsPath));
  let errors = 0;
  let highSecurity = 0;
  const lines: string[] = [];
  for (const file of changed) {
    const source = await git(cloneDir, ['show', '--no-textconv', '--end-of-options', `${commit}:${file}`]);
    const { findings } = await analyzeSource({ path: file, source });
    for (const finding of findings) {
      const high = ruleById(finding.ruleId)?.securitySeverity === 'high';
      if (finding.severity !== 'error' && !high) continue;
      if (finding.severity === 'error') errors++;
      if (high) highSecurity++;
      lines.push(`${file}:${finding.range.start.line + 1}: ${finding.ruleId} ${finding.message}`);
    }
  }
  return { passed: errors === 0 && highSecurity === 0, files: changed.length, errors, highSecurity, lines };
}
