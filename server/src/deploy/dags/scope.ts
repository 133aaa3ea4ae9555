import type { TreeFacts } from './treeFacts';

/** What moving one DAG from the live tree to a candidate tree changes. */
export interface DagScope {
  readonly dagId: string;
  /** Files whose content differs and moves (added, replaced or removed), relative to the DAG folder, sorted. */
  readonly files: readonly string[];
  /** Where the DAG is defined in each tree. */
  readonly live: readonly string[];
  readonly candidate: readonly string[];
  /** Helper modules (imported by the DAG, directly or not) among `files`. */
  readonly helpers: readonly string[];
  /** Other DAGs defined in a file that moves: they would move too. */
  readonly shared: readonly string[];
  /** Other live DAGs whose files stay but that import a helper that moves. */
  readonly affected: readonly string[];
}

export interface ScopeOptions {
  /** Move the helper modules the DAG imports (default), or leave them as served. */
  readonly helpers: boolean;
  /** Refusals name the environment and the candidate so the user knows what was looked at. */
  readonly environment: string;
  readonly candidateName: string;
}

/**
 * The files that make up `dagId` in `candidate`, compared with `live`: the files that define it (in either tree) and,
 * unless `helpers` is off, the repository modules it imports; only those whose content differs move. Refused when the
 * live tree or the candidate does not define the DAG (as far as the static model can tell).
 */
export async function dagScope(dagId: string, live: TreeFacts, candidate: TreeFacts, options: ScopeOptions): Promise<DagScope> {
  const liveFiles = await live.definingFiles(dagId);
  if (liveFiles.length === 0) throw new Error(`"${options.environment}" does not serve a DAG "${dagId}". See the DAGs it serves with hangar history --env ${options.environment} --json, or deploy the environment to add it.`);
  // A file that no longer parses hides its DAGs from the model: it is still the DAG's file, and the gate says why.
  const found = await candidate.definingFiles(dagId);
  const candidateFiles = found.length > 0 ? found : await candidate.brokenAmong(liveFiles);
  if (candidateFiles.length === 0) throw new Error(`${options.candidateName} does not define the DAG "${dagId}" (as far as the static model can tell without running the files). Pick a version that has it.`);
  const changed = (file: string): boolean => live.blob(file) !== candidate.blob(file);
  const defining = [...new Set([...liveFiles, ...candidateFiles])];
  const helpers = options.helpers ? [...(await candidate.importClosure(candidateFiles))].filter((f) => !defining.includes(f) && changed(f)) : [];
  const files = [...defining.filter(changed), ...helpers].sort();
  const [liveFacts, candidateFacts] = await Promise.all([live.all(), candidate.all()]);
  const others = (file: string): string[] => [liveFacts.get(file), candidateFacts.get(file)].flatMap((f) => (f ? [...f.dagIds, ...f.unknownDags] : [])).filter((id) => id !== dagId);
  const shared = [...new Set(files.flatMap(others))].sort();
  const movedHelpers = new Set(helpers);
  const affected = new Set<string>();
  if (movedHelpers.size > 0) {
    for (const [file, facts] of liveFacts) {
      if (files.includes(file) || facts.dagIds.length + facts.unknownDags.length === 0) continue;
      const closure = await live.importClosure([file]);
      if ([...closure].some((f) => movedHelpers.has(f))) for (const id of [...facts.dagIds, ...facts.unknownDags]) if (id !== dagId && !shared.includes(id)) affected.add(id);
    }
  }
  return { dagId, files, live: liveFiles, candidate: candidateFiles, helpers, shared, affected: [...affected].sort() };
}

/** Other DAGs would move with the DAG: the editor asks, the CLI needs --with-shared. */
export class SharedDagsError extends Error {
  constructor(readonly scope: DagScope) {
    super(sharedRefusal(scope));
  }
}

/** Throws SharedDagsError when other DAGs would come along. */
export function refuseShared(scope: DagScope): void {
  if (scope.shared.length > 0 || scope.affected.length > 0) throw new SharedDagsError(scope);
}

/** The refusal when other DAGs would come along, with what to do. */
function sharedRefusal(scope: DagScope): string {
  const lines = [`Moving "${scope.dagId}" alone is not possible: other DAGs would change with it.`];
  if (scope.shared.length > 0) lines.push(`  Defined in the same file(s) (${scope.files.filter((f) => !scope.helpers.includes(f)).join(', ')}): ${scope.shared.join(', ')}`);
  if (scope.affected.length > 0) lines.push(`  Importing a helper module that changes (${scope.helpers.join(', ')}): ${scope.affected.join(', ')}`);
  lines.push('Take them along with --with-shared (they are recorded in the history too), or move the DAG to a file of its own first.');
  return lines.join('\n');
}
