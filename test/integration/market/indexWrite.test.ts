import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { hangarCatalogFiles, HELLO_DAG, POSTGRES_DAG, scratch, sha256, writeFiles } from './catalogRepos';
import { runMarketCli } from './marketCli';

interface IndexEntry {
  id: string;
  sha256?: string;
  source: { path: string; files?: string[] };
}
interface IndexFile {
  name?: string;
  entries: IndexEntry[];
}

/**
 * Item 9 of issue 13 (marketplace part): `hangar market index DIR --write` on an index with a missing or placeholder
 * sha256 printed an error, rewrote the file as `"entries": []` and exited 0. Now it computes what it can, refuses
 * the rest with a non-zero exit, and never writes fewer entries than it read.
 */
describe('hangar market index --write (CLI bundle)', () => {
  const { dir, cleanup } = scratch('index-write');
  let count = 0;
  after(cleanup);

  /** A catalog folder whose index is the standard one changed by `edit`; returns the folder and the index text. */
  function catalogWith(edit: (index: IndexFile) => void, extraFiles: Record<string, string> = {}): { catalog: string; text: string } {
    const catalog = path.join(dir, `catalog-${++count}`);
    const files = hangarCatalogFiles();
    const index = JSON.parse(files['hangar-catalog.json']!) as IndexFile;
    index.name = 'Team catalog';
    edit(index);
    const text = `${JSON.stringify(index, null, 2)}\n`;
    writeFiles(catalog, { ...files, ...extraFiles, 'hangar-catalog.json': text });
    return { catalog, text };
  }
  const indexOf = (catalog: string): string => readFileSync(path.join(catalog, 'hangar-catalog.json'), 'utf8');
  const entry = (index: IndexFile, id: string): IndexEntry => index.entries.find((e) => e.id === id)!;

  for (const [name, edit] of [
    ['a missing sha256', (e: IndexEntry) => delete e.sha256],
    ['a placeholder sha256', (e: IndexEntry) => (e.sha256 = 'TODO')],
    ['an all-zero sha256', (e: IndexEntry) => (e.sha256 = '0'.repeat(64))],
  ] as const) {
    it(`computes ${name} when the file is there, keeping every entry and the catalog name`, async () => {
      const { catalog } = catalogWith((index) => edit(entry(index, 'hello')));
      const result = await runMarketCli(dir, ['market', 'index', catalog, '--write']);
      assert.equal(result.code, 0, `${result.stdout}\n${result.stderr}`);
      const written = JSON.parse(indexOf(catalog)) as IndexFile;
      assert.deepEqual(written.entries.map((e) => e.id), ['postgres-to-s3', 'hello']);
      assert.equal(entry(written, 'hello').sha256, sha256(HELLO_DAG));
      assert.equal(entry(written, 'postgres-to-s3').sha256, sha256(POSTGRES_DAG));
      assert.equal(written.name, 'Team catalog');
      assert.match(result.stdout, /entry "hello": sha256 .*computed/);
      const recheck = await runMarketCli(dir, ['market', 'index', catalog]);
      assert.equal(recheck.code, 0, recheck.stdout);
    });
  }

  it('without --write, a missing sha256 is a failure (exit 1) and nothing is written', async () => {
    const { catalog, text } = catalogWith((index) => delete entry(index, 'hello').sha256);
    const result = await runMarketCli(dir, ['market', 'index', catalog]);
    assert.equal(result.code, 1);
    assert.equal(indexOf(catalog), text);
  });

  for (const [name, edit, extra, message] of [
    ['one entry whose file is missing among good ones', (index: IndexFile) => (entry(index, 'hello').source.path = 'dags/gone.py'), {}, /entry "hello": .*dags\/gone\.py/],
    ['a missing sha256 whose file is missing', (index: IndexFile) => { delete entry(index, 'hello').sha256; entry(index, 'hello').source.path = 'dags/gone.py'; }, {}, /entry "hello"/],
    ['an entry whose file escapes the catalog', (index: IndexFile) => (entry(index, 'hello').source.path = '../outside.py'), {}, /entry "hello": .*leaves the catalog/],
    ['an entry file that cannot be read (a folder)', (index: IndexFile) => (entry(index, 'hello').source.path = 'dags/folder.py'), { 'dags/folder.py/readme.txt': 'a folder, not a DAG\n' }, /entry "hello": .*dags\/folder\.py.*not a file/],
    ['an entry that fails the schema', (index: IndexFile) => ((entry(index, 'hello') as unknown as { title: number }).title = 42), {}, /\/entries\/1\/title/],
  ] as const) {
    it(`refuses to write with ${name}: exit 1, the index byte-identical`, async () => {
      const { catalog, text } = catalogWith(edit, extra);
      const result = await runMarketCli(dir, ['market', 'index', catalog, '--write']);
      assert.equal(result.code, 1, result.stdout);
      assert.match(result.stdout, message);
      assert.match(result.stderr, /not written/);
      assert.equal(indexOf(catalog), text, 'the index is unchanged');
    });
  }

  it('refuses to write when the index does not parse, leaving it as it was', async () => {
    const catalog = path.join(dir, 'syntax');
    const text = '{\n  "entries": [\n    { "id": "hello",\n  ]\n}\n';
    writeFiles(catalog, { 'hangar-catalog.json': text, 'dags/hello.py': HELLO_DAG });
    const result = await runMarketCli(dir, ['market', 'index', catalog, '--write']);
    assert.equal(result.code, 1);
    assert.equal(indexOf(catalog), text);
  });

  it('refuses to write when an entry file cannot be read (a folder where the file should be)', async () => {
    // Permissions would not stop root (CI runs as root): a directory in the file's place fails to read for anyone.
    const { catalog, text } = catalogWith(() => undefined);
    const file = path.join(catalog, 'dags', 'hello.py');
    rmSync(file);
    mkdirSync(file);
    const result = await runMarketCli(dir, ['market', 'index', catalog, '--write']);
    assert.equal(result.code, 1, result.stdout);
    assert.equal(indexOf(catalog), text);
  });

  it('writes nothing when the index is already right (byte-identical, exit 0)', async () => {
    const { catalog } = catalogWith(() => undefined);
    assert.equal((await runMarketCli(dir, ['market', 'index', catalog, '--write'])).code, 0);
    const first = indexOf(catalog);
    const again = await runMarketCli(dir, ['market', 'index', catalog, '--write']);
    assert.equal(again.code, 0);
    assert.equal(indexOf(catalog), first);
  });

  it('fails (exit 1) when the folder has no index at all, writing nothing', async () => {
    const empty = path.join(dir, 'empty');
    mkdirSync(empty);
    const result = await runMarketCli(dir, ['market', 'index', empty, '--write']);
    assert.equal(result.code, 1);
    assert.match(result.stdout, /no index found/);
    assert.ok(!existsSync(path.join(empty, 'hangar-catalog.json')));
  });
});
