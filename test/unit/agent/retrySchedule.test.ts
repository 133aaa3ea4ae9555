import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_RETRY, RepositoryQueue } from '../../../server/src/agent/repoQueue';

/** Lets the queue's promise callbacks run (the work's rejection, the retry's scheduling) without moving the clock. */
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

test('a failing run is tried 4 times: again 2 s, 4 s and 8 s after each failure (the agent\'s default schedule), then given up until the next request', async (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  let attempts = 0;
  const gaveUp: boolean[] = [];
  const queue = new RepositoryQueue(
    () => {
      attempts++;
      return Promise.reject(new Error('remote unreachable'));
    },
    { ...DEFAULT_RETRY, onError: (_error, _attempt, willRetry) => gaveUp.push(!willRetry) },
  );
  queue.request();
  await settle();
  assert.equal(attempts, 1);
  // Each retry comes exactly when its backoff has passed on the (mocked) clock, not a millisecond before.
  for (const [backoffMs, attempt] of [[2_000, 2], [4_000, 3], [8_000, 4]] as const) {
    t.mock.timers.tick(backoffMs - 1);
    await settle();
    assert.equal(attempts, attempt - 1, `attempt ${attempt} came before ${backoffMs} ms`);
    t.mock.timers.tick(1);
    await settle();
    assert.equal(attempts, attempt, `attempt ${attempt} did not come ${backoffMs} ms after the previous failure`);
  }
  t.mock.timers.tick(60_000);
  await settle();
  assert.equal(attempts, 4, 'no fifth attempt');
  assert.deepEqual(gaveUp, [false, false, false, true]);
  assert.equal(queue.busy, false);
  await queue.idle();
});
