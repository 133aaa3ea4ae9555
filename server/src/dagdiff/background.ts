import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { inBackgroundSlot } from '../cli/checkPool';
import type { SemanticDiff } from './types';
import { diffCommits, type RepositoryFolder } from './versions';

/** Bundled next to the CLI (dist/cli/dagdiffWorker.js); run from source or in the editor, the diff stays in this thread. */
const WORKER_SCRIPT = path.join(__dirname, 'dagdiffWorker.js');
/** Heap of a diff worker: a 1 MB DAG file (15,000 tasks) needs more than 128 MB; four of them fit in 160 MB. Less than the check workers' 256 MB, so garbage is collected early. */
const DIFF_HEAP_MB = 192;

/**
 * `diffCommits` for servers (the agent's deploys and pull-request comments, the CLI's deploy summaries): on a worker
 * thread with a capped heap, in the background slots the gate and the checks share, never on the event loop, so a
 * large DAG file does not stall `/healthz`.
 */
export function diffCommitsInBackground(repository: RepositoryFolder, from: string | null, to: string): Promise<SemanticDiff> {
  if (!existsSync(WORKER_SCRIPT)) return diffCommits(repository, from, to);
  const plain = { name: repository.name, path: repository.path, subdir: repository.subdir };
  return inBackgroundSlot(
    () =>
      new Promise<SemanticDiff>((resolve, reject) => {
        const worker = new Worker(WORKER_SCRIPT, { workerData: { repository: plain, from, to }, resourceLimits: { maxOldGenerationSizeMb: DIFF_HEAP_MB } });
        let answer: { diff?: SemanticDiff; error?: string } | undefined;
        worker.once('message', (message: { diff?: SemanticDiff; error?: string }) => (answer = message));
        worker.once('error', (error: NodeJS.ErrnoException) =>
          reject(error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? new Error(`the DAG diff of ${repository.name} needed more than ${DIFF_HEAP_MB} MB of memory; Hangar stopped it`) : error),
        );
        worker.once('exit', (code) => {
          if (answer?.diff) resolve(answer.diff);
          else reject(new Error(answer?.error ?? `a DAG diff worker stopped (exit code ${code}) before reporting`));
        });
      }),
  );
}
