import * as vscode from 'vscode';
import { airflowClient } from '../../../server/src/airflow/endpoint';
import { runsPerVersion, type VersionRuns } from '../../../server/src/airflow/runs';
import type { Environment } from '../../../server/src/deploy/types';
import type { DeployController } from './deployController';

/**
 * The DAG runs per deployed version for the Deployments view, asked of the environment's Airflow with the
 * credentials already in secret storage for that URL (never a prompt from a tree) or its token command; in a trusted
 * workspace only.
 */
export class VersionRunsSource implements vscode.Disposable {
  private readonly cache = new Map<string, Promise<VersionRuns[] | string>>();
  private readonly subscription: vscode.Disposable;

  constructor(private readonly controller: DeployController) {
    this.subscription = controller.onDidChange(() => this.cache.clear());
  }

  /** The runs per version, newest first, or why they cannot be shown. */
  runs(env: Environment): Promise<VersionRuns[] | string> {
    let runs = this.cache.get(env.name);
    if (!runs) this.cache.set(env.name, (runs = this.load(env)));
    return runs;
  }

  refresh(): void {
    this.cache.clear();
  }

  private async load(env: Environment): Promise<VersionRuns[] | string> {
    const airflow = env.airflow;
    if (!airflow) return 'no airflow.url: runs unknown';
    // The URL comes from the workspace: in Restricted Mode nothing is sent to it, stored credentials least of all.
    if (!vscode.workspace.isTrusted) return 'runs are read from Airflow only in a trusted workspace';
    const credentials = airflow.tokenCommand ? {} : await this.controller.storedAirflowCredentials(env.name, airflow.url);
    if (!credentials) return 'deploy once from the editor to store the Airflow credentials';
    try {
      const history = await this.controller.history(env);
      return await runsPerVersion(airflowClient(airflow, credentials), history, await this.controller.deployedDagIds(env, history));
    } catch (error) {
      return `runs unavailable: ${error instanceof Error ? error.message : String(error)}`;
    }
  }

  dispose(): void {
    this.subscription.dispose();
  }
}
