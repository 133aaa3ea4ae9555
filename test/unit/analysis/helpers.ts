import { analyzeSource } from '../../../server/src/analysis/engine';
import type { HangarConfig } from '../../../server/src/analysis/config';
import type { Finding } from '../../../server/src/analysis/findings';

export const HEADER = `from datetime import datetime, timedelta
from airflow.sdk import DAG, TaskGroup, task, dag, chain
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator
from airflow.providers.standard.operators.python import PythonOperator
`;

/** A DAG file: the common imports, then `body` inside `with DAG(...)` (indented by the caller's 4 spaces). */
export function inDag(body: string, dagArgs = 'dag_id="example", schedule="@daily", start_date=datetime(2025, 1, 1), catchup=False'): string {
  return `${HEADER}\nwith DAG(${dagArgs}):\n${body.replace(/^/gm, '    ')}\n`;
}

export async function findings(source: string, config?: HangarConfig): Promise<Finding[]> {
  return (await analyzeSource({ path: 'dags/example.py', source, config })).findings;
}

/** Findings of one rule, as `line:message` for readable assertion failures. */
export async function ruleFindings(ruleId: string, source: string): Promise<Finding[]> {
  return (await findings(source)).filter((f) => f.ruleId === ruleId);
}

/** Applies a finding's fix edits to `source` (edits in one fix never overlap). */
export function applyFix(source: string, finding: Finding): string {
  const lines = source.split('\n');
  const offset = (p: { line: number; character: number }): number => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const edits = [...(finding.fix?.edits ?? [])].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let text = source;
  for (const edit of edits) text = text.slice(0, offset(edit.range.start)) + edit.newText + text.slice(offset(edit.range.end));
  return text;
}
