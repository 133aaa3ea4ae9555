import { canaryFiles } from '../deploy/dags/canaryGuard';
import type { CanaryEvent, Environment, HistoryRecord } from '../deploy/types';

/** A canary the live version serves, with the record that started it (its settings and start time). */
export interface ActiveCanary {
  readonly start: CanaryEvent;
  /** When it started: runs from then on are compared. */
  readonly since: string;
  readonly startedIn: number;
}

/**
 * The canaries running on an environment: the generated files its live version serves, each with the newest record
 * that started a canary of that DAG. The history is the only state, so the CLI, the agent and the editor agree.
 */
export function activeCanaries(history: readonly HistoryRecord[]): ActiveCanary[] {
  return canaryFiles(history.at(-1)).flatMap((file) => {
    const started = [...history].reverse().find((r) => r.canary?.event === 'start' && r.canary.dagId === file.canary!.dagId);
    return started?.canary ? [{ start: started.canary, since: started.at, startedIn: started.version }] : [];
  });
}

/** The running canary of `dagId`, refused with the list of running ones when there is none. */
export function activeCanary(env: Environment, history: readonly HistoryRecord[], dagId: string): ActiveCanary {
  const running = activeCanaries(history);
  const found = running.find((c) => c.start.dagId === dagId);
  if (!found) {
    throw new Error(`No canary of "${dagId}" is running on "${env.name}"${running.length ? ` (running: ${running.map((c) => c.start.dagId).join(', ')})` : ''}. Start one with hangar canary start --env ${env.name} --dag ${dagId} --ref REF.`);
  }
  return found;
}
