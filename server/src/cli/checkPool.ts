import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createPythonParser } from '../analysis/parser';
import { checkFile, type CheckedFile, type CheckJob } from './checkFile';

/** Below this many files per thread, starting a worker (its own WebAssembly parser) costs more than it saves. */
const MIN_FILES_PER_WORKER = 40;

/**
 * Checks every job, on up to `jobs` worker threads when there are enough files, else in this thread.
 * Results come back in the order of `work`. Workers need the bundled CLI (dist/cli/checkWorker.js); run from
 * source, the check stays in this thread.
 */
export async function checkAll(work: readonly CheckJob[], jobs: number): Promise<CheckedFile[]> {
  if (work.length === 0) return []; // every file came from the cache: no parser to load
  const workers = Math.min(jobs, Math.floor(work.length / MIN_FILES_PER_WORKER));
  const script = path.join(__dirname, 'checkWorker.js');
  if (workers < 2 || !existsSync(script)) {
    const parser = await createPythonParser();
    try {
      return work.map((job) => checkFile(job, parser));
    } finally {
      parser.delete();
    }
  }
  // Round-robin shares: neighbouring files (often similar in size) spread over the workers.
  const shares = Array.from({ length: workers }, (_, w) => work.filter((_, i) => i % workers === w));
  const parts = await Promise.all(shares.map((share) => runWorker(script, share)));
  const results: CheckedFile[] = new Array<CheckedFile>(work.length);
  parts.forEach((part, w) => part.forEach((result, k) => (results[k * workers + w] = result)));
  return results;
}

function runWorker(script: string, share: CheckJob[]): Promise<CheckedFile[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(script, { workerData: share });
    let results: CheckedFile[] | undefined;
    worker.once('message', (message: CheckedFile[]) => (results = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (results ? resolve(results) : reject(new Error(`a hangar check worker stopped (exit code ${code}) before reporting`))));
  });
}
