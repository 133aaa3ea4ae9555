import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, realpathSync, writeFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, test } from 'node:test';
import { DeployService } from '../../../server/src/deploy/service';
import { waitFor } from '../../support/airflow';
import { shippedCli } from '../../support/cli';
import { DagRepo, folderEnvironment, scratch } from './fixtures';

const FILES = 200;
const KILL_TRIALS = Number(process.env.HANGAR_KILL_TRIALS ?? 50);
const CYCLES = Number(process.env.HANGAR_READER_CYCLES ?? 100);

const service = new DeployService();

/** Resolves with the exit code once the child has exited (after SIGKILL when `kill`), also if it already has. */
function exitOf(child: ChildProcess, kill: boolean): Promise<number | null> {
  if (kill) child.kill('SIGKILL');
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** A release whose every file names it, so a reader can tell releases apart and spot partial files. */
function release(marker: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) {
    files[`dag_${i}.py`] = `# release ${marker}\nfrom airflow.sdk import DAG\nwith DAG(dag_id="dag_${i}", schedule=None):\n    pass\n${'# padding\n'.repeat(i % 50)}# end\n`;
  }
  return files;
}

/** The marker of the release a namespace serves, after checking that the release is complete and untouched. */
function servedRelease(dags: string): string {
  const root = realpathSync(path.join(dags, 'team'));
  const names = readdirSync(root).filter((n) => n.endsWith('.py'));
  assert.equal(names.length, FILES, `served release ${root} is complete`);
  const markers = new Set(names.map((n) => /^# release (\S+)\n[\s\S]*# end\n$/.exec(readFileSync(path.join(root, n), 'utf8'))?.[1] ?? 'PARTIAL'));
  assert.equal(markers.size, 1, `served release ${root} holds one release: ${[...markers].join(', ')}`);
  return [...markers][0]!;
}

describe('deploy reliability (folder target)', () => {
  test(`a deploy SIGKILLed at a random point leaves a complete release served and the next deploy succeeds (${KILL_TRIALS} trials)`, async () => {
    const root = scratch('kill');
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    writeFileSync(path.join(root, 'airflow-repos.yaml'), `repositories:\n  - name: team\n    url: ./team\n    path: team\n    branch: main\nenvironments:\n  - name: dev\n    target: { kind: folder, path: dags, keep_releases: 3 }\n`);
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()], 3);
    repo.commit(release('r0'));
    await service.apply(await service.planDeploy(env));

    const hangar = shippedCli();
    const cli = (): ChildProcess => spawn(process.execPath, [hangar, 'deploy', '--env', 'dev', '--no-verify'], { cwd: root, stdio: 'ignore' });
    // How long an uninterrupted CLI deploy takes: kills land uniformly within it.
    // Calibration: how long an uninterrupted CLI deploy takes, and when it holds the lock (the write phase).
    repo.commit(release('calibrate'));
    const lockDir = path.join(dags, '.hangar', 'deploy.lock');
    const t0 = Date.now();
    const calibration = cli();
    let lockFrom = Infinity;
    let lockTo = 0;
    const exited = exitOf(calibration, false);
    let done = false;
    void exited.then(() => (done = true));
    while (!done) {
      if (existsSync(lockDir)) {
        lockFrom = Math.min(lockFrom, Date.now() - t0);
        lockTo = Date.now() - t0;
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    assert.equal(await exited, 0);
    const fullMs = Date.now() - t0;
    assert.ok(lockTo > 0, 'the calibration deploy took the lock');

    const outcomes = { previous: 0, next: 0, lockLeft: 0, tmpLeft: 0, inWritePhase: 0 };
    let served = servedRelease(dags);
    for (let trial = 1; trial <= KILL_TRIALS; trial++) {
      repo.commit(release(`k${trial}`));
      const child = cli();
      // Odd trials: anywhere in the run; even trials: a random point of the write phase, which starts when the
      // child takes the lock (watched for) and lasted lockTo - lockFrom ms in the calibration run.
      const inWritePhase = trial % 2 === 0;
      if (inWritePhase) {
        outcomes.inWritePhase++;
        await waitFor('the child to take the lock', () => existsSync(lockDir) || child.exitCode !== null, 30_000, 1);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * (lockTo - lockFrom)));
      } else {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * fullMs));
      }
      await exitOf(child, true);
      if (existsSync(path.join(dags, '.hangar', 'deploy.lock'))) outcomes.lockLeft++;
      if (existsSync(path.join(dags, '.hangar', 'tmp')) && readdirSync(path.join(dags, '.hangar', 'tmp')).length > 0) outcomes.tmpLeft++;
      const now = servedRelease(dags);
      assert.ok(now === served || now === `k${trial}`, `trial ${trial}: serves ${now}, expected ${served} or k${trial}`);
      if (now === served) outcomes.previous++;
      else outcomes.next++;
      // The next deploy (of a new commit) succeeds and serves exactly that commit.
      const next = repo.commit(release(`n${trial}`));
      const record = await service.apply(await service.planDeploy(env));
      assert.equal(servedRelease(dags), `n${trial}`);
      assert.equal(record.repositories[0]!.commit, next);
      served = `n${trial}`;
    }
    console.log(`kill trials: ${KILL_TRIALS} (${KILL_TRIALS - outcomes.inWritePhase} uniform in 0..${fullMs} ms, ${outcomes.inWritePhase} within ${lockTo - lockFrom} ms after the child took the lock); served previous ${outcomes.previous}, new ${outcomes.next}; lock left by killed holder ${outcomes.lockLeft}, temp leftovers ${outcomes.tmpLeft}; all next deploys succeeded`);
  });

  /**
   * Deploy/rollback cycles between three releases while a reader scans the namespace. Returns what it saw. The
   * per-file reader opens every file through `<dags>/team` at its own moment, as Airflow's DAG processor does.
   */
  async function readDuringSwitches(mode: 'pinned' | 'per-file'): Promise<{ scans: number; filesRead: number; mixedScans: number; releasesSeen: string[]; violations: string[]; ms: number }> {
    const root = scratch(`reader-${mode}`);
    const repo = new DagRepo(root);
    const dags = path.join(root, 'dags');
    await mkdir(dags);
    const env = folderEnvironment('dev', dags, [repo.asDeployRepository()], 2);
    const markers = ['a', 'b', 'c'];
    const shas = markers.map((m) => repo.commit(release(m)));
    const expected = Object.fromEntries(markers.map((m) => [m, Object.fromEntries(Object.entries(release(m)).map(([name, text]) => [name, createHash('sha256').update(text).digest('hex')]))]));
    writeFileSync(path.join(root, 'expected.json'), JSON.stringify(expected));
    await service.apply(await service.planDeploy(env, { refs: { team: shas[0]! } }));
    const stop = path.join(root, 'stop');
    const reader = spawn(process.execPath, [path.join(__dirname, 'reader.mjs'), dags, 'team', String(FILES), stop, mode, path.join(root, 'expected.json')], { stdio: 'inherit' });
    const started = Date.now();
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await service.apply(await service.planDeploy(env, { refs: { team: shas[(cycle % 2) + 1]! } }));
      await service.apply(await service.planRollback(env));
    }
    const ms = Date.now() - started;
    writeFileSync(stop, '');
    await new Promise((resolve) => reader.once('exit', resolve));
    return { ...(JSON.parse(readFileSync(`${stop}.result`, 'utf8')) as { scans: number; filesRead: number; mixedScans: number; releasesSeen: string[]; violations: string[] }), ms };
  }

  test(`a reader that resolves the namespace link once per scan never sees a mix of two releases (${CYCLES} deploy/rollback cycles)`, async () => {
    const result = await readDuringSwitches('pinned');
    console.log(`pinned reader: ${result.scans} scans over ${CYCLES} cycles (${CYCLES * 2} switches, ${result.ms} ms), releases seen ${result.releasesSeen.sort().join(',')}, violations ${result.violations.length}`);
    assert.deepEqual(result.violations.slice(0, 5), []);
    assert.equal(result.mixedScans, 0);
    assert.ok(result.scans > CYCLES, 'the reader scanned throughout the cycles');
    assert.ok(result.releasesSeen.length >= 2, 'the reader saw the switches');
  });

  test(`a reader that opens every file through the link (as Airflow's DAG processor does) reads every file whole, as one release's copy (${CYCLES} cycles)`, async () => {
    const result = await readDuringSwitches('per-file');
    // What the README states: each file is whole and exactly one release's copy; a scan spanning a switch can mix.
    console.log(`per-file reader: ${result.scans} scans, ${result.filesRead} files read over ${CYCLES} cycles (${result.ms} ms); ${result.mixedScans} scans read files of two releases; violations ${result.violations.length}`);
    assert.deepEqual(result.violations.slice(0, 5), []);
    assert.ok(result.scans > CYCLES, 'the reader scanned throughout the cycles');
    assert.ok(result.releasesSeen.length >= 2, 'the reader saw the switches');
  });
});
