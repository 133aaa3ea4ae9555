import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { gitRepo, hangarCatalogFiles, POSTGRES_DAG, scratch, sha256, writeFiles } from './catalogRepos';
import { runMarketCli } from './marketCli';

/**
 * Item 3 of issue 13: nothing read from a state file or a catalog touches a file outside the repository. Each test
 * plays the attack through the CLI bundle and checks the file outside (a stand-in for ~/.bashrc) is intact.
 */

const VICTIM_TEXT = 'export PATH=/usr/bin  # the user\'s shell profile\n';
const ENTRY = 'team/postgres-to-s3';

interface Setup {
  dir: string;
  victim: string;
  catalog: string;
  repo: string;
  hangar: (...args: string[]) => ReturnType<typeof runMarketCli>;
}

const { dir: root, cleanup } = scratch('containment');
let count = 0;

/** A catalog folder, a Git repository and, next to them, a home folder with a file that must survive. */
function setup(catalogFiles = hangarCatalogFiles()): Setup {
  const dir = path.join(root, `case-${++count}`);
  const victim = path.join(dir, 'home', '.bashrc');
  writeFiles(dir, { 'home/.bashrc': VICTIM_TEXT });
  const catalog = path.join(dir, 'catalog');
  writeFiles(catalog, catalogFiles);
  const repo = gitRepo(dir, 'repo', { 'README.md': 'DAGs\n' });
  const hangar = (...args: string[]): ReturnType<typeof runMarketCli> => runMarketCli(dir, [...args, '--catalog', `team=${catalog}`, '--repo', repo]);
  return { dir, victim, catalog, repo, hangar };
}

/**
 * A committed state file claiming an older version of the entry installed `files`; each listed with the sha256 of
 * the victim's content, so only containment (not the hash check) can protect it.
 */
function plantState(repo: string, files: string[], content = VICTIM_TEXT): void {
  const record = {
    id: ENTRY,
    version: '0.9.0',
    sha256: sha256('old'),
    files: files.map((file) => ({ path: file, sha256: sha256(content) })),
    installedAt: '2026-01-01T00:00:00.000Z',
  };
  writeFiles(repo, { '.hangar/marketplace.json': JSON.stringify({ installed: { [ENTRY]: record } }, null, 2) });
}

/** The catalog's index with the Postgres entry at `version`, shipping only the DAG (no extra file). */
function indexVersion(version: string, dag: string): string {
  const index = JSON.parse(hangarCatalogFiles()['hangar-catalog.json']!) as { entries: { id: string; version: string; sha256: string; source: { files?: string[] } }[] };
  const entry = index.entries.find((e) => e.id === 'postgres-to-s3')!;
  Object.assign(entry, { version, sha256: sha256(dag) });
  delete entry.source.files;
  return JSON.stringify(index, null, 2);
}

const intact = (victim: string): void => assert.equal(readFileSync(victim, 'utf8'), VICTIM_TEXT, `${victim} is untouched`);

describe('marketplace: paths from the state file stay in the repository (CLI bundle)', () => {
  after(cleanup);

  for (const [name, attack] of [
    ['a ../ path', (s: Setup) => path.relative(s.repo, s.victim)],
    ['a ../ path below a real folder', (s: Setup) => `dags/${path.relative(path.join(s.repo, 'dags'), s.victim)}`],
    ['an absolute path', (s: Setup) => s.victim],
  ] as const) {
    for (const command of ['install', 'update', 'uninstall'] as const) {
      it(`${command} refuses ${name} in .hangar/marketplace.json and deletes nothing`, async () => {
        const s = setup();
        mkdirSync(path.join(s.repo, 'dags'));
        plantState(s.repo, ['dags/postgres_to_s3.py', attack(s)]);
        const result = command === 'update' ? await s.hangar('market', 'update') : await s.hangar('market', command, ENTRY);
        intact(s.victim);
        assert.notEqual(result.code, 0, `${command} must fail: ${result.stdout}`);
        assert.match(result.stderr, /\.hangar\/marketplace\.json/, 'the message names the state file');
        assert.match(result.stderr, /outside the repository|leaves the repository|absolute/);
      });
    }
  }

  for (const command of ['install', 'update', 'uninstall'] as const) {
    it(`${command} refuses a state path through a symlinked folder that points outside`, async () => {
      const s = setup();
      mkdirSync(path.join(s.repo, 'dags'));
      symlinkSync(path.dirname(s.victim), path.join(s.repo, 'dags', 'shared'));
      plantState(s.repo, ['dags/postgres_to_s3.py', 'dags/shared/.bashrc']);
      const result = command === 'update' ? await s.hangar('market', 'update') : await s.hangar('market', command, ENTRY);
      intact(s.victim);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /dags\/shared\/\.bashrc.*resolves outside the repository/);
    });
  }

  it('install does not write requirements.txt through a committed symlink to a file outside', async () => {
    const s = setup();
    symlinkSync(s.victim, path.join(s.repo, 'requirements.txt'));
    const result = await s.hangar('market', 'install', ENTRY);
    intact(s.victim);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /requirements\.txt.*resolves outside the repository/);
    assert.ok(!existsSync(path.join(s.repo, 'dags', 'postgres_to_s3.py')), 'nothing installed');
  });

  it('install does not write the state file through a .hangar symlink to a folder outside', async () => {
    const s = setup();
    const outside = path.join(s.dir, 'home', 'state');
    mkdirSync(outside);
    symlinkSync(outside, path.join(s.repo, '.hangar'));
    const result = await s.hangar('market', 'install', ENTRY);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\.hangar\/marketplace\.json.*resolves outside the repository/);
    assert.ok(!existsSync(path.join(outside, 'marketplace.json')), 'no state written outside');
  });

  it('a state path into .git is refused (an entry must never write hooks or config)', async () => {
    const s = setup();
    const config = readFileSync(path.join(s.repo, '.git', 'config'), 'utf8');
    plantState(s.repo, ['.git/config'], config);
    const result = await s.hangar('market', 'uninstall', ENTRY);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /\.git/);
    assert.equal(readFileSync(path.join(s.repo, '.git', 'config'), 'utf8'), config);
  });
});

