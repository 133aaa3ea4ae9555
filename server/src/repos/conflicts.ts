import type { FileState } from './types';

export interface RepositoryDags {
  readonly name: string;
  readonly priority: number;
  /** DAG file (relative to the repository root) -> what it defines. */
  readonly files: Readonly<Record<string, Pick<FileState, 'dagIds'>>>;
}

export interface DagLocation {
  readonly repository: string;
  readonly file: string;
}

export interface DagConflict {
  readonly dagId: string;
  readonly winner: DagLocation;
  /** Definitions left out of deploys. */
  readonly losers: readonly DagLocation[];
  /** The repositories had the same priority: the winner was chosen by name; set priorities to decide. */
  readonly tie: boolean;
}

export interface ConflictResolution {
  readonly conflicts: DagConflict[];
  /** Repository -> files excluded from deploys because another repository wins one of their dag_ids. */
  readonly excluded: Map<string, string[]>;
}

/**
 * A dag_id defined in two repositories is a conflict: the higher priority wins (ties go to the name that sorts
 * first), and the loser's file is excluded for deploys. Duplicates inside one repository are the analysis
 * engine's finding, not a conflict here.
 */
export function resolveConflicts(repositories: readonly RepositoryDags[]): ConflictResolution {
  const ranked = [...repositories].sort((a, b) => b.priority - a.priority || a.name.localeCompare(b.name));
  const definitions = new Map<string, DagLocation[]>();
  for (const repo of ranked) {
    for (const [file, state] of Object.entries(repo.files)) {
      for (const dagId of state.dagIds) definitions.set(dagId, [...(definitions.get(dagId) ?? []), { repository: repo.name, file }]);
    }
  }
  const priority = new Map(repositories.map((r) => [r.name, r.priority]));
  const conflicts: DagConflict[] = [];
  const excluded = new Map<string, Set<string>>();
  for (const [dagId, locations] of definitions) {
    const winner = locations[0]!;
    const losers = locations.filter((l) => l.repository !== winner.repository);
    if (losers.length === 0) continue;
    conflicts.push({ dagId, winner, losers, tie: losers.some((l) => priority.get(l.repository) === priority.get(winner.repository)) });
    for (const loser of losers) excluded.set(loser.repository, (excluded.get(loser.repository) ?? new Set()).add(loser.file));
  }
  return {
    conflicts: conflicts.sort((a, b) => a.dagId.localeCompare(b.dagId)),
    excluded: new Map([...excluded].map(([name, files]) => [name, [...files].sort()])),
  };
}
