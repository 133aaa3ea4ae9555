import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { benchDagSource } from '../../bench/corpus';
import { shippedCli } from '../../support/cli';

const FILES = 160;

describe('hangar check on worker threads', () => {
  test('a large folder gives the same report on 1 and on 3 threads, duplicates across threads included', async () => {
    const hangar = shippedCli();
    const dir = mkdtempSync(path.join(tmpdir(), 'hangar-workers-'));
    for (let i = 0; i < FILES; i++) writeFileSync(path.join(dir, `dag_${String(i).padStart(3, '0')}.py`), benchDagSource(i));
    // Files 0 and 1 land on different threads: the duplicate dag_id is only visible once all threads report.
    writeFileSync(path.join(dir, 'dag_001.py'), benchDagSource(0));
    const check = (jobs: string) => spawnSync(process.execPath, [hangar, 'check', '--no-cache', '--verbose', '--format', 'json', '--jobs', jobs, '.'], { cwd: dir, encoding: 'utf8' });
    const serial = check('1');
    const threaded = check('3');
    assert.equal(serial.status, 1, serial.stderr);
    assert.equal(threaded.status, 1, threaded.stderr);
    // --verbose counts the threads that reported results: the threaded run really ran on three.
    assert.match(serial.stderr, new RegExp(`^hangar check: ${FILES} file\\(s\\): 0 from the cache, ${FILES} analysed in the main thread$`, 'm'));
    assert.match(threaded.stderr, new RegExp(`^hangar check: ${FILES} file\\(s\\): 0 from the cache, ${FILES} analysed on 3 threads \\(the main thread and 2 worker\\(s\\)\\)$`, 'm'));
    assert.equal(threaded.stdout, serial.stdout);
    const report = JSON.parse(threaded.stdout) as { summary: { files: number }; findings: { path: string; ruleId: string }[] };
    assert.equal(report.summary.files, FILES);
    assert.deepEqual(report.findings.filter((f) => f.ruleId === 'HGR006').map((f) => f.path), ['dag_000.py', 'dag_001.py']);
  });

  test('--jobs must be a whole number', async () => {
    const run = spawnSync(process.execPath, [shippedCli(), 'check', '--jobs', 'many', '.'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /--jobs <n>.*expected a whole number/);
  });
});
