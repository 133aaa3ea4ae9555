import { spawn } from 'node:child_process';
import { withoutSecrets } from '../../secretVariables';
import type { Marketplace } from '../marketplace';
import type { MarketStore } from '../service/store';
import type { CatalogVerifyReport } from './catalogVerify';
import type { EntryVerification } from './types';

export interface VerificationJob {
  entryId: string;
  localId: string;
  catalogRoot: string;
  /** The sha256 the file had when the job was queued (the worker records the sha256 it actually verified). */
  sha256: string;
}

export interface ServiceVerifierOptions {
  versions: readonly string[];
  timeoutS: number;
  log: (line: string) => void;
}

/**
 * Verifies one job in a child process: this same CLI running `hangar market verify CATALOG --entry ID --json`, in its
 * own process group, without the service's secrets in its environment. The service only waits for its output.
 */
function runInChild(job: VerificationJob, options: ServiceVerifierOptions, signal: AbortSignal): Promise<EntryVerification> {
  const args = [...process.execArgv, process.argv[1]!, 'market', 'verify', job.catalogRoot, '--entry', job.localId, '--airflow', options.versions.join(','), '--timeout', String(options.timeoutS), '--json'];
  const env = withoutSecrets(process.env);
  // Every version may install its environment and run each DAG's test to the limit.
  const limitMs = options.versions.length * (options.timeoutS * 20 + 1_800) * 1000;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let stdout = '';
    let stderr = '';
    const kill = (): void => {
      if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
    };
    const timer = setTimeout(kill, limitMs);
    signal.addEventListener('abort', kill, { once: true });
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-8192)));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', kill);
      try {
        const record = (JSON.parse(stdout) as CatalogVerifyReport).verified[0]?.record;
        if (record) return resolve(record);
      } catch {
        // not a report: the reason is on stderr
      }
      reject(new Error(`the verification worker exited with ${code}: ${stderr.trim().split('\n').slice(-3).join(' ')}`));
    });
  });
}

/**
 * The marketplace service's verification worker: after every catalog load it queues each entry whose file (by
 * sha256) has no result of the service for every configured Airflow version, and verifies them one at a time in a
 * child process, off the request path. Results are stored in the service database by entry and sha256.
 */
export class ServiceVerifier {
  private readonly queue: VerificationJob[] = [];
  private running: VerificationJob | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly db: MarketStore,
    private readonly options: ServiceVerifierOptions,
  ) {}

  /** Ends the running verification (its whole process group) and starts no other. */
  stop(): void {
    this.queue.length = 0;
    this.stopping.abort();
  }

  /** Whether this file of the entry waits for or is in this replica's worker. */
  isPending(entryId: string, sha256: string): boolean {
    return [this.running, ...this.queue].some((job) => job?.entryId === entryId && job.sha256 === sha256);
  }

  private isDone(record: EntryVerification | undefined, sha256: string): boolean {
    return record?.sha256 === sha256 && this.options.versions.every((v) => record.results.some((r) => r.airflow === v && r.result !== 'error'));
  }

  /** Queues the entries of a freshly loaded marketplace that are new or changed. */
  async sync(market: Marketplace): Promise<void> {
    const files = market.entries.map((entry) => ({ entryId: entry.id, sha256: market.currentSha256(entry.id) ?? '' }));
    const records = await this.db.verificationsOf(files);
    // Pending is checked after the await: a sync running at the same time may have queued an entry meanwhile.
    for (const { entryId, sha256 } of files) {
      if (!sha256 || this.isDone(records.get(entryId), sha256) || this.isPending(entryId, sha256)) continue;
      const entry = market.entry(entryId);
      this.queue.push({ entryId, localId: entry.entry.localId, catalogRoot: entry.root, sha256 });
    }
    void this.next();
  }

  private async next(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job || this.stopping.signal.aborted) return;
    this.running = job;
    const started = Date.now();
    try {
      const record = await runInChild(job, this.options, this.stopping.signal);
      await this.db.saveVerification(job.entryId, record);
      this.options.log(`verified ${job.entryId} (sha256 ${record.sha256.slice(0, 12)}) in ${((Date.now() - started) / 1000).toFixed(1)} s: ${record.results.map((r) => `${r.airflow} ${r.result}`).join(', ')}`);
    } catch (error) {
      this.options.log(`could not verify ${job.entryId}: ${(error as Error).message}`);
    } finally {
      this.running = undefined;
      void this.next();
    }
  }

}
