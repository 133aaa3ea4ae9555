import path from 'node:path';
import { summaryLines } from '../dagdiff/format';
import { diffCommitsInBackground } from '../dagdiff/background';
import { MAX_FILE_BYTES } from '../analysis/input';
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

/**
 * The DAG files a pull request may change for its comment to include the DAG diff. Building the diff takes about a
 * second per 2,000 tasks; the comment must not wait for minutes on generated DAG files (`hangar diff` has no limit).
 */
const REVIEW_DIFF_MAX_BYTES = 512 * 1024;

/**
 * What the pull request changes in the DAGs, as Markdown lines: the semantic diff of `commit` against its merge base
 * with the clone's checked-out branch (the branch the repository tracks), as the host's own diff view compares.
 * Computed on a worker thread; left out, with a line saying so, when the changed DAG files are larger than
 * REVIEW_DIFF_MAX_BYTES.
 */
export async function reviewDagChanges(cloneDir: string, commit: string, dagsPath: string): Promise<string[]> {
  const base = (await git(cloneDir, ['merge-base', '--end-of-options', 'HEAD', commit]).catch(() => '')).trim() || null;
  const [before, after] = await Promise.all([base ? listFiles(cloneDir, base, dagsPath) : [], listFiles(cloneDir, commit, dagsPath)]);
  const unchanged = new Set(before.map((f) => `${f.path} ${f.blob}`));
  // Files over the analysis limit are never read (the diff names them), so they do not count.
  const bytes = after.filter((f) => f.path.endsWith('.py') && !unchanged.has(`${f.path} ${f.blob}`) && f.size <= MAX_FILE_BYTES).reduce((sum, f) => sum + f.size, 0);
  if (bytes > REVIEW_DIFF_MAX_BYTES) {
    return [`- The DAG diff is left out: this pull request changes ${(bytes / 1024 / 1024).toFixed(1)} MB of DAG files (the comment includes it up to ${REVIEW_DIFF_MAX_BYTES / 1024} KB). Run \`hangar diff ${base ? base.slice(0, 12) : 'FROM'} ${commit.slice(0, 12)}\` to see it.`];
  }
  const diff = await diffCommitsInBackground({ name: path.basename(cloneDir), path: cloneDir, subdir: dagsPath }, base, commit);
  return summaryLines(diff, { markdown: true, maxDags: 20, maxChangesPerDag: 8 });
}
