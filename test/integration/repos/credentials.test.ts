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
import { installGitSpy, type GitSpy } from '../../support/gitSpy';
import { createRemote, dagSource, filesContaining, tempDir } from '../../support/gitRepos';

const PASSWORD = 'correct-horse-battery-7f3a9c';
const WRONG = 'wrong-password-b81d2e';

describe('credentials over Git smart HTTP with basic auth', () => {
  let root: string;
  let workspace: string;
  let storage: string;
  let server: GitHttpServer;
  let repository: RepositoryConfig;
  let spy: GitSpy;
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
    spy = installGitSpy();
  });
  after(async () => {
    spy.remove();
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  /**
   * The secret must be nowhere but where it belongs: not in a file (workspace, clone incl. .git/config, storage),
   * a log line, an error or the argv of any git process Hangar started; git got it only through the askpass
   * variables, and the server received it only as the Basic credentials of alice.
   */
  function assertNoSecret(secret: string, extra: readonly string[] = []): void {
    for (const dir of [workspace, storage, root]) if (existsSync(dir)) assert.deepEqual(filesContaining(dir, secret), [], `${secret} written under ${dir}`);
    for (const line of [...logs, ...extra]) assert.ok(!line.includes(secret), `secret in: ${line}`);
    const calls = spy.calls();
    assert.ok(calls.length > 0, 'the git spy saw no git process');
    for (const call of calls) assert.ok(!call.argv.some((arg) => arg.includes(secret)), `secret in the argv of git ${call.argv.join(' ')}`);
    const withSecret = calls.filter((call) => call.envNames.includes('HANGAR_ASKPASS_PASSWORD'));
    assert.ok(withSecret.length > 0, 'no git process got the askpass variables: the spy did not see the git that talked to the server');
    for (const call of withSecret) assert.ok(call.argv.some((arg) => arg.includes(server.url)), `git ${call.argv.join(' ')} got the secret without talking to the remote`);
    const carrying = server.authorizations.filter((header) => header.includes(secret));
    assert.ok(carrying.length > 0, 'the server never received the secret');
    assert.deepEqual([...new Set(carrying)], [`alice:${secret}`], 'the secret reached the server only as alice\'s Basic credentials');
    assert.ok(!server.requests.some((line) => line.includes(secret)), 'the secret is in a request path');
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
