import type { ConditionResult } from './condition';
import type { RunStats } from './metrics';
import type { CanaryStatus } from './service';

const seconds = (value: number | null): string => (value === null ? '–' : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s`);
const percent = (value: number | null): string => (value === null ? '–' : `${(value * 100).toFixed(1)} %`);
const number = (value: number | null): string => (value === null ? '–' : Number.isInteger(value) ? String(value) : value.toFixed(3));

/** The comparison as rows: a label and the live and canary values. */
export function comparisonRows(live: RunStats, canary: RunStats): [string, string, string][] {
  const rows: [string, string, string][] = [
    ['finished runs', `${live.runs}${live.pending ? ` (+${live.pending} running)` : ''}`, `${canary.runs}${canary.pending ? ` (+${canary.pending} running)` : ''}`],
    ['success rate', percent(live.successRate), percent(canary.successRate)],
    ['run duration p50', seconds(live.p50), seconds(canary.p50)],
    ['run duration p95', seconds(live.p95), seconds(canary.p95)],
    ['retries', String(live.retries), String(canary.retries)],
    ['failed tasks', String(live.failedTasks), String(canary.failedTasks)],
  ];
  for (const task of [...new Set([...Object.keys(live.tasks), ...Object.keys(canary.tasks)])].sort()) {
    // Task ids are Airflow's: one named toString or constructor must not find Object.prototype's.
    const a = Object.hasOwn(live.tasks, task) ? live.tasks[task] : undefined;
    const b = Object.hasOwn(canary.tasks, task) ? canary.tasks[task] : undefined;
    const cell = (t: typeof a): string => (t ? `p50 ${seconds(t.p50)} · p95 ${seconds(t.p95)}${t.failed ? ` · ${t.failed} failed` : ''}${t.retries ? ` · ${t.retries} retries` : ''}` : '–');
    rows.push([`task ${task}`, cell(a), cell(b)]);
  }
  return rows;
}

/** `canary.p50 <= live.p50 + 20%: 12.3 <= 14.4 ✓` per comparison. */
export function conditionLines(condition: ConditionResult): string[] {
  return condition.comparisons.map((c) => `${c.text}: ${number(c.left)} vs ${number(c.right)} ${c.holds === null ? '(no value yet)' : c.holds ? '✓' : '✗'}`);
}

const MODES = { shadow: 'shadow: both run every interval', interval: 'interval split: Hangar pauses one of the two per interval', triggered: 'triggered runs: hangar canary trigger routes each run' } as const;

/** `hangar canary status` for one canary. */
export function describeStatus(status: CanaryStatus): string {
  const rows = comparisonRows(status.comparison.live, status.comparison.canary);
  const width = Math.max(...rows.map(([label]) => label.length), 'condition'.length);
  const column = Math.max(...rows.map(([, live]) => live.length), status.dagId.length);
  const line = (a: string, b: string, c: string): string => `  ${a.padEnd(width)}  ${b.padEnd(column)}  ${c}`;
  const settings = status.settings;
  return [
    `${status.dagId} on ${status.environment}: canary ${status.canaryDagId} of ${status.candidate.ref} (${status.candidate.commit.slice(0, 12)}), started with v${status.startedIn} at ${status.since}`,
    `  ${settings.shadow ? 'shadow' : `${settings.share} % of the runs to the canary`} (${MODES[status.mode]}); promoted after ${settings.runs} finished canary run(s) when: ${settings.until}`,
    `  paused in Airflow: live ${status.paused.live ?? 'not listed'}, canary ${status.paused.canary ?? 'not listed'}`,
    line('', status.dagId, status.canaryDagId),
    ...rows.map(([label, live, canary]) => line(label, live, canary)),
    ...conditionLines(status.condition).map((l) => `  ${l}`),
    `  ${status.verdict.toUpperCase()}: ${status.message}`,
    ...status.steps.map((s) => `  next tick: ${s.kind} ${s.dagId} — ${s.why}`),
  ].join('\n');
}
