import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { createPythonParser } from '../analysis/parser';
import type { CheckedFile, CheckJob } from './checkFile';
import { checkShare, joinParts, type Part, type Recording, type Share } from './checkShare';

/** Below this many files per thread, starting a worker (its own WebAssembly parser) costs more than it saves. */
const MIN_FILES_PER_WORKER = 40;

/** Workers need the bundled CLI (dist/cli/checkWorker.js); run from source, the check stays in this thread. */
const WORKER_SCRIPT = path.join(__dirname, 'checkWorker.js');

export interface CheckedAll {
  /** In the order of the work. */
  readonly results: CheckedFile[];
  /** Threads that checked files (this one and the workers); 0 when this thread checked them alone. */
  readonly threads: number;
  /** Why some results could not be recorded in the cache, when `record` was given and they could not. */
  readonly cacheProblem?: string;
}

/**
 * Checks every job: with enough files, on `jobs` threads, this one and `jobs` - 1 workers taking the next file from
 * a shared counter (this thread works while the workers start); else in this thread. With `record`, each thread
 * writes the cache entries of the files it checked.
 */
export async function checkAll(work: readonly CheckJob[], jobs: number, record?: Recording): Promise<CheckedAll> {
  if (work.length === 0) return { results: [], threads: 0 }; // every file came from the cache: no parser to load
  const threads = Math.min(jobs, Math.floor(work.length / MIN_FILES_PER_WORKER));
  const inThread = threads < 2 || !existsSync(WORKER_SCRIPT);
  const share: Share = { jobs: work, ...(record ? { record } : {}), ...(inThread ? {} : { next: new Int32Array(new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT)) }) };
  const workers = inThread ? [] : Array.from({ length: threads - 1 }, () => runWorker(share));
  const parts = await Promise.all([...workers, checkHere(share)]);
  const cacheProblem = parts.find((part) => part.cacheProblem)?.cacheProblem;
  return { results: joinParts(work, parts), threads: inThread ? 0 : threads, ...(cacheProblem ? { cacheProblem } : {}) };
}

/** A counting semaphore: at most `free` runs at once, the others wait in arrival order. */
class Slots {
  private readonly waiting: Array<() => void> = [];

  constructor(private free: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** Worker threads the background callers of one process share: one core stays free for the event loop, four at most. */
const BACKGROUND_WORKERS = Math.min(4, Math.max(1, availableParallelism() - 1));
/**
 * Heap of a background worker. A 1 MB file needs well under half of it; without a cap V8 lets the garbage of a
 * batch of large files pile up to gigabytes before collecting.
 */
const BACKGROUND_HEAP_MB = 256;
const backgroundSlots = new Slots(BACKGROUND_WORKERS);
/** Runs `work` (which starts its own worker thread) in one of the background slots every server caller shares. */
export function inBackgroundSlot<T>(work: () => Promise<T>): Promise<T> {
  return backgroundSlots.run(work);
}

/** A batch holds at most this many files and bytes, so the memory in flight is bounded by the slots. */
const BATCH_FILES = 400;
const BATCH_BYTES = 16 * 1024 * 1024;

export interface BackgroundOptions<T> {
  /** The bytes `load` reads for an item (0 when the worker reads the file itself). */
  readonly bytes?: (item: T) => number;
  readonly signal?: AbortSignal;
}

/**
 * For servers (the agent, and the sync validation and deploy gate it runs): checks `items` on worker threads, never
 * on the caller's event loop, at most BACKGROUND_WORKERS at a time across the process. Items go in batches; a batch's
 * jobs are made by `load` (which may read file contents) only once a worker is free for it. Results come back in the
 * order of `items`; an abort terminates the workers.
 */
export async function checkInBackground<T>(items: readonly T[], load: (batch: readonly T[]) => Promise<CheckJob[]> | CheckJob[], options: BackgroundOptions<T> = {}): Promise<CheckedFile[]> {
  const run = async (batch: readonly T[]): Promise<CheckedFile[]> => {
    options.signal?.throwIfAborted();
    const jobs = await load(batch);
    return existsSync(WORKER_SCRIPT) ? joinParts(jobs, [await runWorker({ jobs }, { signal: options.signal })]) : checkInThread(jobs);
  };
  const parts = await Promise.all(batchesOf(items, options.bytes ?? (() => 0)).map((batch) => backgroundSlots.run(() => run(batch))));
  return parts.flat();
}

function batchesOf<T>(items: readonly T[], bytes: (item: T) => number): T[][] {
  const batches: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const item of items) {
    if (current.length > 0 && (current.length >= BATCH_FILES || size + bytes(item) > BATCH_BYTES)) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(item);
    size += bytes(item);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

async function checkInThread(work: readonly CheckJob[]): Promise<CheckedFile[]> {
  return joinParts(work, [await checkHere({ jobs: work })]);
}

async function checkHere(share: Share): Promise<Part> {
  const parser = await createPythonParser();
  try {
    return checkShare(share, parser);
  } finally {
    parser.delete();
  }
}

function runWorker(share: Share, background?: { signal?: AbortSignal }): Promise<Part> {
  const signal = background?.signal;
  return new Promise((resolve, reject) => {
    const worker = new Worker(WORKER_SCRIPT, { workerData: share, ...(background ? { resourceLimits: { maxOldGenerationSizeMb: BACKGROUND_HEAP_MB } } : {}) });
    const abort = (): void => {
      reject(signal!.reason as Error);
      void worker.terminate();
    };
    signal?.addEventListener('abort', abort, { once: true });
    let results: Part | undefined;
    worker.once('message', (message: Part) => (results = message));
    worker.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ERR_WORKER_OUT_OF_MEMORY') return reject(error);
      const { jobs } = share;
      const files = `${jobs[0]?.path}${jobs.length > 1 ? ` or one of ${jobs.length - 1} other file(s) checked with it` : ''}`;
      reject(new Error(`analysing ${files} needed more than ${BACKGROUND_HEAP_MB} MB of memory; Hangar stopped the analysis`));
    });
    worker.once('exit', (code) => {
      signal?.removeEventListener('abort', abort);
      if (results) resolve(results);
      else reject(new Error(`a hangar check worker stopped (exit code ${code}) before reporting`));
    });
  });
}
