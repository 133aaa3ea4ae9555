import type { TaskModel } from '../../model/types';
import { newHomeOf } from '../airflow3/airflowNames';
import { OPERATOR_SIGNATURES, type OperatorSignature } from './airflowSignatures';

/** Airflow's signature of the task's operator, also through Airflow 2 paths that now point to the same class. */
export function signatureOf(task: TaskModel): OperatorSignature | undefined {
  const qualified = task.qualifiedOperator;
  if (!qualified || task.kind === 'taskflow') return undefined;
  const direct = OPERATOR_SIGNATURES[qualified];
  if (direct) return direct;
  const dot = qualified.lastIndexOf('.');
  const moved = newHomeOf(qualified.slice(0, dot), qualified.slice(dot + 1));
  return moved ? OPERATOR_SIGNATURES[moved] : undefined;
}

/** The closest name within two edits, for "did you mean". */
export function closest(name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = distance(name, candidate, bestDistance);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) >= limit) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
