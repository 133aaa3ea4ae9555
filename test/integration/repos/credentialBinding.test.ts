/**
 * Item 1 of issue 13, played as the attack: a workspace airflow-repos.yaml declares a repository and a catalog
 * with the name of one whose token is stored, at an attacker's URL (a second git smart-HTTP server on
 * 127.0.0.1 that records every Authorization header). Every caller hands the stored secret to the git layer
 * as a naive editor would; the git layer must send it nowhere but to the remote it was entered for.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { loadConfigFile } from '../../../server/src/config/load';
import type { AuthKind, RepositoryConfig } from '../../../server/src/config/types';
import { GitStore } from '../../../server/src/deploy/gitTarget';
import { bindToHost, bindToRepository, type GitCredentials } from '../../../server/src/git/credentials';
import { CredentialsNotForRemote, InvalidCredentials } from '../../../server/src/git/errors';
import { GitClient } from '../../../server/src/git/gitClient';
import { catalogsFromReposFile } from '../../../server/src/market/config';
import { gitFetcher, loadCatalogs } from '../../../server/src/market/sources';
import { syncRepository } from '../../../server/src/repos/sync';
import { shippedCli } from '../../support/cli';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, tempDir } from '../../support/gitRepos';

const TOKEN = 'ghp-stored-token-5f2e9a71c3';

describe('a stored secret goes only to the remote it was entered for', () => {
  let root: string;
  let legit: GitHttpServer;
  let attacker: GitHttpServer;
  let legitRepository: RepositoryConfig;
  let legitClone: string;
  let hangar: string;

  before(async () => {
    root = tempDir('binding');
    for (const served of ['legit', 'attacker']) createRemote(path.join(root, served), 'company', { 'dags/orders.py': dagSource('orders') });
    legit = await startGitHttpServer({ projectRoot: path.join(root, 'legit'), username: 'x-access-token', password: TOKEN });
    attacker = await startGitHttpServer({ projectRoot: path.join(root, 'attacker'), username: 'x-access-token', password: 'the-attacker-does-not-know-it' });
    legitRepository = repositoryAt(`${legit.url}/company.git`, 'token');
    hangar = shippedCli();
  });
  after(async () => {
    await Promise.all([legit.close(), attacker.close()]);
    rmSync(root, { recursive: true, force: true });
  });

  function repositoryAt(url: string, auth: AuthKind): RepositoryConfig {
    const file = path.join(root, 'scratch', 'airflow-repos.yaml');
    const config = loadConfigFile(file, `repositories:\n  - name: company\n    url: ${url}\n    branch: main\n    auth: ${auth}\n`);
    assert.deepEqual(config.errors, []);
    return config.repositories[0]!;
  }

  /** The hostile workspace: a repository and a catalog named like the stored one, at the attacker's URL. */
  function hostileWorkspace(auth: AuthKind): { dir: string; repository: RepositoryConfig } {
    const dir = path.join(root, `hostile-${auth}`);
    mkdirSync(dir, { recursive: true });
    const url = `${attacker.url}/company.git`;
    writeFileSync(
      path.join(dir, 'airflow-repos.yaml'),
      `repositories:\n  - name: company\n    url: ${url}\n    branch: main\n    auth: ${auth}\n    username: x-access-token\ncatalogs:\n  - name: company\n    url: ${url}\n    auth: ${auth}\n`,
    );
    const config = loadConfigFile(path.join(dir, 'airflow-repos.yaml'));
    assert.deepEqual(config.errors, []);
    return { dir, repository: config.repositories[0]! };
  }

  const stored = (): GitCredentials[] => [
    { password: TOKEN, boundTo: bindToRepository(legitRepository.url) },
    { password: TOKEN, boundTo: bindToHost(legitRepository.url) },
  ];

  /** Awaits `pending`, which must fail, and checks the attacker received no credential meanwhile. */
  async function refusedWithoutLeak(what: string, pending: Promise<unknown>, expected?: (error: unknown) => boolean): Promise<void> {
    const seen = attacker.authorizations.length;
    const error = await pending.then(
      () => assert.fail(`${what}: succeeded against the attacker`),
      (e: unknown) => e,
    );
    assert.deepEqual(attacker.authorizations.slice(seen), [], `${what}: the attacker server received credentials`);
    if (expected) assert.ok(expected(error), `${what}: ${String(error)}`);
  }

  test('the stored token works for the remote it was entered for', async () => {
    const result = await syncRepository({ repository: legitRepository, storageDir: path.join(root, 'legit-storage'), credentials: stored()[0] });
    assert.equal(result.result, 'synced');
    legitClone = result.cloneDir;
    assert.ok(legit.authorizations.includes(`x-access-token:${TOKEN}`));
  });

  for (const auth of ['none', 'token'] as const) {
    test(`auth: ${auth} at the attacker's URL: sync, catalog fetch, ls-remote, polling, deploy target and agent fetch send no credential`, async () => {
      const { dir, repository } = hostileWorkspace(auth);
      const refused = (error: unknown) => error instanceof (auth === 'none' ? InvalidCredentials : CredentialsNotForRemote);
      const [catalog] = catalogsFromReposFile(path.join(dir, 'airflow-repos.yaml'));
      for (const credentials of stored()) {
        const access = { auth, username: repository.username, credentials };
        await refusedWithoutLeak('sync', syncRepository({ repository, storageDir: path.join(dir, '.hangar'), credentials }), refused);
        await refusedWithoutLeak('catalog fetch', gitFetcher(() => credentials).checkout({ ...catalog!, url: catalog!.url! }, path.join(dir, 'catalog')), refused);
        const seen = attacker.authorizations.length;
        const [loaded] = await loadCatalogs([catalog!], { cacheDir: path.join(dir, 'cache'), fetcher: gitFetcher(() => credentials) });
        assert.match(loaded!.problems[0]!.message, /cannot fetch catalog "company"/);
        assert.deepEqual(attacker.authorizations.slice(seen), [], 'catalog load: the attacker server received credentials');
        await refusedWithoutLeak('Add Repository / Repository Settings', new GitClient({ access }).lsRemote(repository.url), refused);
        await refusedWithoutLeak('polling', new GitClient({ access }).remoteCommit(repository.url, repository.ref), refused);
        await refusedWithoutLeak('agent review fetch', new GitClient({ access }).fetchCommit(legitClone, repository.url, 'a'.repeat(40)), refused);
        await refusedWithoutLeak('deploy target', new GitStore({ kind: 'git', url: repository.url, branch: 'deploy', auth }, 'prod', legitClone, credentials).remoteHead());
      }
    });
  }

  test('the CLI hands its environment credentials to no auth: none remote (repository and catalog)', async () => {
    const { dir } = hostileWorkspace('none');
    const seen = attacker.authorizations.length;
    const env = { ...process.env, HANGAR_TOKEN_COMPANY: TOKEN, HANGAR_GIT_TOKEN: TOKEN, HANGAR_GIT_PASSWORD: TOKEN, XDG_CACHE_HOME: path.join(dir, 'xdg-cache') };
    const run = async (args: string[]) =>
      promisify(execFile)(process.execPath, [hangar, ...args, '--config', path.join(dir, 'airflow-repos.yaml')], { env }).then(
        () => 0,
        (error: { code: number }) => error.code,
      );
    const requestsBefore = attacker.requests.length;
    assert.notEqual(await run(['repos', 'sync']), 0);
    const afterSync = attacker.requests.length;
    await run(['market', 'search', 'orders']);
    assert.ok(afterSync > requestsBefore && attacker.requests.length > afterSync, 'both commands contacted the attacker');
    assert.deepEqual(attacker.authorizations.slice(seen), [], 'the attacker server received credentials');
  });

  test('a remote that redirects to another host gets no answer from the askpass helper there', async () => {
    const redirector = await startGitHttpServer({ projectRoot: path.join(root, 'legit'), username: 'x-access-token', password: TOKEN, redirectTo: attacker.url });
    try {
      const repository = repositoryAt(`${redirector.url}/company.git`, 'token');
      const credentials = { password: TOKEN, boundTo: bindToRepository(repository.url) };
      const requestsBefore = attacker.requests.length;
      await refusedWithoutLeak('sync through a redirect', syncRepository({ repository, storageDir: path.join(root, 'redirect-storage'), credentials }), (e) => e instanceof InvalidCredentials);
      assert.ok(attacker.requests.length > requestsBefore, 'git followed the redirect to the attacker');
    } finally {
      await redirector.close();
    }
  });
});
