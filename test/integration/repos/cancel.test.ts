import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import { bindToRepository } from '../../../server/src/git/credentials';
import { OperationCancelled } from '../../../server/src/git/errors';
import { RepositoryStore } from '../../../server/src/repos/store';
import { syncRepository } from '../../../server/src/repos/sync';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';

describe('cancelling a sync while git talks to a slow remote', () => {
  let root: string;
  let server: GitHttpServer;

  before(async () => {
    root = tempDir('cancel');
    createRemote(path.join(root, 'served'), 'slow', { 'dags/a.py': dagSource('a') });
    server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'u', password: 'p', delayMs: 30_000 });
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('abort kills the running git, rejects with OperationCancelled and leaves no clone', async () => {
    const file = path.join(root, 'airflow-repos.yaml');
    const repository = loadConfigFile(file, `repositories:\n  - name: slow\n    url: ${server.url}/slow.git\n    auth: basic\n    username: u\n`).repositories[0]!;
    const storage = path.join(root, 'storage');
    const controller = new AbortController();
    const started = Date.now();
    const pending = syncRepository({ repository, storageDir: storage, credentials: { password: 'p', boundTo: bindToRepository(repository.url) }, signal: controller.signal });
    const deadline = Date.now() + 10_000;
    while (!server.requests.some((r) => r.endsWith(' 200')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.ok(server.requests.some((r) => r.endsWith(' 200')), 'git reached the server');
    controller.abort();
    await assert.rejects(pending, OperationCancelled);
    assert.ok(Date.now() - started < 10_000, 'cancelled long before the remote answered');
    assert.equal(existsSync(path.join(storage, 'clones', 'slow')), false);
    assert.equal(new RepositoryStore(storage).history('slow')[0]?.result, 'cancelled');
  });
});
