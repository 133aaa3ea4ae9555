import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  findSecretFormat,
  isCredentialValue,
  isHighEntropyToken,
  isSecretName,
  repeatsName,
  shannonEntropy,
  uriPasswordAt,
} from '../../../server/src/analysis/secrets';

test('secret names: the last word decides, and a bare "key" is not a credential', () => {
  for (const name of ['password', 'DB_PASSWORD', 'snowflakePasswd', 'client_secret', 'slack_token', 'api_key', 'apiKey', 'AWS_SECRET_ACCESS_KEY', 'private_key', 'Authorization', 'x-api-key', 'credentials']) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ['key', 's3_key', 'token_url', 'password_conn_id', 'secret_name', 'private_key_path', 'token_type', 'mytoken', 'partition_key', 'next_token', 'pad_token', 'upgrade_token']) {
    assert.ok(!isSecretName(name), name);
  }
});

test('a value that only repeats its name is a label', () => {
  assert.ok(repeatsName('apiKey', 'apiKey'));
  assert.ok(repeatsName('COOKIE_NAME_JWT_TOKEN', '_token'));
  assert.ok(repeatsName('RESOURCE_PASSWORD', 'Passwords'));
  assert.ok(repeatsName('password', 'passwd'));
  assert.ok(!repeatsName('password', 'password123'));
  assert.ok(!repeatsName('db_password', 'hunter2-prod'));
});

test('credential values: templates, placeholders, paths and env names are not credentials; weak defaults are', () => {
  for (const value of ['hunter2-prod', 'changeme', 'admin', 'Wareh0use!2024']) assert.ok(isCredentialValue(value), value);
  for (const value of ['', 'ab', 'Access Token (optional)', '{{ conn.pg.password }}', '{{ var.value.token }}', '{password}', '%(pw)s', '${DB_PASS}', '<token>', 'xxxxxxxx', '********', 'your-api-key', 'dummy', 'example_token', '/opt/keys/id_rsa', 'DB_PASSWORD', 'key.pem']) {
    assert.ok(!isCredentialValue(value), value);
  }
});

test('known formats: issuer formats are found, documented examples and truncated prefixes are not', () => {
  assert.equal(findSecretFormat('key AKIAUJZDE8GXD6NCF10E here')?.format.id, 'aws-access-key-id');
  assert.equal(findSecretFormat('AKIAIOSFODNN7EXAMPLE'), undefined);
  assert.equal(findSecretFormat('ghp_pfJBd0Kh8oOOL8dKLzdocJ2isAjIhKtJ0Rlg')?.format.id, 'github-token');
  assert.equal(findSecretFormat('ghp_1234'), undefined);
  assert.equal(findSecretFormat('glpat-dUStPKR0CsTy4Qwb8Dwk')?.format.id, 'gitlab-token');
  assert.equal(findSecretFormat('xoxb-917034236671-2768426846563-jfljoQoaF1LlqsajAIxNKu8i')?.format.id, 'slack-token');
  assert.equal(findSecretFormat('-----BEGIN EC PRIVATE KEY-----')?.format.id, 'private-key');
  assert.equal(findSecretFormat('-----BEGIN CERTIFICATE-----'), undefined);
  assert.equal(findSecretFormat('sk_live_HFwUbbYrEqmSM9wCZ7Uw9xfo')?.format.id, 'stripe-secret-key');
  assert.equal(findSecretFormat('sk_test_HFwUbbYrEqmSM9wCZ7Uw9xfo'), undefined);
});

test('entropy: random base64 and long random hex are high-entropy; words, UUID parts and repeats are not', () => {
  assert.equal(shannonEntropy('aaaa'), 0);
  assert.equal(shannonEntropy('abcd'), 2);
  assert.ok(isHighEntropyToken('BLEPH1qhT61qtc4xatws8phP9nhFyJfm5di4PzJ5'));
  assert.ok(isHighEntropyToken('e0ad84173581569969e58b081006f7e3dfc967a6'));
  assert.ok(!isHighEntropyToken('extract_orders_from_postgres_daily_v2'));
  assert.ok(!isHighEntropyToken('AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'));
  assert.ok(!isHighEntropyToken('9f86d081'));
  assert.ok(!isHighEntropyToken('x'.repeat(600)));
  assert.ok(!isHighEntropyToken('abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ23456789'), 'an alphabet is not random');
});

test('URI credentials: the password is located; templated, formatted and placeholder passwords are not credentials', () => {
  const text = '"postgresql://etl:s3cret@db:5432/dwh"';
  const found = uriPasswordAt(text, text.indexOf('://'));
  assert.deepEqual(found && { password: text.slice(found.start, found.end), scheme: found.scheme }, { password: 's3cret', scheme: 'postgresql' });
  const redis = 'redis://:r3dis@cache:6379/0';
  assert.equal(uriPasswordAt(redis, redis.indexOf('://'))?.scheme, 'redis');
  for (const uri of ['postgresql://etl@db/dwh', 'https://host:8443/x', 'mysql://{user}:{password}@h/db', 'redis://:${PW}@h', 'pg://u:<password>@h', 'pg://u:***@h', 'pg://{{ conn.x.login }}:{{ conn.x.password }}@h']) {
    assert.equal(uriPasswordAt(uri, uri.indexOf('://')), undefined, uri);
  }
});

// A pattern with catastrophic backtracking would not finish on 300 KB of this: the test's timeout catches it.
test('patterns stay linear on hostile input', { timeout: 60_000 }, () => {
  const hostile = `"${'a:'.repeat(50_000)}" ${'curl '.repeat(20_000)} ${'eyJ'.repeat(30_000)}`;
  findSecretFormat(hostile);
  for (let i = hostile.indexOf('://'); i >= 0 && i < 1000; i = hostile.indexOf('://', i + 1)) uriPasswordAt(hostile, i);
});
