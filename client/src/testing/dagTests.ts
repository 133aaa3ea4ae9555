import os from 'node:os';
import path from 'node:path';
import * as vscode from 'vscode';
import { analyzeTree } from '../../../server/src/analysis/engine';
import { createPythonParser } from '../../../server/src/analysis/parser';
import type { DagFileModel } from '../../../server/src/analysis/model/types';
import { repositoryRoot } from '../../../server/src/deps/root';
import { describeEnvironment, requireAirflow } from '../../../server/src/pyenv/environment';
import { failureMessage, runDagTest } from '../../../server/src/testing/dagTest';
import { runIntegrityTest, type IntegrityFileResult } from '../../../server/src/testing/integrity';
import { hangarSetting } from '../settings';
import { requireTrust } from '../trust';
import { airflowPython } from './interpreter';

type Kind = 'repository' | 'file' | 'dag' | 'task';

const MAX_FILES = 2000;
const EXCLUDE = '**/{node_modules,.git,.venv,venv,.hangar,__pycache__}/**';

/**
 * The Testing view: repository → DAG file → DAG → tasks, from static analysis (nothing is imported to list
 * them). Running a repository or a file runs Airflow's integrity test; running a DAG or a task runs dag.test().
 */
export class DagTestController implements vscode.Disposable {
  readonly controller = vscode.tests.createTestController('hangar', 'Airflow DAGs');
  private readonly kinds = new WeakMap<vscode.TestItem, Kind>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Outcome of the last run of each item (`passed`, `failed`, `skipped`, `errored`), by item id. */
  readonly outcomes = new Map<string, string>();
  /** The message of the last failure of each item, by item id. */
  readonly messages = new Map<string, string>();
  private readonly parser = createPythonParser();
  /** Runs in progress: disposing the controller (extension shutdown) ends their processes. */
  private readonly running = new Set<AbortController>();

  constructor(
    private readonly storage: vscode.Uri,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.controller.resolveHandler = async (item) => {
      if (!item) await this.discover();
    };
    this.controller.refreshHandler = () => this.discover();
    this.controller.createRunProfile('Run', vscode.TestRunProfileKind.Run, (request, token) => this.run(request, token), true);
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.py');
    this.disposables.push(watcher, watcher.onDidChange((uri) => this.refreshFile(uri)), watcher.onDidCreate((uri) => this.refreshFile(uri)), watcher.onDidDelete((uri) => this.removeFile(uri)));
  }

  /** Lists every DAG file of the workspace (capped) with its DAGs and tasks. */
  async discover(): Promise<void> {
    const folders = hangarSetting('analysis.dagFolders');
    const pattern = `**/{${folders.join(',')}}/**/*.py`;
    const files = await vscode.workspace.findFiles(pattern, EXCLUDE, MAX_FILES);
    for (const uri of files) await this.refreshFile(uri);
  }

  /** Runs items as the Testing view's Run button does. */
  async runItems(items: readonly vscode.TestItem[]): Promise<void> {
    const cancellation = new vscode.CancellationTokenSource();
    await this.run(new vscode.TestRunRequest(items), cancellation.token);
  }

  /** Runs the DAG test of one DAG (the code lens "Test" action). */
  async testDag(uri: vscode.Uri, dagId: string): Promise<void> {
    await this.refreshFile(uri);
    const item = this.fileItem(uri)?.children.get(`${uri.toString()}#${dagId}`);
    if (!item) throw new Error(`${path.basename(uri.fsPath)} defines no DAG "${dagId}" that Hangar can see.`);
    await this.runItems([item]);
  }

  private repositoryItem(uri: vscode.Uri): vscode.TestItem {
    const root = repositoryRoot(uri.fsPath);
    const id = vscode.Uri.file(root).toString();
    let item = this.controller.items.get(id);
    if (!item) {
      item = this.controller.createTestItem(id, path.basename(root), vscode.Uri.file(root));
      this.kinds.set(item, 'repository');
      this.controller.items.add(item);
    }
    return item;
  }

