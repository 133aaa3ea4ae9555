import { readFileSync } from 'node:fs';
import path from 'node:path';
import writeFileAtomic from 'write-file-atomic';
import * as vscode from 'vscode';
import { checkDependencies, type DependencyFinding } from '../../../server/src/deps/check';
import { installRequirements } from '../../../server/src/deps/install';
import { repositoryRoot } from '../../../server/src/deps/root';
import { mergeRequirements } from '../../../server/src/market/requirements';
import { parseRequirement } from '../../../server/src/market/requirementsSpec';
import { describeEnvironment, forgetEnvironment, type PythonEnvironment } from '../../../server/src/pyenv/environment';
import { hangarSetting } from '../settings';
import { airflowPython, onDidChangeAirflowPython } from '../testing/interpreter';
import { AirflowEnvironmentStatus } from './environmentStatus';

const SOURCE = 'hangar-deps';
const severities = { error: vscode.DiagnosticSeverity.Error, warning: vscode.DiagnosticSeverity.Warning, info: vscode.DiagnosticSeverity.Information, hint: vscode.DiagnosticSeverity.Hint };

/** Dependency diagnostics (HGR501–504) for the DAG files of the workspace, checked against the Airflow environment. */
export class DependencyDiagnostics implements vscode.Disposable, vscode.CodeActionProvider {
  readonly collection = vscode.languages.createDiagnosticCollection(SOURCE);
  private readonly distributions = new WeakMap<vscode.Diagnostic, string>();
  private readonly disposables: vscode.Disposable[] = [];
  /** Which interpreter the checks use, shown next to Python files. */
  readonly environment = new AirflowEnvironmentStatus();

