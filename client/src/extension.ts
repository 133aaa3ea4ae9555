import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { DeployController, deployCommands } from './deploy/deployController';
import { createDeploymentsView } from './deploy/historyTree';
import { DependencyDiagnostics } from './deps/dependencyDiagnostics';
import { CompareWithLive } from './graph/compareWithLive';
import { DagGraphPanel } from './graph/dagGraphPanel';
import { HangarLanguageClient } from './languageClient';
import { createLanguageStatus } from './languageStatus';
import { createMarketplace, type MarketplacePanel } from './market';
import { repositoryCommands } from './repos/commands';
import { RepositoriesController } from './repos/controller';
import { createRepositoriesStatusBar } from './repos/statusBar';
import { DagTestController } from './testing/dagTests';
import { RepositoriesTreeProvider } from './views/repositoriesTree';

/** What the extension exposes to other extensions and to its own editor tests. */
export interface HangarApi {
  readonly activationMs: number;
  readonly client: HangarLanguageClient;
  readonly marketplace: MarketplacePanel;
  readonly repositories: RepositoriesTreeProvider;
  readonly graph: DagGraphPanel;
  readonly deploy: DeployController;
  readonly tests: DagTestController;
  readonly dependencies: DependencyDiagnostics;
}

export async function activate(context: vscode.ExtensionContext): Promise<HangarApi> {
  const startedAt = Date.now();
  const log = vscode.window.createOutputChannel('Hangar', { log: true });
  const client = new HangarLanguageClient(context, log);
  const repositories = new RepositoriesTreeProvider(new RepositoriesController(context, log));
  const marketplace = createMarketplace(context, client, log);
  const graph = new DagGraphPanel(context.extensionUri, client, log);
  const deploy = new DeployController(context, log, repositories.controller);
  const compareWithLive = new CompareWithLive(deploy, graph);
  const tests = new DagTestController(context.globalStorageUri, log);
  const dependencies = new DependencyDiagnostics(log);

  context.subscriptions.push(
    log,
    client,
    graph,
    deploy,
    createDeploymentsView(deploy),
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
      'hangar.compareWithLive': (target?: string | vscode.Uri | { environment: string }, dagId?: string) => compareWithLive.run(target, dagId),
      ...repositoryCommands(repositories.controller, log),
      ...deployCommands(deploy),
      'hangar.testDag': (uri: string | vscode.Uri, dagId: string) => tests.testDag(typeof uri === 'string' ? vscode.Uri.parse(uri) : uri, dagId),
      'hangar.checkDependencies': (uri?: vscode.Uri) => dependencies.check(uri),
      'hangar.addRequirement': (uri: vscode.Uri, requirement: string) => dependencies.addRequirement(uri, requirement),
      'hangar.installMissingRequirements': (uri?: vscode.Uri, requirements?: string[]) => dependencies.installMissing(uri, requirements),
      'hangar.openMarketplace': (entryId?: string) => marketplace.open(typeof entryId === 'string' ? entryId : undefined),
      'hangar.setMarketplaceToken': (token?: string) => marketplace.setToken(typeof token === 'string' ? token : undefined),
    }),
  );

  await client.start();
  const activationMs = Date.now() - startedAt;
  log.info(`Hangar activated in ${activationMs} ms`);
  return { activationMs, client, marketplace, repositories, graph, deploy, tests, dependencies };
}

export function deactivate(): void {
  // The client is disposed through context.subscriptions.
}