  private fileItem(uri: vscode.Uri): vscode.TestItem | undefined {
    return this.repositoryItem(uri).children.get(uri.toString());
  }

  private async refreshFile(uri: vscode.Uri): Promise<void> {
    let source: string;
    try {
      source = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
    } catch {
      return this.removeFile(uri);
    }
    const lower = source.toLowerCase();
    if (!lower.includes('airflow') || !lower.includes('dag')) return this.removeFile(uri);
    const repository = this.repositoryItem(uri);
    const file = repository.children.get(uri.toString()) ?? this.controller.createTestItem(uri.toString(), path.basename(uri.fsPath), uri);
    this.kinds.set(file, 'file');
    // The model's nodes live as long as the tree: read them before it is freed.
    const tree = (await this.parser).parse(source);
    if (!tree) return;
    try {
      file.children.replace(this.dagItems(uri, analyzeTree({ path: uri.fsPath, source, tree }).model));
    } finally {
      tree.delete();
    }
    repository.children.add(file);
  }

  private dagItems(uri: vscode.Uri, model: DagFileModel): vscode.TestItem[] {
    const dags: vscode.TestItem[] = [];
    for (const dag of model.dags) {
      if (!dag.dagId.known) continue;
      const dagId = dag.dagId.value;
      if (dags.some((d) => d.label === dagId)) continue;
      const dagItem = this.controller.createTestItem(`${uri.toString()}#${dagId}`, dagId, uri);
      dagItem.range = toRange(dag.node);
      this.kinds.set(dagItem, 'dag');
      // A duplicated task id is an import error the file's diagnostics report; the tree lists it once.
      const seen = new Set<string>();
      dagItem.children.replace(
        dag.tasks.flatMap((task) => {
          if (!task.taskId.known || seen.has(task.taskId.value)) return [];
          seen.add(task.taskId.value);
          const taskItem = this.controller.createTestItem(`${dagItem.id}.${task.taskId.value}`, task.taskId.value, uri);
          taskItem.range = toRange(task.node);
          this.kinds.set(taskItem, 'task');
          return [taskItem];
        }),
      );
      dags.push(dagItem);
    }
    return dags;
  }

  private removeFile(uri: vscode.Uri): void {
    for (const [, repository] of this.controller.items) repository.children.delete(uri.toString());
  }

  private async run(request: vscode.TestRunRequest, token: vscode.CancellationToken): Promise<void> {
    if (!requireTrust('Running DAG tests')) return;
    const run = this.recording(this.controller.createTestRun(request));
    const abort = new AbortController();
    this.running.add(abort);
    // Cancel in the Testing view (or on the run's notification) reaches the run's own token.
    token.onCancellationRequested(() => abort.abort());
    run.token.onCancellationRequested(() => abort.abort());
    const roots = request.include ?? [...this.controller.items].map(([, item]) => item);
    try {
      const python = await airflowPython(roots[0]?.uri);
      requireAirflow(await describeEnvironment(python));
      const integrityFiles = new Set<vscode.TestItem>();
      const dagItems = new Set<vscode.TestItem>();
      for (const item of roots) {
        const kind = this.kinds.get(item);
        if (kind === 'repository') item.children.forEach((file) => integrityFiles.add(file));
        else if (kind === 'file') integrityFiles.add(item);
        else if (kind === 'dag') dagItems.add(item);
        else if (kind === 'task' && item.parent) dagItems.add(item.parent);
      }
      if (integrityFiles.size) await this.runIntegrity(run, python, [...integrityFiles], abort.signal);
      for (const dag of dagItems) {
        if (token.isCancellationRequested) break;
        await this.runDag(run, python, dag, abort.signal);
      }
    } catch (error) {
      if (abort.signal.aborted) {
        run.appendOutput('Cancelled: the test processes were stopped.\r\n');
        this.log.info('Testing: run cancelled; its processes were stopped');
        return;
      }
      const message = new vscode.TestMessage(error instanceof Error ? error.message : String(error));
      for (const item of roots) run.errored(item, message);
      this.log.error(`Testing: ${message.message}`);
    } finally {
      this.running.delete(abort);
      run.end();
    }
  }

