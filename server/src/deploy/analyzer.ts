import { DEFAULT_CONFIG } from '../analysis/config';
import type { Finding } from '../analysis/findings';
import { FILE_NOT_ANALYZED, sizeFinding } from '../analysis/input';
import { ruleById } from '../analysis/rules/catalog';
import { checkInBackground } from '../cli/checkPool';
import { readBlobBytes } from './gitSource';

/** A file of a commit, read from Git's object store. */
export interface BlobFile {
  /** The path findings are reported under (a manifest key or a repository path). */
  readonly path: string;
  readonly blob: string;
  readonly size: number;
}

export interface BlobAnalysis {
  readonly findings: readonly Finding[];
  readonly dagIds: readonly string[];
}

/** What the gate needs to know about one file. */
export interface FileVerdict {
  readonly dagIds: readonly string[];
  readonly errors: number;
  readonly warnings: number;
  readonly highSecurity: number;
  /** `rule: message (line n)` of the first findings that block a deploy. */
  readonly blocking: readonly string[];
  /** How many findings block a deploy (`blocking` lists the first few). */
  readonly blockingCount: number;
}

/** Verdicts of files of the clone at `repoPath`, keyed by their path. */
export type FileAnalyzer = (repoPath: string, files: readonly BlobFile[]) => Promise<Map<string, FileVerdict>>;

const isHighSecurity = (finding: Finding): boolean => ruleById(finding.ruleId)?.securitySeverity === 'high';
const notAnalyzed = (finding: Finding): boolean => finding.ruleId === FILE_NOT_ANALYZED;

/**
 * What blocks a deploy and fails a pull request check: error-level findings, high-severity security findings, and a
 * file too large to analyse (padding a file past the size limit must not slip it past the security rules).
 */
export function blocksDeploy(finding: Finding): boolean {
  return finding.severity === 'error' || notAnalyzed(finding) || isHighSecurity(finding);
}

/**
 * Analyses blobs of the clone at `repoPath` on worker threads (never on the caller's event loop). A blob over the size
 * limit is never read; the others are read in bounded batches once a worker is free for them.
 */
export async function analyzeBlobs(repoPath: string, files: readonly BlobFile[]): Promise<Map<string, BlobAnalysis>> {
  const result = new Map<string, BlobAnalysis>();
  const readable: BlobFile[] = [];
  for (const file of files) {
    const tooLarge = sizeFinding(file.size);
    if (tooLarge) result.set(file.path, { findings: [tooLarge], dagIds: [] });
    else readable.push(file);
  }
  const checked = await checkInBackground(
    readable,
    async (batch) => {
      const contents = await readBlobBytes(repoPath, batch.map((f) => f.blob));
      // A copy per file: a view into the batch's buffer would carry the whole buffer to the worker.
      return batch.map((f) => ({ file: f.path, path: f.path, bytes: new Uint8Array(contents.get(f.blob)!), config: DEFAULT_CONFIG }));
    },
    { bytes: (f) => f.size },
  );
  checked.forEach((c, i) => result.set(readable[i]!.path, { findings: c.findings, dagIds: c.dagIds }));
  return result;
}

export function verdictOf({ findings, dagIds }: BlobAnalysis): FileVerdict {
  const blocking = findings.filter(blocksDeploy);
  return {
    dagIds,
    errors: findings.filter((f) => f.severity === 'error' || notAnalyzed(f)).length,
    warnings: findings.filter((f) => f.severity === 'warning' && !notAnalyzed(f)).length,
    highSecurity: findings.filter(isHighSecurity).length,
    blocking: blocking.slice(0, 3).map((f) => `${f.ruleId}: ${f.message} (line ${f.range.start.line + 1})`),
    blockingCount: blocking.length,
  };
}

/** The analysis engine's verdict on each file, as the deploy gate uses it. */
export const analyzeForDeploy: FileAnalyzer = async (repoPath, files) => {
  const analyses = await analyzeBlobs(repoPath, files);
  return new Map([...analyses].map(([file, analysis]) => [file, verdictOf(analysis)]));
};