  constructor(private readonly log: vscode.LogOutputChannel) {
    const quietly = (work: Promise<unknown>): void => void work.catch((e: unknown) => this.log.warn(`Dependency check: ${e instanceof Error ? e.message : String(e)}`));
    this.disposables.push(
      this.environment,
      vscode.languages.registerCodeActionsProvider([{ language: 'python' }, { pattern: '**/requirements.txt' }], this, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
      vscode.workspace.onDidSaveTextDocument((doc) => {
        if (doc.languageId === 'python' && vscode.workspace.isTrusted) quietly(this.check(doc.uri));
      }),
      // A new interpreter makes every dependency diagnostic stale: check again at once.
      onDidChangeAirflowPython(() => vscode.workspace.isTrusted && quietly(this.check(undefined, { refresh: true }))),
      // The status item says which interpreter is used from the first Python file on, before any check.
      vscode.workspace.onDidOpenTextDocument((doc) => this.probe(doc)),
      vscode.workspace.onDidGrantWorkspaceTrust(() => vscode.workspace.textDocuments.forEach((doc) => this.probe(doc))),
    );
    vscode.workspace.textDocuments.forEach((doc) => this.probe(doc));
  }

  /** Describes the interpreter once (status item and notice only), in a trusted workspace, for a Python file. */
  private probe(doc: vscode.TextDocument): void {
    if (doc.languageId !== 'python' || doc.uri.scheme !== 'file' || this.environment.state || !vscode.workspace.isTrusted) return;
    void this.environmentOf(doc.uri, false).catch((e: unknown) => this.log.warn(`Airflow environment: ${String(e)}`));
  }

  /**
   * Checks the repository holding `uri` (or every workspace folder) and replaces its diagnostics. `refresh`
   * describes the interpreter again (packages may have been installed outside Hangar). Against an interpreter
   * without Airflow nothing is reported per import: the environment status says what to do, once.
   */
  async check(uri?: vscode.Uri, { refresh = false } = {}): Promise<DependencyFinding[]> {
    const roots = uri ? [repositoryRoot(uri.fsPath)] : (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const all: DependencyFinding[] = [];
    for (const root of roots) {
      const env = await this.environmentOf(vscode.Uri.file(root), refresh);
      const pattern = new vscode.RelativePattern(root, `**/{${hangarSetting('analysis.dagFolders', vscode.Uri.file(root)).join(',')}}/**/*.py`);
      const files = (await vscode.workspace.findFiles(pattern, '**/{node_modules,.git,.venv,venv,.hangar}/**', 2000)).map((f) => f.fsPath);
      const byRepository = new Map<string, string[]>();
      for (const file of files) {
        const repository = repositoryRoot(file);
        byRepository.set(repository, [...(byRepository.get(repository) ?? []), file]);
      }
      for (const [repository, repositoryFiles] of byRepository) {
        const findings = env ? await checkDependencies({ root: repository, files: repositoryFiles, env }) : [];
        this.publish(repository, findings);
        all.push(...findings);
      }
    }
    return all;
  }

  /** The interpreter's description, or undefined (status and notice updated) when it has no Airflow. */
  private async environmentOf(resource: vscode.Uri, refresh: boolean): Promise<PythonEnvironment | undefined> {
    const python = await airflowPython(resource);
    if (refresh) forgetEnvironment(python);
    let env: PythonEnvironment;
    try {
      env = await describeEnvironment(python);
    } catch (error) {
      this.environment.update({ python, problem: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    if (!env.airflow) {
      this.environment.update({ python: env.python, problem: `${env.python} has no Apache Airflow installed.` });
      return undefined;
    }
    this.environment.update({ python: env.python, airflow: env.airflow });
    return env;
  }

  private publish(repository: string, findings: DependencyFinding[]): void {
    this.collection.forEach((uri) => {
      if (uri.fsPath.startsWith(`${repository}${path.sep}`)) this.collection.delete(uri);
    });
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const finding of findings) {
      const { start, end } = finding.range;
      const diagnostic = new vscode.Diagnostic(new vscode.Range(start.line, start.character, end.line, end.character), finding.message, severities[finding.severity]);
      diagnostic.source = 'hangar';
      diagnostic.code = finding.ruleId;
      if (finding.distribution) this.distributions.set(diagnostic, finding.distribution);
      byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.collection.set(vscode.Uri.file(file), diagnostics);
  }

  provideCodeActions(document: vscode.TextDocument, _range: vscode.Range, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const actions: vscode.CodeAction[] = [];
    for (const diagnostic of context.diagnostics) {
      const distribution = this.distributions.get(diagnostic);
      if (!distribution) continue;
      const add = new vscode.CodeAction(`Add ${distribution} to requirements.txt`, vscode.CodeActionKind.QuickFix);
      add.command = { title: add.title, command: 'hangar.addRequirement', arguments: [document.uri, distribution] };
      add.diagnostics = [diagnostic];
      actions.push(add);
      if (diagnostic.code === 'HGR501' || diagnostic.code === 'HGR502') {
        const install = new vscode.CodeAction('Install missing requirements into the Airflow environment', vscode.CodeActionKind.QuickFix);
        install.command = { title: install.title, command: 'hangar.installMissingRequirements', arguments: [document.uri] };
        install.diagnostics = [diagnostic];
        actions.push(install);
      }
    }
    return actions;
  }

  /** Merges a requirement into the repository's requirements.txt (sorted, no duplicates, conflicts reported). */
  async addRequirement(uri: vscode.Uri, requirement: string): Promise<void> {
    const parsed = parseRequirement(requirement);
    if (!parsed) throw new Error(`"${requirement}" is not a requirement.`);
    const file = path.join(repositoryRoot(uri.fsPath), 'requirements.txt');
    let existing = '';
    try {
      existing = readFileSync(file, 'utf8');
    } catch {
      // a new requirements.txt
    }
    const merged = mergeRequirements(existing, [parsed]);
    if (merged.conflicts.length) {
      void vscode.window.showWarningMessage(`requirements.txt already pins ${merged.conflicts.map((c) => c.existing).join(', ')}, which conflicts with ${requirement}; nothing was changed.`);
      return;
    }
    if (merged.changed) await writeFileAtomic(file, merged.text);
    await this.check(uri);
  }

  /** Installs what HGR501/HGR502 found missing (or `requirements`) with pip, under progress, then checks again. */
  async installMissing(uri?: vscode.Uri, requirements?: string[]): Promise<void> {
    const wanted = requirements ?? [...new Set(this.missing(uri))];
    if (!wanted.length) {
      void vscode.window.showInformationMessage('Hangar: nothing to install; every import and declared requirement is satisfied.');
      return;
    }
    const python = await airflowPython(uri);
    const answer = requirements ? 'Install' : await vscode.window.showWarningMessage(`Install ${wanted.join(', ')} into ${python}?`, { modal: true }, 'Install');
    if (answer !== 'Install') return;
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Installing ${wanted.join(', ')}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        token.onCancellationRequested(() => abort.abort());
        await installRequirements(python, wanted, {
          signal: abort.signal,
          onOutput: (line) => {
            this.log.info(`pip: ${line}`);
            progress.report({ message: line.slice(0, 80) });
          },
        });
      },
    );
    forgetEnvironment(python);
    await this.check(uri);
  }

  private missing(uri?: vscode.Uri): string[] {
    const wanted: string[] = [];
    const repository = uri && repositoryRoot(uri.fsPath);
    this.collection.forEach((file, diagnostics) => {
      if (repository && repositoryRoot(file.fsPath) !== repository) return;
      for (const d of diagnostics) {
        const distribution = this.distributions.get(d);
        if (distribution && (d.code === 'HGR501' || d.code === 'HGR502')) wanted.push(distribution);
      }
    });
    return wanted;
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
    this.collection.dispose();
  }
}
