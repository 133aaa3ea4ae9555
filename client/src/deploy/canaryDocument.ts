import { comparisonRows, conditionLines } from '../../../server/src/canary/format';
import type { CanaryStatus } from '../../../server/src/canary/service';
import { inert } from '../views/inertMarkdown';

const VERDICT = { waiting: 'Waiting for runs', promote: 'The condition holds: the next tick promotes the candidate', hold: 'The condition does not hold' } as const;

/** A canary's comparison with its live DAG as Markdown (the editor's comparison panel, a read-only document). */
export function renderCanary(status: CanaryStatus): string {
  const cell = (text: string): string => inert(text);
  const { settings } = status;
  return [
    `# Canary of ${inert(status.dagId)} on ${inert(status.environment)}`,
    '',
    `Candidate **${inert(status.candidate.ref)}** (${inert(status.candidate.commit.slice(0, 12))}) runs as ${inert(status.canaryDagId)} since ${inert(status.since)} (v${inert(String(status.startedIn))}).`,
    '',
    `${settings.shadow ? 'Shadow: both run every time.' : `${inert(String(settings.share))} % of the runs go to the canary.`} Promoted after ${inert(String(settings.runs))} finished canary run(s) when: \`${settings.until.replace(/`/g, "'")}\`.`,
    '',
    `## ${VERDICT[status.verdict]}`,
    '',
    inert(status.message),
    '',
    `| | ${cell(status.dagId)} (live) | ${cell(status.canaryDagId)} |`,
    '| --- | --- | --- |',
    ...comparisonRows(status.comparison.live, status.comparison.canary).map(([label, live, canary]) => `| ${cell(label)} | ${cell(live)} | ${cell(canary)} |`),
    '',
    '## Condition',
    '',
    ...conditionLines(status.condition).map((line) => `- ${inert(line)}`),
    '',
    `Read from Airflow at ${inert(status.comparison.at)}. Run **Hangar: Promote Canary** or **Hangar: Abort Canary** from the Deployments view to end it by hand.`,
    '',
  ].join('\n');
}

/** The comparison panel when there is none: the canary ended, or reading it failed (`why`, often Airflow's words). */
export function renderCanaryUnavailable(dagId: string, environment: string, why: string | undefined): string {
  return `# Canary of ${inert(dagId)} on ${inert(environment)}\n\n${inert(why ?? 'It is no longer running.')}\n`;
}
