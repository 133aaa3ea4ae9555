// Entry point of a `hangar check` worker thread (dist/cli/checkWorker.js): checks its share of the files.
import { parentPort, workerData } from 'node:worker_threads';
import { createPythonParser } from '../analysis/parser';
import { checkFile, type CheckJob } from './checkFile';

void (async () => {
  const parser = await createPythonParser();
  const results = (workerData as CheckJob[]).map((job) => checkFile(job, parser));
  parser.delete();
  parentPort!.postMessage(results);
})();
