import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { postReview, type ReviewReport } from '../../../server/src/agent/reviewReporter';
import { redirectTrap, type RedirectTrap } from '../../support/redirectingServer';

const TOKEN = 'glpat-host-api-Redirected-9d2e';

/** The Git host API stands in on 127.0.0.1 (a public host's API cannot run here); the HTTP requests are real. */
describe('pull and merge request reports follow no redirect', () => {
  let trap: RedirectTrap;
  before(async () => {
    trap = await redirectTrap(308);
  });
  after(() => trap.close());

  for (const host of ['gitlab', 'github'] as const) {
    it(`${host}: a redirect from the API root sends the token (${host === 'gitlab' ? 'private-token' : 'authorization'} header) nowhere else`, async () => {
      const report: ReviewReport = { host, project: 'data/dags', number: 7, commit: 'a'.repeat(40), passed: true, summary: 'ok', details: 'ok' };
      await assert.rejects(postReview(report, { url: trap.url, token: TOKEN }), (error: Error) => {
        assert.match(error.message, /a redirect to http:\/\/127\.0\.0\.1:\d+; Hangar sends its API token only to the configured API root/);
        assert.ok(!error.message.includes(TOKEN));
        return true;
      });
      assert.deepEqual(trap.reachedElsewhere, [], 'the host the redirect names is never contacted');
    });
  }
});