  private async runIntegrity(run: vscode.TestRun, python: string, files: vscode.TestItem[], signal: AbortSignal): Promise<void> {
    for (const file of files) run.started(file);
    const report = await runIntegrityTest(python, files.map((f) => f.uri!.fsPath), { signal, testEnv: hangarSetting('testing.env', files[0]?.uri), onOutput: (line) => run.appendOutput(`${line}\r\n`) });
    for (const file of files) {
      const result = report.files.find((r) => r.file === file.uri!.fsPath);
      if (!result) run.skipped(file);
      else if (result.error) run.failed(file, importErrorMessage(file.uri!, result), result.parseMs);
      else if (result.slow) run.failed(file, new vscode.TestMessage(`Parsing took ${result.parseMs} ms, over half of dagbag_import_timeout (${report.timeoutS} s).`), result.parseMs);
      else run.passed(file, result.parseMs);
    }
  }

  private async runDag(run: vscode.TestRun, python: string, dag: vscode.TestItem, signal: AbortSignal): Promise<void> {
    run.started(dag);
    dag.children.forEach((task) => run.enqueued(task));
    const result = await runDagTest(python, dag.uri!.fsPath, dag.label, {
      airflowHome: path.join(this.storage.fsPath || os.tmpdir(), 'airflow-test-home'),
      testEnv: hangarSetting('testing.env', dag.uri),
      retries: hangarSetting('testing.retries', dag.uri),
      timeoutMs: hangarSetting('testing.timeoutSeconds', dag.uri) * 1000,
      signal,
      onOutput: (line) => run.appendOutput(`${line}\r\n`),
    });
    for (const task of result.tasks) {
      const item = dag.children.get(`${dag.id}.${task.taskId}`);
      if (!item) continue;
      if (task.state === 'success') run.passed(item);
      else if (task.state === 'skipped' || task.state === 'upstream_failed') run.skipped(item);
      else run.failed(item, new vscode.TestMessage(failureMessage(task)));
    }
    if (result.state === 'success') run.passed(dag, result.durationMs);
    else run.failed(dag, new vscode.TestMessage(result.error ?? `The DAG run ended ${result.state}.`), result.durationMs);
  }

  /** The run, with every outcome also kept in `outcomes`. */
  private recording(run: vscode.TestRun): vscode.TestRun {
    const keep = (outcome: string) => (item: vscode.TestItem, message?: vscode.TestMessage) => {
      this.outcomes.set(item.id, outcome);
      if (message) this.messages.set(item.id, typeof message.message === 'string' ? message.message : message.message.value);
      else this.messages.delete(item.id);
    };
    return Object.assign(Object.create(run) as vscode.TestRun, {
      passed: (item: vscode.TestItem, duration?: number) => (keep('passed')(item), run.passed(item, duration)),
      failed: (item: vscode.TestItem, message: vscode.TestMessage, duration?: number) => (keep('failed')(item, message), run.failed(item, message, duration)),
      skipped: (item: vscode.TestItem) => (keep('skipped')(item), run.skipped(item)),
      errored: (item: vscode.TestItem, message: vscode.TestMessage, duration?: number) => (keep('errored')(item, message), run.errored(item, message, duration)),
    });
  }

  dispose(): void {
    for (const abort of this.running) abort.abort();
    for (const d of this.disposables) d.dispose();
    this.controller.dispose();
  }
}

function importErrorMessage(uri: vscode.Uri, result: IntegrityFileResult): vscode.TestMessage {
  const message = new vscode.TestMessage(`${result.error}\n\n${result.trace ?? ''}`);
  if (result.line) message.location = new vscode.Location(uri, new vscode.Position(result.line - 1, 0));
  return message;
}

function toRange(node: { startPosition: { row: number; column: number }; endPosition: { row: number; column: number } }): vscode.Range {
  return new vscode.Range(node.startPosition.row, node.startPosition.column, node.endPosition.row, node.endPosition.column);
}
