/**
 * Hangar's engine against Airflow's own DagBag: which files to compare and how a finding is matched
 * to the line Airflow reports. Used by test/integration/accuracy.test.ts.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_CONFIG, type HangarConfig } from '../../server/src/analysis/config';
import { analyzeSource } from '../../server/src/analysis/engine';
import type { Finding } from '../../server/src/analysis/findings';
import { createPythonParser, type Node } from '../../server/src/analysis/parser';
import { knownValue } from '../../server/src/analysis/rules/helpers';
import { run } from './venv';

/** Every *.py under `dir` (recursively), skipping __pycache__. */
export function pythonFilesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === '__pycache__' ? [] : pythonFilesUnder(full);
    return entry.name.endsWith('.py') ? [full] : [];
  });
}

/** The example DAG folders shipped inside the installed Airflow packages (core and providers). */
export async function airflowExampleDagFolders(python: string): Promise<string[]> {
  const script = [
    'import os, airflow',
    'root = os.path.dirname(airflow.__file__)',
    'for base, dirs, files in os.walk(root):',
    '    dirs[:] = [d for d in dirs if d != "__pycache__"]',
    '    if os.path.basename(base) == "example_dags": print(base)',
  ].join('\n');
  return (await run(python, ['-c', script])).split('\n').filter(Boolean).sort();
}

/** The error-level findings of Hangar's engine for one file, analyzed alone (as DagBag imports it). */
export async function engineErrors(file: string, line = '3.3'): Promise<Finding[]> {
  const { findings } = await analyzeSource({ path: file, source: readFileSync(file, 'utf8'), config: targetConfig(line) });
  return findings.filter((finding) => finding.severity === 'error');
}

/** The engine's configuration for the Airflow line the ground truth comes from (its defaults otherwise). */
function targetConfig(line: string): HangarConfig {
  return { ...DEFAULT_CONFIG, targetAirflow: line };
}

/** Each DAG's dependencies in Hangar's model, "upstream>downstream" between tasks whose ids are known, by dag_id. */
export async function modelEdges(file: string, line = '3.3'): Promise<Map<string, Set<string>>> {
  const { model } = await analyzeSource({ path: file, source: readFileSync(file, 'utf8'), config: targetConfig(line) });
  const edges = new Map<string, Set<string>>();
  for (const dag of model.dags) {
    if (!dag.dagId.known) continue;
    const known = dag.edges.filter((edge) => edge.upstream.taskId.known && edge.downstream.taskId.known);
    edges.set(dag.dagId.value, new Set(known.map((edge) => `${knownValue(edge.upstream.taskId)}>${knownValue(edge.downstream.taskId)}`)));
  }
  return edges;
}

let parser: ReturnType<typeof createPythonParser> | undefined;

/**
 * The 1-based lines a finding may start on to count as "on the line Airflow complains about":
 * Python reports a failing call at the line where the call starts, so any line of the longest call
 * expression that starts on Airflow's line counts, as does the line itself.
 */
export async function acceptedLines(source: string, airflowLine: number): Promise<{ first: number; last: number }> {
  parser ??= createPythonParser();
  const tree = (await parser).parse(source);
  let last = airflowLine;
  const visit = (node: Node): void => {
    if (node.startPosition.row > airflowLine - 1 || node.endPosition.row < airflowLine - 1) return;
    if (node.type === 'call' && node.startPosition.row === airflowLine - 1) last = Math.max(last, node.endPosition.row + 1);
    for (const child of node.children) if (child) visit(child);
  };
  if (tree) {
    visit(tree.rootNode);
    tree.delete();
  }
  return { first: airflowLine, last };
}

/** True when the finding's range touches a line in `lines` (1-based, inclusive). */
export function findingOnLines(finding: Finding, lines: { first: number; last: number }): boolean {
  const start = finding.range.start.line + 1;
  const end = finding.range.end.line + 1;
  return start <= lines.last && end >= lines.first;
}

export function describeFinding(finding: Finding): string {
  return `${finding.ruleId} line ${finding.range.start.line + 1}: ${finding.message}`;
}
