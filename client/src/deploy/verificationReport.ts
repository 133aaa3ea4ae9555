import * as vscode from 'vscode';
import { describeBrokenLive, describeVerification } from '../../../server/src/deploy/format';
import type { DeployPlan } from '../../../server/src/deploy/service';
import type { HistoryRecord } from '../../../server/src/deploy/types';

/** What the user can do next from the result message. */
export interface NextSteps {
  promote(from: string, to: string): void;
  rollback(environment: string): void;
  showLogs(): void;
}

/**
 * The result of a deploy, rollback or promotion: import errors Airflow reported become diagnostics on the
 * workspace files they map to, and one message says what is live now and offers what to do next.
 */
export class VerificationReport implements vscode.Disposable {
  readonly diagnostics = vscode.languages.createDiagnosticCollection('hangar-deploy');
  /** The last message shown (the editor tests read it). */
  lastMessage: string | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  show(plan: DeployPlan, record: HistoryRecord, otherEnvironments: readonly string[], next: NextSteps): void {
    const verification = record.verification;
    const env = plan.environment.name;
    this.log.info(`${env} v${record.version}: ${describeVerification(verification)}`);
    this.publishImportErrors(plan, record);
    if (verification?.status === 'verified' || verification?.status === 'skipped') {
      const text = `${env} v${record.version} is live. ${verification.message}`;
      const actions = verification.status === 'verified' ? otherEnvironments.map((e) => `Promote to ${e}`) : [];
      this.lastMessage = text;
      void vscode.window.showInformationMessage(text, ...actions).then((choice) => {
        const target = otherEnvironments.find((e) => choice === `Promote to ${e}`);
        if (target) next.promote(env, target);
      });
      return;
    }
    const rollback = 'Roll Back';
    const text =
      verification?.status === 'import-errors'
        ? describeBrokenLive(env, record, 'choose Roll Back.')
        : `${env} v${record.version} IS LIVE, but Airflow did not confirm it: ${verification?.message ?? 'not verified'}`;
    this.lastMessage = text;
    void vscode.window.showWarningMessage(text, rollback, 'Show Logs').then((choice) => {
      if (choice === rollback) next.rollback(env);
      if (choice === 'Show Logs') next.showLogs();
    });
  }

  private publishImportErrors(plan: DeployPlan, record: HistoryRecord): void {
    this.diagnostics.clear();
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const error of record.verification?.importErrors ?? []) {
      if (!error.file) continue;
      const line = Math.max(0, (error.line ?? 1) - 1);
      const diagnostic = new vscode.Diagnostic(
        new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER),
        `Airflow (${plan.environment.name}, v${record.version} is live): ${error.message}`,
        vscode.DiagnosticSeverity.Error,
      );
      diagnostic.source = 'hangar deploy';
      byFile.set(error.file, [...(byFile.get(error.file) ?? []), diagnostic]);
    }
    for (const [file, diagnostics] of byFile) this.diagnostics.set(vscode.Uri.file(file), diagnostics);
  }

  dispose(): void {
    this.diagnostics.dispose();
  }
}
