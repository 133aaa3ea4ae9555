import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { benchDagSource } from '../../bench/corpus';
import { shippedCli } from '../../support/cli';

/** Enough files for worker threads, so cached and analysed files mix across threads. */
const FILES = 90;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A workspace of corpus files (two with one dag_id, for the cross-file finding) and its own cache folder. */
function workspace(): { dir: string; cache: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'hangar-cache-'));
  for (let i = 0; i < FILES; i++) writeFileSync(path.join(dir, `dag_${String(i).padStart(3, '0')}.py`), benchDagSource(i));
  writeFileSync(path.join(dir, 'dag_001.py'), benchDagSource(0));
  return { dir, cache: path.join(dir, '.cache-dir') };
}

const entries = (cache: string): string[] => (existsSync(cache) ? readdirSync(cache).filter((name) => name.endsWith('.json')) : []);

describe('hangar check cache', () => {
  const hangar = shippedCli();
  const check = (dir: string, ...args: string[]): Run => spawnSync(process.execPath, [hangar, 'check', '--format', 'json', ...args, '.'], { cwd: dir, encoding: 'utf8' });

  test('a warm run reports byte for byte what a cold run and an uncached run report, from the cache', () => {
    const { dir, cache } = workspace();
    const uncached = check(dir, '--no-cache', '--cache-dir', cache);
    assert.equal(entries(cache).length, 0, '--no-cache writes nothing');
    const cold = check(dir, '--cache-dir', cache);
    assert.equal(entries(cache).length, FILES);
    const warm = check(dir, '--cache-dir', cache);
    for (const run of [uncached, cold, warm]) assert.equal(run.status, 1, run.stderr);
    assert.equal(cold.stdout, uncached.stdout);
    assert.equal(warm.stdout, cold.stdout);
    const duplicates = (JSON.parse(warm.stdout) as { findings: { path: string; ruleId: string }[] }).findings.filter((f) => f.ruleId === 'HGR006');
    assert.deepEqual(duplicates.map((f) => f.path), ['dag_000.py', 'dag_001.py'], 'duplicate dag_ids come from the cached dag ids');

    // The warm run read its findings from the entries: a planted finding shows up.
    for (const name of entries(cache)) {
      const file = path.join(cache, name);
      const entry = JSON.parse(readFileSync(file, 'utf8')) as { findings: unknown[] };
      entry.findings.push({ ruleId: 'HGR014', severity: 'info', message: 'planted in the cache', range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
      writeFileSync(file, JSON.stringify(entry));
    }
    assert.equal((check(dir, '--cache-dir', cache).stdout.match(/planted in the cache/g) ?? []).length, FILES);
  });

  test('a changed file, a changed config and a changed engine are misses', () => {
    const { dir, cache } = workspace();
    const cold = check(dir, '--cache-dir', cache);
    const syntaxError = /"path": "dag_010.py",\s*"ruleId": "HGR001"/;
    assert.doesNotMatch(cold.stdout, syntaxError);
    writeFileSync(path.join(dir, 'dag_010.py'), `${benchDagSource(10)}\nthis is not python(\n`);
    const edited = check(dir, '--cache-dir', cache);
    assert.match(edited.stdout, syntaxError);
    assert.equal(edited.stdout, check(dir, '--no-cache').stdout);

    writeFileSync(path.join(dir, 'hangar.toml'), 'ignore = ["HGR001"]\n');
    const configured = check(dir, '--cache-dir', cache);
    assert.doesNotMatch(configured.stdout, /"HGR001"/);
    assert.equal(configured.stdout, check(dir, '--no-cache').stdout);
    assert.equal(check(dir, '--cache-dir', cache, '--select', 'HGR006').stdout, check(dir, '--no-cache', '--select', 'HGR006').stdout);

    // Another build of Hangar (here: the same bundles with one byte more each) never reads this build's entries.
    const other = mkdtempSync(path.join(tmpdir(), 'hangar-other-build-'));
    for (const part of ['cli', 'wasm']) cpSync(path.join(path.dirname(path.dirname(hangar)), part), path.join(other, part), { recursive: true });
    for (const bundle of readdirSync(path.join(other, 'cli')).filter((name) => name.endsWith('.js'))) appendFileSync(path.join(other, 'cli', bundle), '\n');
    const before = entries(cache).length;
    const rebuilt = spawnSync(process.execPath, [path.join(other, 'cli', 'hangar.js'), 'check', '--format', 'json', '--cache-dir', cache, '.'], { cwd: dir, encoding: 'utf8' });
    assert.equal(rebuilt.stdout, configured.stdout);
    assert.equal(entries(cache).length, before + FILES, 'every file was analysed again and recorded under new keys');
  });

  test('torn and corrupt entries are ignored and rewritten', () => {
    const { dir, cache } = workspace();
    const cold = check(dir, '--cache-dir', cache);
    const names = entries(cache);
    names.forEach((name, i) => {
      const file = path.join(cache, name);
      const text = readFileSync(file, 'utf8');
      // Half torn, a quarter valid JSON of the wrong shape, a quarter another entry's content under this name.
      const damaged = i % 2 === 0 ? text.slice(0, text.length / 2) : i % 4 === 1 ? '{"key": 1, "findings": {}}' : readFileSync(path.join(cache, names[(i + 1) % names.length]!), 'utf8');
      writeFileSync(file, damaged);
    });
    const warm = check(dir, '--cache-dir', cache);
    assert.equal(warm.status, cold.status, warm.stderr);
    assert.equal(warm.stdout, cold.stdout);
    assert.equal(check(dir, '--cache-dir', cache).stdout, cold.stdout, 'the rewritten entries read back');
    for (const name of names) assert.equal((JSON.parse(readFileSync(path.join(cache, name), 'utf8')) as { key: string }).key, name.replace(/\.json$/, ''));
  });

  test('two runs at once on one cold cache both report correctly', async () => {
    const { dir, cache } = workspace();
    const expected = check(dir, '--no-cache').stdout;
    const runAsync = () =>
      new Promise<Run>((resolve, reject) => {
        const child = spawn(process.execPath, [hangar, 'check', '--format', 'json', '--jobs', '2', '--cache-dir', cache, '.'], { cwd: dir });
        let stdout = '';
        let stderr = '';
        child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
        child.on('error', reject);
        child.on('close', (status) => resolve({ status, stdout, stderr }));
      });
    const runs = await Promise.all([runAsync(), runAsync(), runAsync()]);
    for (const run of runs) {
      assert.equal(run.status, 1, run.stderr);
      assert.equal(run.stdout, expected);
    }
    assert.equal(entries(cache).length, FILES);
    assert.deepEqual(readdirSync(cache).filter((name) => !name.endsWith('.json')), [], 'no temporary files left behind');
    assert.equal(check(dir, '--cache-dir', cache).stdout, expected);
  });

  test('with the cache on, a FIFO named on the command line is reported, never read (reading one never ends)', () => {
    const { dir, cache } = workspace();
    assert.equal(spawnSync('mkfifo', [path.join(dir, 'pipe.py')]).status, 0, 'mkfifo');
    const run = spawnSync(process.execPath, [hangar, 'check', '--cache-dir', cache, 'pipe.py', 'dag_002.py'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    assert.equal(run.error, undefined, 'hangar check finished');
    assert.match(run.stdout, /^pipe\.py:1:1: HGR014 warning: File not analyzed: it is not a regular file/m);
  });

  test('an unwritable cache folder still gives the full report, with a warning', () => {
    const { dir } = workspace();
    const blocked = path.join(dir, 'blocked');
    writeFileSync(blocked, 'a file where the cache folder would be');
    const run = check(dir, '--cache-dir', path.join(blocked, 'cache'));
    assert.equal(run.stdout, check(dir, '--no-cache').stdout);
    assert.match(run.stderr, /could not write the cache in .*blocked.*--no-cache skips the cache/);
  });

  test('the cache stays within its bound', async () => {
    const { MAX_ENTRIES } = await import('../../../server/src/cli/checkCache');
    const { dir, cache } = workspace();
    mkdirSync(cache, { recursive: true });
    for (let i = 0; i < MAX_ENTRIES; i++) writeFileSync(path.join(cache, `${String(i).padStart(64, '0')}.json`), '{}');
    check(dir, '--cache-dir', cache);
    const kept = entries(cache);
    assert.ok(kept.length < MAX_ENTRIES, `${kept.length} entries kept`);
    assert.equal(kept.filter((name) => !/^0+\d*\.json$/.test(name)).length, FILES, 'the newest entries are the ones kept');
  });
});
