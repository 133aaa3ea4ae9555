import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import type { RepositoryConfig } from '../../../server/src/config/types';
import { bindToRepository } from '../../../server/src/git/credentials';
import { InvalidCredentials } from '../../../server/src/git/errors';
import { GitClient } from '../../../server/src/git/gitClient';
import { credentialsFromEnv } from '../../../server/src/repos/envCredentials';
import { RepositoryStore } from '../../../server/src/repos/store';
import { syncRepository } from '../../../server/src/repos/sync';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, filesContaining, tempDir } from '../../support/gitRepos';

const PASSWORD = 'correct-horse-battery-7f3a9c';
const WRONG = 'wrong-password-b81d2e';

describe('credentials over Git smart HTTP with basic auth', () => {
  let root: string;
  let workspace: string;
  let storage: string;
  let server: GitHttpServer;
  let repository: RepositoryConfig;
  const logs: string[] = [];

  before(async () => {
    root = tempDir('creds');
    workspace = path.join(root, 'workspace');
    storage = path.join(root, 'storage');
    createRemote(path.join(root, 'served'), 'company', { 'dags/orders.py': dagSource('orders') });
    server = await startGitHttpServer({ projectRoot: path.join(root, 'served'), username: 'alice', password: PASSWORD });
    const file = path.join(root, 'airflow-repos.yaml');
    writeFileSync(file, `repositories:\n  - name: company\n    url: ${server.url}/company.git\n    branch: main\n    auth: basic\n    username: alice\n`);
    const config = loadConfigFile(file);
    assert.deepEqual(config.errors, []);
    repository = { ...config.repositories[0]!, path: path.join(workspace, 'company') };
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  /** The secret must be nowhere: workspace, clone (incl. .git/config), storage, logs, server log. */
  function assertNoSecret(secret: string, extra: readonly string[] = []): void {
    for (const dir of [workspace, storage, root]) if (existsSync(dir)) assert.deepEqual(filesContaining(dir, secret), [], `${secret} written under ${dir}`);
    for (const line of [...logs, ...server.requests, ...extra]) assert.ok(!line.includes(secret), `secret in: ${line}`);
  }

  test('a wrong password is InvalidCredentials and writes no clone', async () => {
    const error = await syncRepository({
      repository,
      storageDir: storage,
      credentials: { password: WRONG, boundTo: bindToRepository(repository.url) },
      log: (line) => logs.push(line),
    }).catch((e: unknown) => e);
    assert.ok(error instanceof InvalidCredentials, `expected InvalidCredentials, got ${String(error)}`);
    assert.match(error.message, /Invalid credentials/);
    assert.equal(existsSync(workspace), false, 'no clone folder, not even partial');
    assert.equal(new RepositoryStore(storage).history('company')[0]?.error?.kind, 'invalid-credentials');
    assertNoSecret(WRONG, [error.message, error.stack ?? '']);
  });

  test('no credentials at all fails fast as InvalidCredentials instead of prompting', async () => {
    await assert.rejects(syncRepository({ repository, storageDir: storage }), InvalidCredentials);
  });

  test('the right password (from the environment, as the CLI reads it) syncs, and is stored nowhere', async () => {
    const credentials = credentialsFromEnv(repository, { HANGAR_GIT_PASSWORD_COMPANY: PASSWORD });
    assert.equal(credentials?.password, PASSWORD);
    const result = await syncRepository({ repository, storageDir: storage, credentials, log: (line) => logs.push(line) });
    assert.equal(result.result, 'synced');
    assert.deepEqual(result.added, ['dags/orders.py']);
    assert.ok(readdirSync(path.join(workspace, 'company', '.git')).includes('config'));
    assertNoSecret(PASSWORD);
  });

  test('ls-remote with rotated (wrong) credentials is InvalidCredentials; with the right ones lists branches', async () => {
    const wrong = new GitClient({ access: { auth: 'basic', username: 'alice', credentials: { password: WRONG, boundTo: bindToRepository(repository.url) } } });
    await assert.rejects(wrong.lsRemote(repository.url), InvalidCredentials);
    const right = new GitClient({ access: { auth: 'basic', username: 'alice', credentials: { password: PASSWORD, boundTo: bindToRepository(repository.url) } } });
    assert.ok((await right.lsRemote(repository.url)).branches.has('main'));
    assertNoSecret(PASSWORD);
    assertNoSecret(WRONG);
  });
});
