import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import { bindToRepository } from '../../../server/src/git/credentials';
import { OperationCancelled } from '../../../server/src/git/errors';
import { RepositoryStore } from '../../../server/src/repos/store';
import { syncRepository } from '../../../server/src/repos/sync';
import { waitFor } from '../../support/airflow';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';

describe('cancelling a sync while git talks to a slow remote', () => {
  let root: string;
  let server: GitHttpServer;
  // The remote never answers until the test ends: a sync that settles can only have been cancelled.
  let releaseRemote!: () => void;

  before(async () => {
    root = tempDir('cancel');
    createRemote(path.join(root, 'served'), 'slow', { 'dags/a.py': dagSource('a') });
    server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'u', password: 'p', hold: new Promise<void>((resolve) => (releaseRemote = resolve)) });
  });
  after(async () => {
    releaseRemote();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('abort kills the running git, rejects with OperationCancelled and leaves no clone', { timeout: 60_000 }, async () => {
    const file = path.join(root, 'airflow-repos.yaml');
    const repository = loadConfigFile(file, `repositories:\n  - name: slow\n    url: ${server.url}/slow.git\n    auth: basic\n    username: u\n`).repositories[0]!;
    const storage = path.join(root, 'storage');
    const controller = new AbortController();
    const pending = syncRepository({ repository, storageDir: storage, credentials: { password: 'p', boundTo: bindToRepository(repository.url) }, signal: controller.signal });
    await waitFor('git to reach the server', () => server.requests.some((r) => r.endsWith(' 200')), 30_000);
    controller.abort();
    await assert.rejects(pending, OperationCancelled);
    assert.equal(existsSync(path.join(storage, 'clones', 'slow')), false);
    assert.equal(new RepositoryStore(storage).history('slow')[0]?.result, 'cancelled');
  });
});
