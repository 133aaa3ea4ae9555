import type { EntryVerification, FailureStage, VerificationSource, VerificationStatus, VersionResult } from './types';
import { printable } from '../../printable';

const STAGE_TEXT: Record<FailureStage, string> = {
  size: 'over the size limit',
  providers: 'providers not installable',
  import: 'import error',
  sandbox: 'refused by the sandbox',
  timeout: 'timed out',
  dag_test: 'DAG test failed',
};

/** "3.3.2", "3.3.2 and 3.4.0b2", "2.11.2, 3.3.2 and 3.4.0b2". */
export function versionList(versions: readonly string[]): string {
  return versions.length <= 1 ? (versions[0] ?? '') : `${versions.slice(0, -1).join(', ')} and ${versions.at(-1)!}`;
}

export const stageText = (result: VersionResult): string => (result.stage ? STAGE_TEXT[result.stage] : result.result);

const day = (iso: string): string => iso.slice(0, 10);

function judged(record: EntryVerification, source: VerificationSource): VerificationStatus {
  const of = (outcome: VersionResult['result']): VersionResult[] => record.results.filter((r) => r.result === outcome);
  const [passed, failed, errors] = [of('passed'), of('failed'), of('error')];
  const base = { sha256: record.sha256, source, record };
  const alsoPassed = passed.length ? `; verified on ${versionList(passed.map((r) => r.airflow))}` : '';
  if (failed.length) {
    const reasons = [...new Set(failed.map(stageText))].join(', ');
    return { ...base, state: 'failed', headline: `Failed on Airflow ${versionList(failed.map((r) => r.airflow))} (${reasons})${alsoPassed}` };
  }
  if (errors.length) return { ...base, state: 'error', headline: `Verification could not run on Airflow ${versionList(errors.map((r) => r.airflow))}${alsoPassed}` };
  if (passed.length) return { ...base, state: 'verified', headline: `Verified on Airflow ${versionList(passed.map((r) => r.airflow))}` };
  return { ...base, state: 'unverified', headline: 'Not verified: no Airflow version it supports was tried' };
}

export interface VerificationCandidate {
  source: VerificationSource;
  record: EntryVerification;
}

/**
 * The status of a file whose sha256 is `sha256`: the first candidate recorded for that sha256 (callers list them
 * by precedence: the service's own run, then the catalog's verification/ file). A record of another sha256 never
 * counts: the file is then "stale" (it changed since it was verified), or "pending" while the service has it queued.
 */
export function resolveVerification(sha256: string, candidates: readonly (VerificationCandidate | undefined)[], pending = false): VerificationStatus {
  const present = candidates.filter((c): c is VerificationCandidate => c !== undefined);
  const current = present.find((c) => c.record.sha256 === sha256);
  if (current) return judged(current.record, current.source);
  if (pending) return { state: 'pending', headline: 'Verification pending', sha256 };
  const latest = present.sort((a, b) => b.record.verifiedAt.localeCompare(a.record.verifiedAt))[0];
  if (latest) {
    return { state: 'stale', headline: `Not verified: the file changed since it was verified on ${day(latest.record.verifiedAt)}`, sha256, source: latest.source, record: latest.record };
  }
  return { state: 'unverified', headline: 'Not verified', sha256 };
}

/** The record without logs, for lists (the entry page gets the logs). */
export function withoutLogs(status: VerificationStatus): VerificationStatus {
  if (!status.record) return status;
  return { ...status, record: { ...status.record, results: status.record.results.map(({ log: _log, ...rest }) => rest) } };
}

/** The lines `hangar market info` and `hangar market verify` print under the headline. */
export function describeResults(record: EntryVerification, withLog: boolean): string[] {
  return record.results.flatMap((r) => {
    const packages = Object.entries(r.packages ?? {})
      .map(([name, version]) => `${name} ${version}`)
      .join(', ');
    const parse = r.parseMs === undefined ? '' : `, parse ${Math.round(r.parseMs)} ms`;
    const tests = r.dagTests?.length ? `, dag.test(): ${r.dagTests.map((t) => `${t.dagId} ${t.state}`).join(', ')}` : '';
    const head = `  Airflow ${r.airflow}: ${r.result}${r.result === 'passed' ? '' : ` (${stageText(r)})`}${parse}${tests}${packages ? ` [${packages}]` : ''}`;
    const error = r.error ? [`    ${printable(r.error)}${r.line ? ` (line ${r.line})` : ''}`] : [];
    const log = withLog && r.log ? printable(r.log.trimEnd()).split('\n').map((line) => `      | ${line}`) : [];
    return [head, ...error, ...log];
  });
}

/** "Verified on Airflow 3.3.2 and 3.4.0b2 (2026-12-04, sha256 ab12…, by the marketplace service)". */
export function statusLine(status: VerificationStatus): string {
  if (!status.record || status.state === 'stale') return `${status.headline} (sha256 ${status.sha256})`;
  const by = status.source === 'service' ? 'the marketplace service' : "the catalog's verification/ file";
  return `${status.headline} (${day(status.record.verifiedAt)}, sha256 ${status.sha256}, by ${by}, ${status.record.isolation} sandbox)`;
}
