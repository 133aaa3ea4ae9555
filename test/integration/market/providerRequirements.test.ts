import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gitRepo, hangarCatalogFiles, scratch, writeFiles } from './catalogRepos';
import { runMarketCli } from './marketCli';

/**
 * A catalog's provider "names" that pip and uv read as something else than a package to look up on the index: a
 * wheel or source archive beside the installer's working directory (uv really installs `./x-1.0-py3-none-any.whl`
 * for the argument `x-1.0-py3-none-any.whl`), a URL, a line continuation that swallows the next requirements.txt line.
 */
const HOSTILE: readonly { name: string; version?: string }[] = [
  { name: 'evil-1.0-py3-none-any.whl' },
  { name: 'evil-1.0.tar.gz' },
  { name: 'evil.zip' },
  { name: 'evil-' },
  { name: 'apache-airflow-providers-postgres', version: '>=5.10\\' },
  { name: 'apache-airflow-providers-postgres', version: '>=5.10@https://evil.example/evil-1.0-py3-none-any.whl' },
];

const { dir: root, cleanup } = scratch('provider-requirements');
let count = 0;

/** A catalog whose Postgres entry declares `provider`, the wheel its name points at, and a repository to install into. */
function setup(provider: { name: string; version?: string }): { dir: string; catalog: string; repo: string } {
  const dir = path.join(root, `case-${++count}`);
  const files = hangarCatalogFiles();
  const index = JSON.parse(files['hangar-catalog.json']!) as { entries: { id: string; providers?: unknown[] }[] };
  index.entries.find((e) => e.id === 'postgres-to-s3')!.providers = [provider];
  const catalog = path.join(dir, 'catalog');
  writeFiles(catalog, { ...files, 'hangar-catalog.json': JSON.stringify(index, null, 2), [provider.name]: 'not really a wheel' });
  writeFiles(dir, { [provider.name]: 'not really a wheel' });
  const repo = gitRepo(dir, 'repo', { 'requirements.txt': 'pandas==2.2.3\n' });
  return { dir, catalog, repo };
}

describe("marketplace: a catalog's provider requirement is a package name, never a file, URL or option (CLI bundle)", () => {
  after(cleanup);

  for (const provider of HOSTILE) {
    const shown = `${provider.name}${provider.version ?? ''}`;

    it(`install refuses the entry declaring ${JSON.stringify(shown)} and leaves requirements.txt as it was`, async () => {
      const { dir, catalog, repo } = setup(provider);
      const result = await runMarketCli(dir, ['market', 'install', 'team/postgres-to-s3', '--catalog', `team=${catalog}`, '--repo', repo]);
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr + result.stdout, /is not a plain "name" or "name>=version"/);
      assert.equal(readFileSync(path.join(repo, 'requirements.txt'), 'utf8'), 'pandas==2.2.3\n');
      assert.ok(!existsSync(path.join(repo, 'dags', 'postgres_to_s3.py')), 'nothing of the entry installed');
    });

    it(`verify never hands ${JSON.stringify(shown)} to the installer`, async () => {
      const { dir, catalog } = setup(provider);
      // Records what uv is asked to do (the argv is what matters here) and fails it, so nothing is downloaded.
      const uv = path.join(dir, 'uv');
      writeFileSync(uv, `#!/bin/sh\necho "$@" >> "${uv}.log"\n[ "$1" = --version ] && exit 0\n[ "$1" = venv ] && exit 0\nexit 1\n`);
      chmodSync(uv, 0o755);
      const result = await runMarketCli(dir, ['market', 'verify', catalog, '--entry', 'postgres-to-s3', '--airflow', '3.3.2', '--json'], { HANGAR_UV: uv });
      assert.notEqual(result.code, 0, result.stdout);
      assert.match(result.stderr + result.stdout, /is not a plain "name" or "name>=version"/);
      const asked = existsSync(`${uv}.log`) ? readFileSync(`${uv}.log`, 'utf8') : '';
      assert.doesNotMatch(asked, /pip install/, 'no environment is built for the entry');
    });
  }
});
