import { analyzeSource } from '../analysis/engine';
import type { Finding } from '../analysis/findings';
import { decodeSource } from '../analysis/input';
import type { TaskModel } from '../analysis/model/types';

export interface ScanResult {
  /** The file as text; empty when it cannot be decoded (then the one finding says why). */
  source: string;
  /** Findings of Hangar's rule catalog (syntax, DAG structure, security); the file is parsed, never imported or run. */
  findings: Finding[];
  /** Task ids in definition order, from the DAG model. */
  tasks: string[];
  /** Dependency edges between task ids. */
  edges: [string, string][];
}

const nameOf = (task: TaskModel): string | undefined => (task.taskId.known ? task.taskId.value : task.variable);

/**
 * Hangar's analysis engine over a catalog DAG, through the same input checks as `hangar check` (size limit, binary,
 * encoding): a file that cannot be analysed gets their one finding.
 */
export async function scanDag(bytes: Uint8Array, path: string): Promise<ScanResult> {
  const decoded = decodeSource(bytes);
  if ('finding' in decoded) return { source: '', findings: [decoded.finding], tasks: [], edges: [] };
  const { source } = decoded;
  const { findings, model } = await analyzeSource({ path, source });
  const tasks: string[] = [];
  const edges: [string, string][] = [];
  for (const dag of model.dags) {
    for (const task of dag.tasks) {
      const id = nameOf(task);
      if (id && !tasks.includes(id)) tasks.push(id);
    }
    for (const edge of dag.edges) {
      const [up, down] = [nameOf(edge.upstream), nameOf(edge.downstream)];
      if (up && down) edges.push([up, down]);
    }
  }
  return { source, findings, tasks, edges };
}

export type Badge = 'passed' | 'warnings' | 'failed';

export function badgeOf(findings: readonly Finding[]): Badge {
  if (findings.some((f) => f.severity === 'error')) return 'failed';
  return findings.some((f) => f.severity === 'warning') ? 'warnings' : 'passed';
}
