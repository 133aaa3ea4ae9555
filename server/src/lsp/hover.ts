import type { Hover } from 'vscode-languageserver/node';
import type { DagModel, TaskModel } from '../analysis/model/types';
import type { CurrentAnalysis } from './analyzer';
import { ruleDoc } from './engineAdapter';
import { contains, dagIdAt, dagLabel, downstreamOf, nodeAt, taskAt, taskLabel, upstreamOf, type Position } from './modelQueries';

const list = (tasks: readonly TaskModel[]): string => (tasks.length ? tasks.map((t) => `\`${taskLabel(t)}\``).join(', ') : '—');

function taskHover(dag: DagModel, task: TaskModel): string {
  return [
    `**Task \`${taskLabel(task)}\`** · \`${task.operator}\`${task.mapped ? ' (mapped)' : ''}`,
    '',
    `- DAG: \`${dagLabel(dag)}\`${task.groupId ? `, group \`${task.groupId}\`` : ''}`,
    `- Upstream: ${list(upstreamOf(dag, task))}`,
    `- Downstream: ${list(downstreamOf(dag, task))}`,
  ].join('\n');
}

function dagHover(dag: DagModel): string {
  const schedule = dag.args.get('schedule') ?? dag.args.get('schedule_interval');
  return [
    `**DAG \`${dagLabel(dag)}\`**`,
    '',
    `- Schedule: ${schedule ? `\`${schedule.text}\`` : 'none given (Airflow 3 default: `None`, runs only when triggered)'}`,
    `- Tasks: ${dag.tasks.length}`,
  ].join('\n');
}

/** Rule docs of the findings under the cursor, then what the cursor names: a task or a DAG. */
export function hover(analysis: CurrentAnalysis, position: Position): Hover | null {
  const sections: string[] = [];
  const seen = new Set<string>();
  for (const finding of analysis.findings) {
    if (!contains(finding.range, position) || seen.has(finding.ruleId)) continue;
    seen.add(finding.ruleId);
    const doc = ruleDoc(finding.ruleId);
    sections.push(doc ? `**${finding.ruleId}** · ${finding.message}\n\n${doc}` : `**${finding.ruleId}** · ${finding.message}`);
  }
  const tree = analysis.stored.parsed;
  const node = tree && analysis.model ? nodeAt(tree, position) : undefined;
  if (node && analysis.model) {
    const dag = dagIdAt(analysis.model, node);
    const task = dag ? undefined : taskAt(analysis.model, node);
    if (dag) sections.push(dagHover(dag));
    else if (task) sections.push(taskHover(task.dag, task.task));
  }
  if (sections.length === 0) return null;
  return { contents: { kind: 'markdown', value: sections.join('\n\n---\n\n') } };
}
