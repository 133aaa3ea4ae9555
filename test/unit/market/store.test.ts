import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { SqliteTables } from '../../../server/src/market/service/sqliteTables';
import { MarketStore } from '../../../server/src/market/service/store';
import type { EntryVerification } from '../../../server/src/market/verify/types';

// The store's own logic over an in-memory SQLite database (the PostgreSQL tables are covered by test/integration/market).
const store = new MarketStore(new SqliteTables(':memory:'));
after(() => store.close());

const record = (sha256: string, verifiedAt: string): EntryVerification => ({ entry: 'hello', version: '1.0.0', sha256, verifiedAt, hangar: '0.0.0', isolation: 'audit-hook', results: [] });

test('a token is found by its value only while not revoked; the store keeps its hash, not the token', async () => {
  const token = await store.createToken('alice', true);
  assert.match(token, /^hgm_[\w-]{43}$/);
  assert.deepEqual(await store.owner(token), { user: 'alice', admin: true });
  assert.equal(await store.owner(`${token}x`), undefined);
  assert.equal(await store.revokeTokens('alice'), 1);
  assert.equal(await store.owner(token), undefined);
});

test('stats: the average rounded to two decimals, one rating per user, installs counted once per installation and version', async () => {
  await store.recordInstall('t/a', '1.0', 'i1', 'alice');
  await store.recordInstall('t/a', '1.0', 'i1', 'bob');
  await store.recordInstall('t/a', '1.1', 'i1', 'alice');
  await store.rate('t/a', 'alice', 1);
  await store.rate('t/a', 'bob', 2);
  await store.rate('t/a', 'carol', 2);
  assert.deepEqual(await store.rate('t/a', 'alice', 2), { rating: 2, ratings: 3, installs: 2 });
  assert.deepEqual(await store.rate('t/a', 'carol', 1), { rating: 1.67, ratings: 3, installs: 2 });
  assert.deepEqual(Object.fromEntries(await store.allStats()), { 't/a': { rating: 1.67, ratings: 3, installs: 2 } });
  assert.deepEqual(await store.statsOf('t/none'), { rating: 0, ratings: 0, installs: 0 });
});

test('the install audit lists each installation by version with its reporters sorted and without repeats', async () => {
  const audit = await store.installAudit('t/a');
  assert.equal(audit.installs, 2);
  assert.deepEqual(
    audit.installations.map(({ version, installation, reportedBy }) => ({ version, installation, reportedBy })),
    [
      { version: '1.0', installation: 'i1', reportedBy: ['alice', 'bob'] },
      { version: '1.1', installation: 'i1', reportedBy: ['alice', 'bob'] },
    ],
  );
});

test("a verification for the file's sha256 wins; else the entry's latest record", async () => {
  await store.saveVerification('t/a', record('old', '2026-01-01T00:00:00.000Z'));
  await store.saveVerification('t/a', record('new', '2026-02-01T00:00:00.000Z'));
  const found = await store.verificationsOf([
    { entryId: 't/a', sha256: 'old' },
    { entryId: 't/b', sha256: 'old' },
  ]);
  assert.deepEqual([...found].map(([id, record]) => [id, record.sha256]), [['t/a', 'old']]);
  assert.equal((await store.verificationsOf([{ entryId: 't/a', sha256: 'unknown' }])).get('t/a')?.sha256, 'new');
});
