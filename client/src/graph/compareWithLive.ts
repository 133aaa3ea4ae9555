import path from 'node:path';
import * as vscode from 'vscode';
import { diffSnapshots } from '../../../server/src/dagdiff/diff';
import { snapshotCommit, snapshotWorkingTree } from '../../../server/src/dagdiff/folder';
import { graphMarks, type GraphMarks } from '../../../server/src/dagdiff/graphMarks';
import type { SemanticDiff, TreeSnapshot } from '../../../server/src/dagdiff/types';
import { liveVersion } from '../../../server/src/dagdiff/versions';
import type { DeployRepository, Environment } from '../../../server/src/deploy/types';
import type { DeployController } from '../deploy/deployController';
import type { DagGraphPanel } from './dagGraphPanel';

const EMPTY: TreeSnapshot = { dags: [], files: [] };

/** One repository of an environment compared with what the environment serves of it. */
interface LiveComparison {
  readonly environment: Environment;
  readonly repository: DeployRepository;
  readonly against: string;
  readonly diff: SemanticDiff;
}

/**
 * "Compare with Live": the DAG graph of a workspace DAG with what differs from the version an environment serves
 * marked (added, changed and removed tasks and dependencies), and the `hangar diff` lines of that DAG beside it.
 * The workspace side is the repository's working tree as saved.
 */
export class CompareWithLive {
  constructor(
    private readonly deploy: DeployController,
    private readonly graph: DagGraphPanel,
  ) {}

  /** `hangar.compareWithLive`: from the code lens (file and DAG), the palette (the active file) or an environment node. */
  async run(target?: string | vscode.Uri | { environment: string }, dagId?: string): Promise<GraphMarks | undefined> {
    try {
      if (target && typeof target === 'object' && 'environment' in target) return await this.fromEnvironment(target.environment);
      const uri = typeof target === 'string' ? vscode.Uri.parse(target) : (target ?? vscode.window.activeTextEditor?.document.uri);
      if (!uri) {
        void vscode.window.showInformationMessage('Open a DAG file to compare it with what an environment serves.');
        return undefined;
      }
      return await this.fromFile(uri, typeof dagId === 'string' ? dagId : undefined);
    } catch (error) {
      void vscode.window.showErrorMessage(`Compare with Live: ${error instanceof Error ? error.message : String(error)}`);
      return undefined;
    }
  }

  private async fromFile(uri: vscode.Uri, dagId: string | undefined): Promise<GraphMarks | undefined> {
    const candidates = this.deploy.environments().flatMap((environment) => environment.repositories.filter((r) => contains(dagFolder(r), uri.fsPath)).map((repository) => ({ environment, repository })));
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`${path.basename(uri.fsPath)} is not in the DAG folder of a repository any environment of airflow-repos.yaml deploys.`);
      return undefined;
    }
    const chosen =
      candidates.length === 1
        ? candidates[0]
        : await this.deploy.ui.pick('Hangar: Compare with Live — environment', candidates.map((c) => ({ label: c.environment.name, description: c.repository.name, value: c })));
    if (!chosen) return undefined;
    const comparison = await this.compare(chosen.environment, chosen.repository);
    const relative = path.relative(dagFolder(chosen.repository), uri.fsPath).split(path.sep).join('/');
    const dags = [...comparison.diff.dags.changed, ...comparison.diff.dags.added].filter((d) => d.file === relative).map((d) => d.dagId);
    const marks = graphMarks(comparison.diff, dagId ?? dags[0] ?? '');
    await this.graph.compare(uri, marks, comparison.against);
    return marks;
  }

  /** From the Deployments view: every DAG that differs, to pick one. */
  private async fromEnvironment(name: string): Promise<GraphMarks | undefined> {
    const environment = this.deploy.environments().find((e) => e.name === name);
    if (!environment) return undefined;
    const comparisons = await Promise.all(environment.repositories.map((r) => this.compare(environment, r)));
    const items = comparisons.flatMap((c) =>
      [...c.diff.dags.changed, ...c.diff.dags.added].map((d) => ({
        label: d.dagId,
        description: `${c.repository.name} · ${d.file}`,
        detail: graphMarks(c.diff, d.dagId).lines.slice(1, 4).map((l) => l.trim()).join(' · '),
        value: { comparison: c, dagId: d.dagId, file: d.file },
      })),
    );
    const removed = comparisons.flatMap((c) => c.diff.dags.removed.map((d) => d.dagId));
    if (items.length === 0) {
      void vscode.window.showInformationMessage(`The workspace has no DAG that differs from what ${environment.name} serves${removed.length ? ` (removed: ${removed.join(', ')})` : ''}.`);
      return undefined;
    }
    const picked = await this.deploy.ui.pick(`Hangar: Compare with Live — DAGs that differ from ${environment.name}${removed.length ? ` (removed: ${removed.join(', ')})` : ''}`, items);
    if (!picked) return undefined;
    const marks = graphMarks(picked.comparison.diff, picked.dagId);
    await this.graph.compare(vscode.Uri.file(path.join(dagFolder(picked.comparison.repository), picked.file)), marks, picked.comparison.against);
    return marks;
  }

  private async compare(environment: Environment, repository: DeployRepository): Promise<LiveComparison> {
    const live = liveVersion(await this.deploy.history(environment), repository.name);
    const [before, after] = await Promise.all([live ? snapshotCommit(repository.path, live.commit, repository.subdir) : EMPTY, snapshotWorkingTree(repository.path, repository.subdir)]);
    const against = live ? `${environment.name} v${live.version} (${live.commit.slice(0, 12)})` : `${environment.name} (nothing deployed)`;
    return { environment, repository, against, diff: diffSnapshots(before, after) };
  }
}

function dagFolder(repository: DeployRepository): string {
  return path.join(repository.path, repository.subdir);
}

function contains(folder: string, file: string): boolean {
  const relative = path.relative(folder, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
