import * as vscode from 'vscode';

export interface EnvironmentState {
  readonly python: string;
  /** Airflow's version, when the interpreter has it. */
  readonly airflow?: string;
  /** Why the interpreter cannot be used (it has no Airflow, or it is not there). */
  readonly problem?: string;
}

const SELECT = 'Select Interpreter';

/**
 * The one place that says which Airflow environment dependency checks use: a language status item next to Python
 * files, and — once per interpreter — a notice with "Select Interpreter" when it has no Airflow. Per-import
 * errors are not shown against such an interpreter.
 */
export class AirflowEnvironmentStatus implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('hangar.airflowEnvironment', { language: 'python' });
  private readonly noticedFor = new Set<string>();
  state: EnvironmentState | undefined;
  /** Notices shown this session (the editor tests count them). */
  notices = 0;

  /** Whether the notice was shown for this interpreter this session. */
  noticed(python: string): boolean {
    return this.noticedFor.has(python);
  }

  constructor() {
    this.item.name = 'Airflow environment';
    this.item.text = '$(circle-outline) Airflow environment';
    this.item.detail = 'not checked yet';
    this.item.command = { title: SELECT, command: 'hangar.selectInterpreter' };
  }

  update(state: EnvironmentState): void {
    this.state = state;
    if (state.airflow) {
      this.item.text = `$(check) Airflow ${state.airflow}`;
      this.item.detail = state.python;
      this.item.severity = vscode.LanguageStatusSeverity.Information;
      return;
    }
    this.item.text = '$(warning) No Airflow interpreter';
    this.item.detail = state.problem;
    this.item.severity = vscode.LanguageStatusSeverity.Warning;
    if (this.noticedFor.has(state.python)) return;
    this.noticedFor.add(state.python);
    this.notices++;
    void vscode.window
      .showWarningMessage(`Hangar checks DAG dependencies against the interpreter of your Airflow environment: ${state.problem}`, SELECT)
      .then((choice) => choice && vscode.commands.executeCommand('hangar.selectInterpreter'));
  }

  dispose(): void {
    this.item.dispose();
  }
}