describe('marketplace: catalog files stay in the catalog (CLI bundle)', () => {

  it('refuses an entry whose files leave the catalog, and copies nothing from outside', async () => {
    const files = hangarCatalogFiles();
    const s = setup({ ...files, 'hangar-catalog.json': files['hangar-catalog.json']!.replace('"dags/sql/extract.sql"', '"../home/.bashrc"') });
    const result = await s.hangar('market', 'install', ENTRY);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /entry "postgres-to-s3".*leaves the catalog/);
    assert.ok(!existsSync(path.join(s.repo, 'dags')), 'nothing copied');
    intact(s.victim);
  });

  it('refuses an entry whose extra file is a symlink to a file outside the catalog', async () => {
    const s = setup();
    const extra = path.join(s.catalog, 'dags', 'sql', 'extract.sql');
    rmSync(extra);
    symlinkSync(s.victim, extra);
    const result = await s.hangar('market', 'install', ENTRY);
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /dags\/sql\/extract\.sql.*resolves outside the catalog/);
    assert.ok(!existsSync(path.join(s.repo, 'dags', 'sql', 'extract.sql')), 'the outside file was not copied in');
  });

  it('does not read an index that is a symlink to a file outside the catalog', async () => {
    const s = setup();
    const outsideIndex = path.join(s.dir, 'home', 'index.json');
    writeFileSync(outsideIndex, readFileSync(path.join(s.catalog, 'hangar-catalog.json')));
    rmSync(path.join(s.catalog, 'hangar-catalog.json'));
    symlinkSync(outsideIndex, path.join(s.catalog, 'hangar-catalog.json'));
    const result = await runMarketCli(s.dir, ['market', 'search', '--catalog', `team=${s.catalog}`, '--json']);
    const data = JSON.parse(result.stdout) as { total: number; problems: { message: string }[] };
    assert.equal(data.total, 0, 'no entry read from outside the catalog');
    assert.match(data.problems.map((p) => p.message).join('\n'), /hangar-catalog\.json.*resolves outside the catalog/);
  });
});

describe('marketplace: only files Hangar installed, unchanged, are removed (CLI bundle)', () => {

  it('uninstall keeps and reports a file the user edited, and removes the others', async () => {
    const s = setup();
    const installed = await s.hangar('market', 'install', ENTRY);
    assert.equal(installed.code, 0, installed.stderr);
    const dag = path.join(s.repo, 'dags', 'postgres_to_s3.py');
    writeFileSync(dag, `${POSTGRES_DAG}# my change\n`);
    const result = await s.hangar('market', 'uninstall', ENTRY, '--json');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(dag, 'utf8'), `${POSTGRES_DAG}# my change\n`, 'the edit survives');
    assert.ok(!existsSync(path.join(s.repo, 'dags', 'sql', 'extract.sql')), 'the unedited file is removed');
    const report = JSON.parse(result.stdout) as { removed: string[]; kept: { path: string; reason: string }[] };
    assert.deepEqual(report.removed, ['dags/sql/extract.sql']);
    assert.deepEqual(report.kept.map((k) => k.path), ['dags/postgres_to_s3.py']);
    assert.match(report.kept[0]!.reason, /edited/);
    const state = JSON.parse(readFileSync(path.join(s.repo, '.hangar', 'marketplace.json'), 'utf8')) as { installed: Record<string, unknown> };
    assert.deepEqual(state.installed, {}, 'the entry is no longer recorded');
  });

  it('update keeps an edited file the new version no longer ships, and refuses to overwrite an edited one', async () => {
    const s = setup();
    assert.equal((await s.hangar('market', 'install', ENTRY)).code, 0);
    const extra = path.join(s.repo, 'dags', 'sql', 'extract.sql');
    writeFileSync(extra, 'SELECT 1; -- mine\n');
    writeFiles(s.catalog, { 'hangar-catalog.json': indexVersion('1.1.0', POSTGRES_DAG) });
    const updated = await s.hangar('market', 'update', '--json');
    assert.equal(updated.code, 0, updated.stderr);
    assert.equal(readFileSync(extra, 'utf8'), 'SELECT 1; -- mine\n', 'the edited file that is no longer shipped is kept');
    assert.match(updated.stdout, /dags\/sql\/extract\.sql/);

    const dag = path.join(s.repo, 'dags', 'postgres_to_s3.py');
    writeFileSync(dag, `${POSTGRES_DAG}# mine\n`);
    const changed = POSTGRES_DAG.replace('echo load', 'echo load v3');
    writeFiles(s.catalog, { 'dags/postgres_to_s3.py': changed, 'hangar-catalog.json': indexVersion('1.2.0', changed) });
    const refused = await s.hangar('market', 'update');
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /dags\/postgres_to_s3\.py was edited since it was installed/);
    assert.equal(readFileSync(dag, 'utf8'), `${POSTGRES_DAG}# mine\n`);
  });
});
