import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { MAX_FILE_BYTES } from '../../../server/src/analysis/input';
import { gitRepo, HELLO_DAG, scratch, sha256, writeFiles } from './catalogRepos';
import { runMarketCli } from './marketCli';

/** A syntactically valid DAG of about `bytes` bytes: one task per line, as generated DAGs look. */
function hugeDag(bytes: number): string {
  let text = 'from airflow.sdk import DAG\nfrom airflow.providers.standard.operators.bash import BashOperator\n\nwith DAG("generated", schedule=None):\n';
  const lines: string[] = [];
  for (let i = 0; text.length < bytes; i++) {
    const line = `    t${i} = BashOperator(task_id="task_${i}", bash_command="echo ${i}")\n`;
    lines.push(line);
    if (lines.length === 1000) text += lines.splice(0).join('');
  }
  return text + lines.join('');
}

/**
 * Item 6 of issue 13 (marketplace part): a 5 MB entry used to take 18 s and 1.4 GB to install. The marketplace now
 * applies the analysis engine's size limit (the one `hangar check` uses) to every catalog file it reads.
 */
describe('marketplace: the analysis size limit applies to catalog files (CLI bundle)', () => {
  const { dir, cleanup } = scratch('size');
  const big = hugeDag(5 * 1024 * 1024);
  let catalog = '';
  let repo = '';

  before(async () => {
    const entry = (id: string, file: string, content: string): object => ({ id, title: id, version: '1.0.0', source: { path: file }, sha256: sha256(content) });
    catalog = path.join(dir, 'catalog');
    writeFiles(catalog, {
      'hangar-catalog.json': JSON.stringify({ entries: [entry('big', 'dags/big.py', big), entry('hello', 'dags/hello.py', HELLO_DAG)] }, null, 2),
      'dags/big.py': big,
      'dags/hello.py': HELLO_DAG,
    });
    repo = gitRepo(dir, 'repo', { 'README.md': 'DAGs\n' });
  });
  after(cleanup);

  it('refuses to install a 5 MB entry with one clear message, in bounded memory', async () => {
    assert.ok(big.length > 5 * MAX_FILE_BYTES - 1024, 'the entry is well over the limit');
    const result = await runMarketCli(dir, ['market', 'install', 'team/big', '--catalog', `team=${catalog}`, '--repo', repo]);
    assert.notEqual(result.code, 0, result.stdout);
    assert.match(result.stderr, /dags\/big\.py is 5\.0 MB, over Hangar's 1 MB limit for a DAG file/);
    assert.ok(!existsSync(path.join(repo, 'dags')), 'nothing written');
    assert.ok(result.peakRssMb < 400, `peak memory ${Math.round(result.peakRssMb)} MB stays bounded (0.1.0 used about 1.4 GB)`);
  });

  it('still installs the other entry of the same catalog', async () => {
    const result = await runMarketCli(dir, ['market', 'install', 'team/hello', '--catalog', `team=${catalog}`, '--repo', repo, '--json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((JSON.parse(result.stdout) as { files: string[] }).files, ['dags/hello.py']);
  });

  it('info and the catalog check report the oversized file instead of analysing it', async () => {
    const info = await runMarketCli(dir, ['market', 'info', 'team/big', '--catalog', `team=${catalog}`]);
    assert.notEqual(info.code, 0);
    assert.match(info.stderr, /over Hangar's 1 MB limit/);
    assert.ok(info.peakRssMb < 400, `peak memory ${Math.round(info.peakRssMb)} MB`);
    const check = await runMarketCli(dir, ['market', 'index', catalog]);
    assert.equal(check.code, 1);
    assert.match(check.stdout, /entry "big": .*over Hangar's 1 MB limit/);
  });
});
