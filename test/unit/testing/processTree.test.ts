import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runProcessTree, stopAllProcessTrees } from '../../../server/src/testing/processTree';
import { isAlive } from '../../support/processes';

/** A shell that ignores SIGTERM, starts a grandchild that ignores it too, writes both pids, then waits. */
const STUBBORN = 'trap "" TERM; sh -c \'trap "" TERM; sleep 300\' & echo "$$ $!" > "$PID_FILE.tmp"; mv "$PID_FILE.tmp" "$PID_FILE"; sleep 300';

async function pidsOf(file: string): Promise<number[]> {
  while (!existsSync(file)) await new Promise((resolve) => setTimeout(resolve, 20));
  return readFileSync(file, 'utf8').trim().split(' ').map(Number);
}

function stubborn(): { file: string; env: NodeJS.ProcessEnv } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'hangar-tree-')), 'pids');
  return { file, env: { ...process.env, PID_FILE: file } };
}

test('a timeout ends the whole tree, escalating to SIGKILL for processes that ignore SIGTERM', async () => {
  const { file, env } = stubborn();
  const exit = await runProcessTree('sh', ['-c', STUBBORN], { env, timeoutMs: 300 });
  assert.equal(exit.timedOut, true);
  const [shell, grandchild] = await pidsOf(file);
  assert.deepEqual([shell!, grandchild!].filter(isAlive), []);
  assert.equal(isAlive(-shell!), false, 'the process group is empty');
});

test('aborting rejects with an AbortError once every process of the tree is gone', async () => {
  const { file, env } = stubborn();
  const abort = new AbortController();
  const running = runProcessTree('sh', ['-c', STUBBORN], { env, signal: abort.signal });
  const pids = await pidsOf(file);
  abort.abort();
  await assert.rejects(running, { name: 'AbortError' });
  assert.deepEqual(pids.filter(isAlive), []);
});

test('stopAllProcessTrees (extension shutdown) ends every tree still running', async () => {
  const { file, env } = stubborn();
  const running = runProcessTree('sh', ['-c', STUBBORN], { env });
  const pids = await pidsOf(file);
  await stopAllProcessTrees();
  assert.deepEqual(pids.filter(isAlive), []);
  assert.notEqual((await running).code, 0);
});

test('a leader that exits normally takes the processes it left behind with it', async () => {
  const { file, env } = stubborn();
  const exit = await runProcessTree('sh', ['-c', 'sleep 300 & echo "$$ $!" > "$PID_FILE"; exit 0'], { env });
  assert.equal(exit.code, 0);
  assert.deepEqual((await pidsOf(file)).filter(isAlive), []);
});

test('a missing command is an ENOENT error', async () => {
  await assert.rejects(runProcessTree('/nonexistent/python3', []), { code: 'ENOENT' });
});
