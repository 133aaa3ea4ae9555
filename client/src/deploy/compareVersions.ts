import * as vscode from 'vscode';
import { describeDiff } from '../../../server/src/dagdiff/format';
import { diffCommits } from '../../../server/src/dagdiff/versions';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { HistoryDocuments } from '../views/historyDocuments';
import type { DeployController } from './deployController';

/**
 * `hangar.compareWithPreviousVersion`: what a version changed in the DAGs compared with the version before it
 * (offered on a failed run of the live version), as a read-only document. Returns the text.
 */
export async function compareWithPreviousVersion(controller: DeployController, target?: { environment: string; version?: number }): Promise<string | undefined> {
  const env = controller.environments().find((e) => e.name === target?.environment) ?? controller.environments()[0];
  if (!env) return undefined;
  const history = await controller.history(env);
  const record = target?.version === undefined ? history.at(-1) : history.find((r) => r.version === target.version);
  if (!record) {
    void vscode.window.showInformationMessage(`Nothing was deployed to "${env.name}" yet.`);
    return undefined;
  }
  const previous = previousDifferent(history, record);
  const sections = await Promise.all(
    env.repositories.map(async (repository) => {
      const now = record.repositories.find((r) => r.name === repository.name)?.commit;
      if (!now) return [];
      const before = previous?.repositories.find((r) => r.name === repository.name)?.commit ?? null;
      const lines = await diffCommits(repository, before, now).then(describeDiff, (error: Error) => [`(no DAG diff: ${error.message.split('\n')[0]})`]);
      return [`${repository.name}: ${before ? `v${previous!.version} (${before.slice(0, 12)})` : 'nothing'} → v${record.version} (${now.slice(0, 12)})`, ...lines, ''];
    }),
  );
  const text = [`What v${record.version} of ${env.name} changed in the DAGs`, '', ...sections.flat()].join('\n');
  // An indented code block: whatever a DAG file names (ids, argument text) stays inert in the preview.
  await controller.documents.show(HistoryDocuments.uri('changes', `${env.name}-v${record.version}`), () => text.split('\n').map((line) => `    ${line}`).join('\n'));
  return text;
}

/** The newest version before `record` that served other commits. */
function previousDifferent(history: readonly HistoryRecord[], record: HistoryRecord): HistoryRecord | undefined {
  const key = (r: HistoryRecord): string => r.repositories.map((x) => `${x.name}@${x.commit}`).join(',');
  return [...history].reverse().find((r) => r.version < record.version && key(r) !== key(record));
}
