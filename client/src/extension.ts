import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { DeployController, deployCommands } from './deploy/deployController';
import { createDeploymentsView, type DeploymentsTreeProvider } from './deploy/historyTree';
import { DependencyDiagnostics } from './deps/dependencyDiagnostics';
import { DagGraphPanel } from './graph/dagGraphPanel';
import { HangarLanguageClient } from './languageClient';
import { createLanguageStatus } from './languageStatus';
import { createMarketplace, type MarketplacePanel } from './market';
import { repositoryCommands } from './repos/commands';
import { RepositoriesController } from './repos/controller';
import { createRepositoriesStatusBar } from './repos/statusBar';
import { stopAllProcessTrees } from '../../server/src/testing/processTree';
import { DagTestController } from './testing/dagTests';
import { selectAirflowPython } from './testing/interpreter';
import { onDidPromptForTrust, trusted } from './trust';
import { Prompts } from './prompts';
import { HistoryDocuments } from './views/historyDocuments';
import { RepositoriesTreeProvider } from './views/repositoriesTree';

/** What the extension exposes to other extensions and to its own editor tests. */
export interface HangarApi {
  readonly activationMs: number;
  readonly client: HangarLanguageClient;
  readonly marketplace: MarketplacePanel;
  readonly repositories: RepositoriesTreeProvider;
  readonly graph: DagGraphPanel;
  readonly deploy: DeployController;
  readonly deployments: DeploymentsTreeProvider;
  readonly tests: DagTestController;
  readonly dependencies: DependencyDiagnostics;
  /** The quick picks and input boxes of Add Repository, Deploy, Rollback and Promote (tests answer them). */
  readonly prompts: Prompts;
  readonly historyDocuments: HistoryDocuments;
  /** Fires with the action each time Restricted Mode refuses one. */
  readonly onDidPromptForTrust: vscode.Event<string>;
}

export async function activate(context: vscode.ExtensionContext): Promise<HangarApi> {
  const startedAt = Date.now();
  const log = vscode.window.createOutputChannel('Hangar', { log: true });
  const client = new HangarLanguageClient(context, log);
  const prompts = new Prompts();
  const repositories = new RepositoriesTreeProvider(new RepositoriesController(context, log, prompts));
  const marketplace = createMarketplace(context, client, log);
  const graph = new DagGraphPanel(context.extensionUri, client, log);
  const historyDocuments = new HistoryDocuments();
  const deploy = new DeployController(context, log, repositories.controller, prompts, historyDocuments);
  const deployments = createDeploymentsView(deploy);
  const tests = new DagTestController(context.globalStorageUri, log);
  const dependencies = new DependencyDiagnostics(log);

  context.subscriptions.push(
    log,
    prompts,
    historyDocuments,
    repositories.controller.onDidChange(() => historyDocuments.refresh()),
    client,
    graph,
    deploy,
    deployments.disposable,
    tests,
    dependencies,
    createLanguageStatus(client),
    repositories.controller,
    repositories,
    createRepositoriesStatusBar(repositories.controller),
    repositories.createView(),
    ...registerCommands({
      'hangar.restartServer': () => client.restart(),
      'hangar.showLogs': () => log.show(),
      'hangar.showDagGraph': (uri?: string | vscode.Uri, dagId?: string) => graph.show(uri, dagId),
      ...repositoryCommands(repositories.controller, log, historyDocuments, prompts),
      ...deployCommands(deploy),
      // The Testing view's run handler holds the trust guard of every DAG test and integrity test.
      'hangar.testDag': (uri: string | vscode.Uri, dagId: string) => tests.testDag(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri, dagId),
      'hangar.checkDependencies': trusted('Checking DAG dependencies', (uri?: vscode.Uri) => dependencies.check(uri instanceof vscode.Uri ? uri : undefined, { refresh: true })),
      'hangar.selectInterpreter': () => selectAirflowPython(),
      'hangar.addRequirement': trusted('Adding a requirement', (uri: vscode.Uri, requirement: string) => dependencies.addRequirement(uri, requirement)),
      'hangar.installMissingRequirements': trusted('Installing requirements', (uri?: vscode.Uri, requirements?: string[]) => dependencies.installMissing(uri, requirements)),
      'hangar.openMarketplace': trusted('The marketplace', (entryId?: string) => marketplace.open(typeof entryId === 'string' ? entryId : undefined)),
      'hangar.setMarketplaceToken': (token?: string) => marketplace.setToken(typeof token === 'string' ? token : undefined),
    }),
  );

  await client.start();
  const activationMs = Date.now() - startedAt;
  log.info(`Hangar activated in ${activationMs} ms`);
  return { activationMs, client, marketplace, repositories, graph, deploy, deployments: deployments.provider, tests, dependencies, prompts, historyDocuments, onDidPromptForTrust };
}

/** Ends every test, integrity check and pip process still running, with everything they started. */
export function deactivate(): Promise<void> {
  return stopAllProcessTrees();
}
