import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { prerequisite, waitFor } from '../../support/airflow';
import { postgresOrSkip, type RunningPostgres } from '../../support/postgres';
import { liveCommit } from '../agent/agentHarness';
import { changes, fleetIdle, fleetStatus, pushTo, startFleet, type RunningFleet } from './fleetHarness';

/** Enough files that the write phase of a deploy (under the target's lock) lasts long enough to be hit. */
const FILES = 600;
const ATTEMPTS = 5;

/** A release whose every file names it and ends with a marker, so a partial file or a mix shows. */
function release(marker: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < FILES; i++) {
    files[`dags/dag_${i}.py`] = `# release ${marker}\nfrom airflow.sdk import DAG\nwith DAG(dag_id="dag_${i}", schedule=None):\n    pass\n${'# padding\n'.repeat(i % 40)}# end of ${marker}\n`;
  }
  return files;
}

/** Fails unless the namespace serves one complete release; returns its marker. */
function wholeRelease(dags: string): string {
  const served = realpathSync(path.join(dags, 'orders'));
  const names = readdirSync(served).filter((n) => n.endsWith('.py'));
  assert.equal(names.length, FILES, `the served release ${served} has every file`);
  const markers = new Set(
    names.map((name) => {
      const text = readFileSync(path.join(served, name), 'utf8');
      const marker = /^# release (\S+)\n/.exec(text)?.[1];
      return marker && text.endsWith(`# end of ${marker}\n`) ? marker : 'TORN';
    }),
  );
  assert.deepEqual([...markers].length, 1, `the served release holds one release, whole: ${[...markers].join(', ')}`);
  return [...markers][0]!;
}

let postgres: RunningPostgres | undefined;
let fleet: RunningFleet | undefined;
before(async () => {
  postgres = await postgresOrSkip();
  if (postgres) fleet = await startFleet({ count: 3, database: postgres.database, postgres, files: release('r0'), lease: 3 });
});
after(async () => {
  await fleet?.stop().catch(() => undefined);
  await postgres?.stop();
});

test('an agent SIGKILLed in the middle of a deploy: another agent completes the job, 0 torn releases, the commit deployed once', async (t) => {
  const running = fleet;
  if (!prerequisite(t, running, 'PostgreSQL is not installed')) return;
  const lockDir = path.join(running.dagsFolder, '.hangar', 'deploy.lock');
  const ownerFile = path.join(running.dagsFolder, '.hangar', 'deploy.owner');
  // Version 1 first, so the killed deploy replaces a live release.
  const first = running.remote.commit(release('r1'), 'r1');
  assert.equal((await pushTo(running.agents[0]!, running.remote, first, 0, 'first')).status, 202);
  await fleetIdle(running.agents[0]!);
  assert.equal(wholeRelease(running.dagsFolder), 'r1');

  let killedMidDeploy = false;
  for (let attempt = 1; attempt <= ATTEMPTS && !killedMidDeploy; attempt++) {
    const marker = `k${attempt}`;
    const commit = running.remote.commit(release(marker), marker);
    assert.equal((await pushTo(running.agents[attempt % running.agents.length]!, running.remote, commit, attempt, `kill-${attempt}`)).status, 202);
    // The deploy's write phase: the folder target's lock is held and names its holder.
    const holder = await waitFor('an agent to take the deploy lock', () => {
      if (!existsSync(lockDir)) return undefined;
      try {
        return (JSON.parse(readFileSync(ownerFile, 'utf8')) as { pid: number }).pid;
      } catch {
        return undefined;
      }
    }, 60_000, 1);
    const victim = running.agents.find((a) => a.pid === holder);
    assert.ok(victim, `the lock holder ${holder} is one of the agents`);
    const stillWriting = existsSync(lockDir);
    await victim.stop('SIGKILL');
    killedMidDeploy = stillWriting && existsSync(lockDir);
    t.diagnostic(`attempt ${attempt}: killed agent ${holder} ${killedMidDeploy ? 'while it held the deploy lock' : 'after its deploy had finished'}`);
    const survivors = running.agents.filter((a) => a !== victim);
    running.agents.splice(running.agents.indexOf(victim), 1);
    // Within the lease (3 s) plus a retry delay, another agent takes the job over and finishes the deploy.
    await waitFor(`${marker} to be live after the takeover`, () => liveCommit(running.dagsFolder, 'orders') === commit, 60_000, 100);
    await fleetIdle(survivors[0]!);
    assert.equal(wholeRelease(running.dagsFolder), marker, 'the served release is the new one, whole');
    assert.ok(!existsSync(lockDir), 'the killed holder\'s lock was taken over and released');
    const status = await fleetStatus(survivors[0]!);
    assert.equal(status.repositories.orders?.deployed?.commit, commit);
    assert.ok(survivors.some((a) => status.repositories.orders?.deployed?.by.includes(`:${a.pid}:`)), 'a surviving agent recorded the deploy');
    assert.equal(changes(running.history()).filter((r) => r.repositories[0]!.commit === commit).length, 1, `${marker} went live in exactly one version`);
    if (running.agents.length === 1) break;
  }
  assert.ok(killedMidDeploy, `an agent was killed while it held the deploy lock (within ${ATTEMPTS} attempts)`);
  const history = running.history();
  for (let i = 1; i < history.length; i++) {
    assert.notDeepEqual(history[i]!.repositories.map((r) => r.commit), history[i - 1]!.repositories.map((r) => r.commit), `version ${history[i]!.version} repeats its predecessor`);
  }
});
