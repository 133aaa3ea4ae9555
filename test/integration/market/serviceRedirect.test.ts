import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { runHangar } from '../../support/cli';
import { redirectTrap, type RedirectTrap } from '../../support/redirectingServer';

const TOKEN = 'hgr_market-token-Redirected-51c0';

describe('the marketplace client follows no redirect (shipped CLI)', () => {
  let trap: RedirectTrap;
  before(async () => {
    trap = await redirectTrap();
  });
  after(() => trap.close());

  it('a 307 from the service URL sends the token nowhere else, and the command fails saying where it pointed', async () => {
    const run = await runHangar(['market', 'admin', 'hide-review', '1'], { env: { HANGAR_MARKET_URL: trap.url, HANGAR_MARKET_TOKEN: TOKEN } });
    assert.notEqual(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stderr, /answered with a redirect to http:\/\/127\.0\.0\.1:\d+; Hangar sends your marketplace token only to the service URL it was given/);
    assert.ok(!`${run.stdout}${run.stderr}`.includes(TOKEN), 'the token is not printed');
    assert.deepEqual(trap.reachedElsewhere, [], 'the host the redirect names is never contacted');
  });
});
