import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { runHangar, type CliRun } from '../../support/cli';
import { commitAll, communityCatalogFiles, gitRepo, hangarCatalogFiles, POSTGRES_DAG, scratch, sha256 } from './catalogRepos';

function hangar(args: string[]): Promise<CliRun> {
  return runHangar(args, { env: { HANGAR_MARKET_URL: '', HANGAR_MARKET_CATALOGS: '', XDG_CACHE_HOME: path.join(dir, 'xdg') } });
}

const { dir, cleanup } = scratch('cli');

describe('hangar market CLI', () => {
  after(cleanup);
  const catalog = gitRepo(dir, 'catalog', hangarCatalogFiles());
  const team = `team=file://${catalog}`;
  const target = gitRepo(dir, 'dags-repo', { 'README.md': 'DAGs\n' });

  it('searches with --json', async () => {
    const result = await hangar(['market', 'search', 'postgres', '--catalog', team, '--json']);
    assert.equal(result.code, 0, result.stderr);
    const data = JSON.parse(result.stdout) as { total: number; hits: { id: string; stats: unknown }[] };
    assert.equal(data.hits[0]?.id, 'team/postgres-to-s3');
  });

  it('shows an entry with its validation and tasks', async () => {
    const result = await hangar(['market', 'info', 'team/postgres-to-s3', '--catalog', team]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Postgres to S3 \(team\/postgres-to-s3 1\.0\.0, stable\)/);
    assert.match(result.stdout, /tasks: extract, load/);
    assert.match(result.stdout, /validation: passed/);
  });

  it('installs into --repo/--path, then reports and applies an update', async () => {
    const installed = await hangar(['market', 'install', 'team/postgres-to-s3', '--catalog', team, '--repo', target, '--path', 'dags/shared', '--json']);
    assert.equal(installed.code, 0, installed.stderr);
    assert.deepEqual((JSON.parse(installed.stdout) as { files: string[] }).files, ['dags/shared/postgres_to_s3.py', 'dags/shared/sql/extract.sql']);
    assert.ok(existsSync(path.join(target, 'dags/shared/postgres_to_s3.py')));

    const changed = POSTGRES_DAG.replace('echo load', 'echo load v2');
    const files = hangarCatalogFiles({ sha: sha256(changed) });
    writeFileSync(path.join(catalog, 'hangar-catalog.json'), files['hangar-catalog.json']!.replace('"1.0.0"', '"1.1.0"'));
    writeFileSync(path.join(catalog, 'dags/postgres_to_s3.py'), changed);
    commitAll(catalog, 'v1.1.0');
    const check = await hangar(['market', 'update', '--check', '--catalog', team, '--repo', target, '--json']);
    assert.deepEqual((JSON.parse(check.stdout) as { updates: unknown[] }).updates, [{ id: 'team/postgres-to-s3', installed: '1.0.0', available: '1.1.0' }]);
    const update = await hangar(['market', 'update', '--catalog', team, '--repo', target]);
    assert.equal(update.code, 0, update.stderr);
    assert.match(update.stdout, /Updated team\/postgres-to-s3 to 1\.1\.0/);
    assert.match(readFileSync(path.join(target, 'dags/shared/postgres_to_s3.py'), 'utf8'), /load v2/);
  });

  it('installs into a repository named in airflow-repos.yaml, in its dags_path', async () => {
    const clone = gitRepo(dir, 'named-clone', { 'README.md': 'clone\n' });
    const config = path.join(dir, 'airflow-repos.yaml');
    writeFileSync(config, `repositories:\n  - name: team-dags\n    url: ${path.join(dir, 'dags-repo')}\n    path: ${clone}\n    dags_path: pipelines\n`);
    const result = await hangar(['market', 'install', 'team/hello', '--catalog', team, '--repo', 'team-dags', '--config', config, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as { files: string[] }).files, ['pipelines/hello.py']);
    assert.ok(existsSync(path.join(clone, 'pipelines', 'hello.py')));
    const unknown = await hangar(['market', 'install', 'team/hello', '--catalog', team, '--repo', 'nope', '--config', config]);
    assert.match(unknown.stderr, /--repo nope: no such folder, and no repository of that name/);
  });

  it('index checks a catalog in another format and writes a Hangar index that then checks clean', async () => {
    const community = gitRepo(dir, 'community', communityCatalogFiles());
    const check = await hangar(['market', 'index', community, '--json']);
    assert.equal(check.code, 0, check.stderr);
    assert.equal((JSON.parse(check.stdout) as { format: string }).format, 'community');
    const write = await hangar(['market', 'index', community, '--write']);
    assert.equal(write.code, 0, write.stderr);
    const index = JSON.parse(readFileSync(path.join(community, 'hangar-catalog.json'), 'utf8')) as { entries: { id: string; sha256: string }[] };
    assert.equal(index.entries[0]?.id, 'weekly-report');
    assert.equal(index.entries[0]?.sha256.length, 64);
    const recheck = await hangar(['market', 'index', community, '--json']);
    assert.equal(recheck.code, 0);
    assert.equal((JSON.parse(recheck.stdout) as { format: string; problems: unknown[] }).format, 'hangar');
  });

  it('index fails with file and line when a file no longer matches its sha256', async () => {
    writeFileSync(path.join(catalog, 'dags/hello.py'), '# changed\n');
    const result = await hangar(['market', 'index', catalog]);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /error: catalog: hangar-catalog\.json:\d+: entry "hello": sha256 of dags\/hello\.py is [0-9a-f]{64}, the index says/);
  });

  it('says what to do when no catalog is configured', async () => {
    const result = await hangar(['market', 'search', 'x', '--config', path.join(dir, 'airflow-repos.yaml')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /no catalogs configured: pass --catalog/);
  });
});
