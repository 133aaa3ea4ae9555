import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import Ajv from 'ajv';
import { addRepositoryEntry, removeRepositoryEntry, saveConfigDocument, updateRepositoryEntry } from '../../../server/src/config/edit';
import { loadWorkspaceConfig } from '../../../server/src/config/load';
import schema from '../../../server/src/config/airflow-repos.schema.json';
import { formatConfigError } from '../../../server/src/config/types';
import { resolveConflicts } from '../../../server/src/repos/conflicts';
import { tempDir } from '../../support/gitRepos';

describe('airflow-repos.yaml', () => {
  let dir: string;
  const write = (text: string) => writeFileSync(path.join(dir, 'airflow-repos.yaml'), text);
  before(() => (dir = tempDir('config')));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('a missing file is an empty configuration, not an error', () => {
    const config = loadWorkspaceConfig(dir);
    assert.equal(config.exists, false);
    assert.deepEqual([config.repositories, config.errors], [[], []]);
  });

  test('the full example parses into typed repositories, environments and catalogs', () => {
    write(`repositories:
  - name: company-workflows
    url: https://git.example.com/company/workflows.git
    branch: main          # or tag: v1.4.0, or commit: <sha>
    priority: 1
    namespace: company
    dags_path: dags
    auth: token
    sync_interval: 60s
    validation: { enabled: true, security_scan: false }
  - name: local
    url: ./repos/local.git
    tag: v2
environments:
  - name: staging
    target: { kind: folder, path: /srv/airflow/dags, keep_releases: 5 }
    airflow: { url: http://127.0.0.1:8080, version: 3, auth: basic }
    repositories: [company-workflows]
  - name: prod
    target: { kind: git, url: file:///srv/git/deploy.git, branch: airflow-prod, auth: token }
catalogs:
  - { name: community, url: https://git.example.com/catalog.git, ref: main }
`);
    const config = loadWorkspaceConfig(dir);
    assert.deepEqual(config.errors, []);
    const [company, local] = config.repositories;
    assert.deepEqual(company!.ref, { kind: 'branch', name: 'main' });
    assert.equal(company!.syncIntervalMs, 60_000);
    assert.equal(company!.namespace, 'company');
    assert.deepEqual(company!.validation, { enabled: true, securityScan: false });
    assert.equal(local!.url, path.join(dir, 'repos/local.git'), 'local paths are relative to the file');
    assert.deepEqual(local!.ref, { kind: 'tag', name: 'v2' });
    assert.equal(local!.namespace, 'local');
    assert.deepEqual(config.environments[0]!.target, { kind: 'folder', path: '/srv/airflow/dags', keepReleases: 5 });
    assert.deepEqual(config.environments[1]!.target, { kind: 'git', url: 'file:///srv/git/deploy.git', branch: 'airflow-prod', auth: 'token' });
    assert.equal(config.catalogs[0]!.ref, 'main');
  });

  test('malformed YAML reports file, line and column', () => {
    write('repositories:\n  - name: a\n    url: https://example.com/a.git\n    url: https://example.com/b.git\n  - name: b\n');
    const { errors, repositories } = loadWorkspaceConfig(dir);
    assert.equal(repositories.length, 0);
    assert.equal(errors.length > 0, true);
    assert.equal(errors[0]!.file, path.join(dir, 'airflow-repos.yaml'));
    assert.equal(errors[0]!.line, 4);
    assert.match(formatConfigError(errors[0]!), /airflow-repos\.yaml:4:5: YAML syntax error: Map keys must be unique/);
  });

  test('schema errors point at the field and its line; the valid entries keep working', () => {
    write(`# team repositories
repositories:
  - name: good
    url: https://example.com/good.git
  - name: bad
    url: https://example.com/bad.git
    priority: high
    brnach: main
  - url: https://example.com/nameless.git
  - name: pinned
    url: https://example.com/p.git
    branch: main
    tag: v1
  - name: leaky
    url: https://bob:hunter2@example.com/x.git
  - name: injected
    url: --upload-pack=touch /tmp/pwned
`);
    const { errors, repositories } = loadWorkspaceConfig(dir);
    assert.deepEqual(repositories.map((r) => r.name), ['good']);
    const byField = new Map(errors.map((e) => [e.field, e]));
    assert.equal(byField.get('repositories[1].priority')?.line, 7);
    assert.equal(byField.get('repositories[1].priority')?.column, 15);
    assert.match(byField.get('repositories[1].priority')!.message, /must be integer/);
    assert.equal(byField.get('repositories[1].brnach')?.line, 8, 'an unknown field is reported on its key');
    assert.match(byField.get('repositories[1].brnach')!.message, /unknown field "brnach"/);
    assert.equal(byField.get('repositories[2]')?.line, 9);
    assert.match(byField.get('repositories[2]')!.message, /"name" is required/);
    assert.match(byField.get('repositories[3]')!.message, /only one of branch, tag or commit/);
    assert.match(byField.get('repositories[4].url')!.message, /contains a user name or password/);
    assert.ok(!errors.some((e) => e.message.includes('hunter2')), 'the leaked password is not repeated in errors');
    assert.match(byField.get('repositories[5].url')!.message, /cannot start with "-"/);
  });

  test('add, edit and remove write back with comments and formatting kept', async () => {
    const original = `# Repositories that feed Airflow.
repositories:
  # the main one
  - name: company   # owned by the data team
    url: https://example.com/company.git
    branch: main
`;
    write(original);
    const config = loadWorkspaceConfig(dir);
    addRepositoryEntry(config.document, { name: 'community', url: 'https://example.com/community.git', tag: 'v1.0.0', priority: 1 });
    updateRepositoryEntry(config.document, 'company', { tag: 'v2.0.0', priority: 5 });
    await saveConfigDocument(config.file, config.document);
    const written = readFileSync(config.file, 'utf8');
    // yaml keeps every comment and the layout; only the spaces before a trailing comment are normalized.
    assert.ok(written.startsWith('# Repositories that feed Airflow.\nrepositories:\n  # the main one\n  - name: company # owned by the data team\n'), written);
    assert.ok(!written.includes('branch: main'), 'the old ref kind is dropped when the ref changes');
    const reloaded = loadWorkspaceConfig(dir);
    assert.deepEqual(reloaded.errors, []);
    assert.deepEqual(reloaded.repositories.map((r) => [r.name, r.ref.name, r.priority]), [['company', 'v2.0.0', 5], ['community', 'v1.0.0', 1]]);
    assert.throws(() => addRepositoryEntry(reloaded.document, { name: 'company', url: 'x' }), /already configured/);

    removeRepositoryEntry(reloaded.document, 'community');
    await saveConfigDocument(reloaded.file, reloaded.document);
    assert.ok(readFileSync(config.file, 'utf8').includes('# owned by the data team'));
    assert.deepEqual(loadWorkspaceConfig(dir).repositories.map((r) => r.name), ['company']);
  });

  test('adding to an empty file creates the repositories list', async () => {
    write('');
    const config = loadWorkspaceConfig(dir);
    addRepositoryEntry(config.document, { name: 'first', url: 'https://example.com/first.git', branch: 'main' });
    await saveConfigDocument(config.file, config.document);
    assert.deepEqual(loadWorkspaceConfig(dir).repositories.map((r) => r.name), ['first']);
  });

  test('the schema compiles as a plain JSON Schema (what the YAML extension reads)', () => {
    assert.equal(typeof new Ajv({ strict: false }).compile(schema), 'function');
  });
});

