import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { loadConfigFile } from '../../../server/src/config/load';
import type { RepositoryConfig } from '../../../server/src/config/types';
import { OperationCancelled } from '../../../server/src/git/errors';
import { GitClient } from '../../../server/src/git/gitClient';
import { RepositoryPoller } from '../../../server/src/repos/poller';
import { RepositoryStore } from '../../../server/src/repos/store';
import { syncRepository } from '../../../server/src/repos/sync';
import { waitFor } from '../../support/airflow';
import { createRemote, dagSource, git, tempDir, type TestRemote } from '../../support/gitRepos';

function repositoryFrom(dir: string, yaml: string): RepositoryConfig {
  writeFileSync(path.join(dir, 'airflow-repos.yaml'), yaml);
  const config = loadConfigFile(path.join(dir, 'airflow-repos.yaml'));
  assert.deepEqual(config.errors, []);
  return config.repositories[0]!;
}

describe('syncRepository against a local bare repository', () => {
  let root: string;
  let remote: TestRemote;
  let storage: string;
  let repository: RepositoryConfig;

  before(() => {
    root = tempDir('sync');
    storage = path.join(root, 'storage');
    remote = createRemote(root, 'company', {
      'dags/orders.py': dagSource('orders'),
      'dags/billing.py': dagSource('billing'),
      'README.md': '# not a DAG\n',
    });
    repository = repositoryFrom(root, `repositories:\n  - name: company\n    url: ${remote.bare}\n    branch: main\n    priority: 2\n`);
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  test('first sync clones, validates every DAG file and records the history', async () => {
    const progress: string[] = [];
    const result = await syncRepository({ repository, storageDir: storage, onProgress: (p) => progress.push(p.stage) });
    assert.equal(result.result, 'synced');
    assert.equal(result.from, undefined);
    assert.equal(result.to, git(remote.work, 'rev-parse', 'HEAD'));
    assert.deepEqual(result.added.sort(), ['dags/billing.py', 'dags/orders.py']);
    assert.equal(result.validation?.filesValidated, 2);
    assert.equal(result.validation?.dags, 2);
    assert.ok(existsSync(path.join(storage, 'clones', 'company', 'dags', 'orders.py')));
    assert.deepEqual(result.state?.files['dags/orders.py']?.dagIds, ['orders']);
    assert.ok(progress.includes('fetch') && progress.includes('validate'));
  });

  test('a second sync after a push re-validates only the changed file and survives a restart', async () => {
    const before = git(remote.work, 'rev-parse', 'HEAD');
    const after = remote.commit({ 'dags/orders.py': dagSource('orders', 'x = (\n'), 'dags/new.py': dagSource('fresh'), 'dags/billing.py': null });
    const result = await syncRepository({ repository, storageDir: storage, trigger: 'poll' });
    assert.equal(result.from, before);
    assert.equal(result.to, after);
    assert.deepEqual(result.added, ['dags/new.py']);
    assert.deepEqual(result.modified, ['dags/orders.py']);
    assert.deepEqual(result.removed, ['dags/billing.py']);
    assert.equal(result.validation?.filesValidated, 2);
    assert.ok((result.validation?.errors ?? 0) >= 1, 'the broken orders.py has a syntax error');
    const history = new RepositoryStore(storage).history('company'); // a fresh store reads the file: what a restart sees
    assert.equal(history.length, 2);
    assert.equal(history[0]!.trigger, 'poll');
    assert.equal(history[0]!.to, after);
    assert.equal(Object.keys(new RepositoryStore(storage).state('company')!.files).sort().join(), 'dags/new.py,dags/orders.py');
  });

  test('a sync with nothing new is "up-to-date" and validates nothing', async () => {
    const result = await syncRepository({ repository, storageDir: storage });
    assert.equal(result.result, 'up-to-date');
    assert.equal(result.validation, undefined);
  });

  test('a tag and a commit can be pinned', async () => {
    const tagged = git(remote.work, 'rev-parse', 'HEAD');
    remote.tag('v1.0.0');
    const later = remote.commit({ 'dags/later.py': dagSource('later') });
    const byTag = repositoryFrom(root, `repositories:\n  - name: pinned\n    url: ${remote.bare}\n    tag: v1.0.0\n`);
    assert.equal((await syncRepository({ repository: byTag, storageDir: storage })).to, tagged);
    const byCommit = repositoryFrom(root, `repositories:\n  - name: pinned\n    url: ${remote.bare}\n    commit: ${later.slice(0, 10)}\n`);
    const moved = await syncRepository({ repository: byCommit, storageDir: storage });
    assert.equal(moved.to, later);
    assert.deepEqual(moved.added, ['dags/later.py']);
  });

  test('ls-remote lists branches and tags; the poller syncs when the tracked branch moves', async () => {
    const client = new GitClient({ access: { auth: 'none' } });
    const refs = await client.lsRemote(remote.bare);
    assert.equal(refs.defaultBranch, 'main');
    assert.ok(refs.branches.has('main'));
    assert.ok(refs.tags.has('v1.0.0'));

    const store = new RepositoryStore(storage);
    const polled = { ...repository, syncIntervalMs: 50 };
    const synced: string[] = [];
    const poller = new RepositoryPoller({
      remoteCommit: (r) => client.remoteCommit(r.url, r.ref),
      localCommit: (r) => store.state(r.name)?.commit,
      onChange: async (r) => {
        synced.push((await syncRepository({ repository: r, storageDir: storage, trigger: 'poll' })).to!);
      },
    });
    assert.equal(await poller.check(polled), true, 'the earlier pushes are not synced yet');
    const pushed = remote.commit({ 'dags/polled.py': dagSource('polled') });
    poller.start([polled]);
    try {
      await waitFor('the poller to sync the pushed commit', () => synced.includes(pushed), 30_000, 25);
    } finally {
      poller.stop();
    }
    assert.equal(await poller.check(polled), false, 'nothing new after the sync');
  });

  test('validation runs the analysis engine; security_scan: false leaves the security rules out', async () => {
    const secret = `${dagSource('secrets')}AWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n`;
    const sec = createRemote(root, 'security', { 'dags/secrets.py': secret });
    const scanned = repositoryFrom(root, `repositories:\n  - name: scanned\n    url: ${sec.bare}\n`);
    const unscanned = repositoryFrom(root, `repositories:\n  - name: unscanned\n    url: ${sec.bare}\n    validation: { security_scan: false }\n`);
    const withScan = await syncRepository({ repository: scanned, storageDir: storage });
    const withoutScan = await syncRepository({ repository: unscanned, storageDir: storage });
    assert.ok(withScan.state!.files['dags/secrets.py']!.messages.some((m) => m.includes('HGR301')), 'the hard-coded key is reported');
    assert.ok(!withoutScan.state!.files['dags/secrets.py']!.messages.some((m) => m.includes('HGR3')), 'no security finding without the scan');
    const unvalidated = repositoryFrom(root, `repositories:\n  - name: unvalidated\n    url: ${sec.bare}\n    validation: { enabled: false }\n`);
    const off = await syncRepository({ repository: unvalidated, storageDir: storage });
    assert.equal(off.validation, undefined, 'no validation summary when validation is off');
    assert.deepEqual(off.state!.files['dags/secrets.py'], { dagIds: ['secrets'], errors: 0, warnings: 0, messages: [] }, 'DAG ids still known for conflicts');
  });

  test('an aborted first clone leaves nothing on disk and is recorded as cancelled', async () => {
    const fresh = repositoryFrom(root, `repositories:\n  - name: cancelled\n    url: ${remote.bare}\n`);
    const controller = new AbortController();
    const pending = syncRepository({
      repository: fresh,
      storageDir: storage,
      onProgress: (p) => {
        if (p.stage === 'fetch') controller.abort();
      },
      signal: controller.signal,
    });
    await assert.rejects(pending, OperationCancelled);
    assert.equal(existsSync(path.join(storage, 'clones', 'cancelled')), false);
    assert.deepEqual(readdirSync(path.join(storage, 'clones')).filter((name) => name.startsWith('cancelled')), []);
    assert.equal(new RepositoryStore(storage).history('cancelled')[0]?.result, 'cancelled');
    assert.ok(readFileSync(new RepositoryStore(storage).fileOf('cancelled'), 'utf8').includes('cancelled'));
  });
});
