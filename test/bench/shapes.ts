/**
 * The two DAG-file shapes the editor benchmark and the model dump use, both one `with DAG` block:
 *  - sparse: a task every six lines (a five-line operator call and one dependency line);
 *  - dense: a task every two lines (a one-line operator call and one dependency line), so a 1,000-line
 *    file holds 500 tasks in one chain `t0 >> t1 >> ...`, written one dependency line per task.
 */

export type DagShape = 'sparse' | 'dense';

const HEAD = (name: string): string[] => [
  'from datetime import datetime',
  '',
  'from airflow.sdk import DAG, TaskGroup, task',
  'from airflow.providers.standard.operators.bash import BashOperator',
  '',
  `with DAG(dag_id="${name}", schedule="@daily", start_date=datetime(2025, 1, 1), catchup=False):`,
];

function taskLines(shape: DagShape, i: number): string[] {
  const task = shape === 'sparse'
    ? [`    t${i} = BashOperator(`, `        task_id="t${i}",`, `        bash_command="echo step ${i}",`, '        retries=2,', '    )']
    : [`    t${i} = BashOperator(task_id="t${i}", bash_command="echo step ${i}")`];
  return i > 0 ? [...task, `    t${i - 1} >> t${i}`] : task;
}

/** A DAG file of about `lines` lines in the given shape. */
export function generatedDag(lines: number, shape: DagShape = 'sparse', name = 'bench'): string {
  const head = HEAD(name);
  const body: string[] = [];
  for (let i = 0; head.length + body.length < lines - 2; i++) body.push(...taskLines(shape, i));
  return [...head, ...body, ''].join('\n');
}