describe('resolveConflicts', () => {
  test('a dag_id in two repositories: the higher priority wins and the loser file is excluded', () => {
    const { conflicts, excluded } = resolveConflicts([
      { name: 'community', priority: 1, files: { 'dags/orders.py': { dagIds: ['orders', 'shared_only_here'] }, 'dags/x.py': { dagIds: ['x'] } } },
      { name: 'company', priority: 10, files: { 'dags/orders_v2.py': { dagIds: ['orders'] } } },
      { name: 'personal', priority: 1, files: { 'dags/x.py': { dagIds: ['x'] } } },
    ]);
    assert.deepEqual(conflicts.map((c) => [c.dagId, c.winner.repository, c.losers.map((l) => l.repository), c.tie]), [
      ['orders', 'company', ['community'], false],
      ['x', 'community', ['personal'], true],
    ]);
    assert.deepEqual(Object.fromEntries(excluded), { community: ['dags/orders.py'], personal: ['dags/x.py'] });
  });

  test('the same dag_id twice in one repository is not a cross-repository conflict', () => {
    const { conflicts } = resolveConflicts([{ name: 'a', priority: 0, files: { 'dags/1.py': { dagIds: ['d'] }, 'dags/2.py': { dagIds: ['d'] } } }]);
    assert.deepEqual(conflicts, []);
  });
});
