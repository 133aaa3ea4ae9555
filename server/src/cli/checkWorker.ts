// Entry point of a `hangar check` worker thread (dist/cli/checkWorker.js): checks its share of the files.
import { parentPort, workerData } from 'node:worker_threads';
import { createPythonParser } from '../analysis/parser';
import { checkShare, type Share } from './checkShare';

void (async () => {
  const share = workerData as Share;
  const parser = await createPythonParser(share.wasm);
  const part = checkShare(share, parser);
  parser.delete();
  parentPort!.postMessage(part);
})();
