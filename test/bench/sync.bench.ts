/**
 * Repository sync: a 1,000-DAG repository where one commit changes one file. Measures the first clone (with the
 * validation of every DAG file), then sync + re-validation after each one-file push, over a local path and over
 * Git smart HTTP on loopback (git http-backend with basic auth). Target: sync + re-validation <= 1 s, 1 file
 * re-validated.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { loadConfigFile } from '../../server/src/config/load';
import type { RepositoryConfig } from '../../server/src/config/types';
import { bindToRepository } from '../../server/src/git/credentials';
import { syncRepository, type SyncResult } from '../../server/src/repos/sync';
import { startGitHttpServer } from '../support/gitHttpServer';
import { createRemote, dagSource, tempDir } from '../support/gitRepos';
import { median, printTable, saveResults, type Bench } from './bench';

const DAGS = 1000;
const ROUNDS = 7;
const PASSWORD = 'bench-secret';

function repository(name: string, url: string, auth: 'none' | 'basic'): RepositoryConfig {
  const base = loadConfigFile('/nonexistent/airflow-repos.yaml', `repositories:\n  - name: ${name}\n    url: ${url}\n    branch: main\n    auth: ${auth}\n    username: bench\n`);
  return base.repositories[0]!;
}

async function measure(label: string, repo: RepositoryConfig, storageDir: string, push: (round: number) => void, password?: string) {
  const credentials = password ? { password, boundTo: bindToRepository(repo.url) } : undefined;
  const started = performance.now();
  const first = await syncRepository({ repository: repo, storageDir, credentials });
  const firstMs = performance.now() - started;
  const rounds: Array<{ ms: number; result: SyncResult }> = [];
  for (let round = 0; round < ROUNDS; round++) {
    push(round);
    const t = performance.now();
    const result = await syncRepository({ repository: repo, storageDir, credentials });
    rounds.push({ ms: performance.now() - t, result });
  }
  const times = rounds.map((r) => r.ms);
  return {
    label,
    firstCloneMs: firstMs,
    firstValidated: first.validation?.filesValidated ?? 0,
    dags: first.validation?.dags ?? 0,
    syncMedianMs: median(times),
    syncMaxMs: Math.max(...times),
    revalidated: [...new Set(rounds.map((r) => r.result.validation?.filesValidated))],
  };
}

const bench: Bench = {
  name: 'sync',
  description: `sync of a ${DAGS}-DAG repository: first clone, then one changed file per commit (${ROUNDS} rounds)`,
  async run() {
    const root = tempDir('bench-sync');
    try {
      const files: Record<string, string> = {};
      for (let i = 0; i < DAGS; i++) files[`dags/team_${i % 20}/dag_${i}.py`] = dagSource(`dag_${i}`, `# filler ${'x'.repeat(i % 200)}\n`);
      const built = performance.now();
      const remote = createRemote(path.join(root, 'served'), 'big', files);
      console.log(`built the repository (${DAGS} DAG files, one commit) in ${((performance.now() - built) / 1000).toFixed(1)} s`);
      const push = (round: number) => remote.commit({ 'dags/team_3/dag_503.py': dagSource('dag_503', `# round ${round}\n`) });

      const local = await measure('local path', repository('big-local', remote.bare, 'none'), path.join(root, 'storage-local'), push);
      const server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'bench', password: PASSWORD });
      let http;
      try {
        http = await measure('HTTP loopback', repository('big-http', `${server.url}/big.git`, 'basic'), path.join(root, 'storage-http'), push, PASSWORD);
      } finally {
        await server.close();
      }
      const rows = [local, http];
      printTable('Sync of a 1,000-DAG repository (target: sync + re-validation <= 1000 ms, 1 file re-validated)', [
        ['transport', 'first clone + validate all (ms)', 'files validated', 'DAGs', 'one-file sync median (ms)', 'max (ms)', 'files re-validated'],
        ...rows.map((r) => [r.label, r.firstCloneMs.toFixed(0), String(r.firstValidated), String(r.dags), r.syncMedianMs.toFixed(0), r.syncMaxMs.toFixed(0), r.revalidated.join(',')]),
      ]);
      console.log(`results: ${saveResults('sync', rows)}`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
