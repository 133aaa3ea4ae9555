import type { Range } from './findings';
import type { DagFileModel } from './model/types';
import { rangeOf } from './model/syntax';

/** A DAG a file defines with a statically known dag_id (plain data: CLI workers send it between threads). */
export interface DagDefinition {
  readonly dagId: string;
  readonly range: Range;
}

/** The DAGs of a model that count for duplicates: known dag_id, not built in a loop or factory. */
export function definitionsOf(model: DagFileModel): DagDefinition[] {
  const definitions: DagDefinition[] = [];
  for (const dag of model.dags) {
    if (dag.dagId.known && !dag.inLoop) definitions.push({ dagId: dag.dagId.value, range: rangeOf(dag.args.get('dag_id') ?? dag.node) });
  }
  return definitions;
}

/** One DAG defined in another file with the same dag_id as a DAG here. */
export interface DuplicateDag {
  readonly dagId: string;
  readonly range: Range;
  readonly otherFiles: readonly string[];
}

/**
 * dag_id -> defining files across the workspace. Airflow rejects a second file that defines an existing dag_id,
 * so every file involved gets a finding. Updated per file (the language server calls `update` on each change).
 */
export class DagIndex {
  private readonly byFile = new Map<string, readonly DagDefinition[]>();
  private readonly byId = new Map<string, Set<string>>();

  /** Records the DAGs of `file`; returns the other files whose duplicate findings may have changed. */
  update(file: string, model: DagFileModel): string[] {
    return this.record(file, definitionsOf(model));
  }

  /** Records the DAG definitions of `file` found elsewhere (see definitionsOf); same result as update. */
  record(file: string, definitions: readonly DagDefinition[]): string[] {
    const before = this.byFile.get(file) ?? [];
    const touched = new Set([...before, ...definitions].map((d) => d.dagId));
    this.removeDefinitions(file, before);
    this.byFile.set(file, definitions);
    for (const { dagId } of definitions) {
      let files = this.byId.get(dagId);
      if (!files) this.byId.set(dagId, (files = new Set()));
      files.add(file);
    }
    return this.othersDefining(file, touched);
  }

  /** Forgets `file` (deleted or closed outside the workspace); returns the files that may have changed. */
  remove(file: string): string[] {
    const before = this.byFile.get(file) ?? [];
    this.removeDefinitions(file, before);
    this.byFile.delete(file);
    return this.othersDefining(file, new Set(before.map((d) => d.dagId)));
  }

  filesDefining(dagId: string): string[] {
    return [...(this.byId.get(dagId) ?? [])].sort();
  }

  /** DAGs of `file` whose dag_id another indexed file also defines. */
  duplicatesIn(file: string): DuplicateDag[] {
    const result: DuplicateDag[] = [];
    for (const definition of this.byFile.get(file) ?? []) {
      const others = this.filesDefining(definition.dagId).filter((other) => other !== file);
      if (others.length > 0) result.push({ ...definition, otherFiles: others });
    }
    return result;
  }

  private removeDefinitions(file: string, definitions: readonly DagDefinition[]): void {
    for (const { dagId } of definitions) {
      const files = this.byId.get(dagId);
      files?.delete(file);
      if (files?.size === 0) this.byId.delete(dagId);
    }
  }

  private othersDefining(file: string, dagIds: ReadonlySet<string>): string[] {
    const others = new Set<string>();
    for (const dagId of dagIds) for (const other of this.byId.get(dagId) ?? []) if (other !== file) others.add(other);
    return [...others].sort();
  }
}
