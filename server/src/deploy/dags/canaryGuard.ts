import type { ComposedFile, Environment, HistoryRecord } from '../types';

/** The generated canary files a version serves. */
export function canaryFiles(record: HistoryRecord | undefined): ComposedFile[] {
  return (record?.repositories ?? []).flatMap((r) => (r.composition?.files ?? []).filter((f) => f.canary));
}

const names = (files: readonly ComposedFile[]): string => files.map((f) => f.canary!.dagId).join(', ');

/** A change to the whole environment was refused because a canary runs on it (the agent waits instead of retrying). */
export class CanaryRunningError extends Error {}

/** A whole-environment deploy, rollback or promotion would drop the live canaries' files: refused until they end. */
export function refuseLiveCanaries(env: Environment, history: readonly HistoryRecord[], action: string): void {
  const live = canaryFiles(history.at(-1));
  if (live.length === 0) return;
  throw new CanaryRunningError(
    `A canary of ${names(live)} is running on "${env.name}": a ${action} of the whole environment would end it unseen. ` +
      `Finish it first: hangar canary promote|abort --env ${env.name} --dag ${live[0]!.canary!.dagId}.`,
  );
}

/** A version that served a canary cannot be served again as a whole (the canary would run with nobody watching it). */
export function refuseCanaryVersion(env: Environment, record: HistoryRecord): void {
  const files = canaryFiles(record);
  if (files.length === 0) return;
  throw new Error(`Version ${record.version} of "${env.name}" served a canary of ${names(files)}; pick a version without one, or roll back one DAG with --dag.`);
}
