import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runHangar, type CliRun } from '../../support/cli';
import { startGitHttpServer, type GitHttpServer } from '../../support/gitHttpServer';
import { createRemote, dagSource, filesContaining, tempDir, type TestRemote } from '../../support/gitRepos';

const TOKEN = 'tok-9d8e7f6a5b4c3d2e';

/** Runs the shipped CLI on `<workspace>/airflow-repos.yaml`. */
function hangar(workspace: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return runHangar([...args, '--config', path.join(workspace, 'airflow-repos.yaml')], { env });
}

describe('hangar repos (CLI)', () => {
  let root: string;
  let workspace: string;
  let remote: TestRemote;
  let server: GitHttpServer;

  before(async () => {
    root = tempDir('cli');
    workspace = path.join(root, 'workspace');
    remote = createRemote(path.join(root, 'remotes'), 'company', { 'dags/orders.py': dagSource('orders') });
    createRemote(path.join(root, 'remotes'), 'community', { 'dags/orders_copy.py': dagSource('orders'), 'dags/other.py': dagSource('other') });
    server = await startGitHttpServer({ projectRoot: path.join(root, 'remotes'), username: 'x-access-token', password: TOKEN });
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'airflow-repos.yaml'), '# Hangar repositories\nrepositories: []\n');
  });
  after(async () => {
    await server.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('add writes the file, keeping its comment; a bad value is refused with its line', async () => {
    assert.equal((await hangar(workspace, ['repos', 'add', 'company', remote.bare, '--branch', 'main', '--priority', '10'])).code, 0);
    const added = await hangar(workspace, ['repos', 'add', 'community', `${server.url}/community.git`, '--auth', 'token', '--priority', '1']);
    assert.equal(added.code, 0, added.stderr);
    const bad = await hangar(workspace, ['repos', 'add', 'broken', remote.bare, '--auth', 'password']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /airflow-repos\.yaml:\d+:\d+: repositories\[2\]\.auth: must be one of: none, token, basic, ssh/);
    const text = readFileSync(path.join(workspace, 'airflow-repos.yaml'), 'utf8');
    assert.ok(text.startsWith('# Hangar repositories\n'));
    assert.ok(!text.includes('broken'));
  });

  test('sync reads the token from the environment only, reports conflicts, and list/history show the result', async () => {
    const failed = await hangar(workspace, ['repos', 'sync', '--json'], { HANGAR_TOKEN_COMMUNITY: 'not-the-token' });
    assert.equal(failed.code, 1);
    const failedJson = JSON.parse(failed.stdout) as { results: Array<{ repository: string; result: string; error?: { kind: string } }> };
    assert.deepEqual(failedJson.results.map((r) => [r.repository, r.result, r.error?.kind]), [
      ['company', 'synced', undefined],
      ['community', 'failed', 'invalid-credentials'],
    ]);

    const synced = await hangar(workspace, ['repos', 'sync', 'community', '--json'], { HANGAR_TOKEN_COMMUNITY: TOKEN });
    assert.equal(synced.code, 0, synced.stderr);
    const json = JSON.parse(synced.stdout) as { conflicts: Array<{ dagId: string; winner: { repository: string }; losers: Array<{ repository: string; file: string }> }> };
    assert.deepEqual(json.conflicts.map((c) => [c.dagId, c.winner.repository, c.losers[0]!.file]), [['orders', 'company', 'dags/orders_copy.py']]);

    const list = JSON.parse((await hangar(workspace, ['repos', 'list', '--json'])).stdout) as { repositories: Array<{ name: string; dags: number; lastSync: { result: string } }> };
    assert.deepEqual(list.repositories.map((r) => [r.name, r.dags, r.lastSync.result]), [['company', 1, 'synced'], ['community', 2, 'synced']]);
    const history = JSON.parse((await hangar(workspace, ['repos', 'history', 'community', '--json'])).stdout) as Array<{ result: string }>;
    assert.deepEqual(history.map((h) => h.result), ['synced', 'failed']);
    assert.deepEqual(filesContaining(root, TOKEN), [], 'the token is written nowhere');
  });

  test('the sync history keeps the last 200 entries, newest first, across processes', async () => {
    // 199 older entries (the oldest marked), then two syncs by the CLI: 201 in all, the oldest one dropped.
    const stateFile = path.join(workspace, '.hangar', 'repos', 'company.json');
    const stored = JSON.parse(readFileSync(stateFile, 'utf8')) as { state: unknown; history: Array<{ time: string; durationMs: number }> };
    const older = Array.from({ length: 199 - stored.history.length }, (_, i) => ({ ...stored.history.at(-1)!, time: new Date(Date.UTC(2020, 0, 1) - i * 60_000).toISOString(), durationMs: i }));
    writeFileSync(stateFile, JSON.stringify({ ...stored, history: [...stored.history, ...older] }));
    const oldest = older.at(-1)!.time;
    for (let i = 0; i < 2; i++) assert.equal((await hangar(workspace, ['repos', 'sync', 'company'])).code, 0);
    const history = JSON.parse((await hangar(workspace, ['repos', 'history', 'company', '--json', '--limit', '1000'])).stdout) as Array<{ time: string; result: string }>;
    assert.equal(history.length, 200);
    assert.deepEqual(history.slice(0, 2).map((h) => h.result), ['up-to-date', 'up-to-date']);
    assert.ok(Date.parse(history[0]!.time) >= Date.parse(history[1]!.time), 'newest first');
    assert.ok(!history.some((h) => h.time === oldest), 'the oldest entry was dropped');
    assert.equal(history.at(-1)!.time, older.at(-2)!.time);
  });

  test('remove drops the entry and, with --delete-clone, the clone', async () => {
    const removed = await hangar(workspace, ['repos', 'remove', 'community', '--delete-clone']);
    assert.equal(removed.code, 0, removed.stderr);
    const list = JSON.parse((await hangar(workspace, ['repos', 'list', '--json'])).stdout) as { repositories: Array<{ name: string }> };
    assert.deepEqual(list.repositories.map((r) => r.name), ['company']);
  });
});
