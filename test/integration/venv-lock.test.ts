import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { CACHE } from '../support/venv';

const name = `test-venv-lock-${process.pid}`;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'hangar-venv-lock-'));
const requirements = path.join(scratch, 'requirements.txt');

after(() => {
  rmSync(path.join(CACHE, name), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
});

/** Runs ensureVenv in a separate Node process, as a second test file or engineer would. */
function ensureInAnotherProcess(): Promise<{ code: number; stderr: string; stdout: string }> {
  const script = `require(${JSON.stringify(path.join(__dirname, '..', 'support', 'venv.ts'))})
    .ensureVenv({ name: ${JSON.stringify(name)}, requirements: ${JSON.stringify(requirements)}, label: 'lock test' })
    .then((python) => process.stdout.write(python));`;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

test('concurrent callers of ensureVenv share one install, and a second call reuses it', async () => {
  writeFileSync(requirements, 'six==1.17.0\n');
  const results = await Promise.all([ensureInAnotherProcess(), ensureInAnotherProcess(), ensureInAnotherProcess()]);
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  const installs = results.filter((r) => r.stderr.includes(`creating .cache/${name}`)).length;
  assert.equal(installs, 1, `expected one install, saw ${installs}:\n${results.map((r) => r.stderr).join('\n---\n')}`);
  const python = results[0]!.stdout;
  assert.ok(existsSync(python));
  assert.ok(results.every((r) => r.stdout === python));

  const again = await ensureInAnotherProcess();
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!again.stderr.includes('creating'), 'an installed venv with unchanged requirements is reused');

  writeFileSync(requirements, 'six==1.16.0\n');
  const changed = await ensureInAnotherProcess();
  assert.equal(changed.code, 0, changed.stderr);
  assert.ok(changed.stderr.includes(`creating .cache/${name}`), 'changed requirements re-create the venv');
});
