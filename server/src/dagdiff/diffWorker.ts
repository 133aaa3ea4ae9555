// Entry point of a semantic-diff worker thread (dist/cli/dagdiffWorker.js): one diffCommits off the caller's event loop.
import { parentPort, workerData } from 'node:worker_threads';
import { diffCommits, type RepositoryFolder } from './versions';

const { repository, from, to } = workerData as { repository: RepositoryFolder; from: string | null; to: string };
diffCommits(repository, from, to).then(
  (diff) => parentPort!.postMessage({ diff }),
  (error: unknown) => parentPort!.postMessage({ error: error instanceof Error ? error.message : String(error) }),
);
