// Entry point of a `hangar check` worker thread (dist/cli/checkWorker.js): checks its share of the files.
import { parentPort, workerData } from 'node:worker_threads';
import { createPythonParser } from '../analysis/parser';
import { checkShare, type Share } from './checkShare';

void (async () => {
  const parser = await createPythonParser();
  const part = checkShare(workerData as Share, parser);
  parser.delete();
  parentPort!.postMessage(part);
})();
