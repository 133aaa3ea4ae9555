import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseDuration } from '../../../server/src/config/duration';
import { gitEnvironment } from '../../../server/src/git/credentials';
import { classifyGitFailure, InvalidCredentials, scrub } from '../../../server/src/git/errors';
import { credentialsFromEnv, envSuffix } from '../../../server/src/repos/envCredentials';

describe('git credentials plumbing', () => {
  const env = gitEnvironment(
    { auth: 'ssh', sshKey: "/keys/it's key", credentials: { username: 'alice', password: 'pw-123', passphrase: 'pass-456' } },
    { PATH: process.env.PATH, GIT_CONFIG_COUNT: '3', GIT_CONFIG_KEY_0: 'core.askPass', HANGAR_ASKPASS_PASSWORD: 'stale' },
  );
  const ask = (prompt: string) => spawnSync(env.GIT_ASKPASS!, [prompt], { env, encoding: 'utf8' });

  test('the askpass helper answers each prompt from the environment and holds no secret itself', () => {
    assert.equal(ask("Username for 'https://git.example.com': ").stdout, 'alice\n');
    assert.equal(ask("Password for 'https://alice@git.example.com': ").stdout, 'pw-123\n');
    assert.equal(ask("Enter passphrase for key '/keys/id': ").stdout, 'pass-456\n');
    assert.notEqual(ask('Are you sure you want to continue connecting (yes/no/[fingerprint])? ').status, 0, 'never answers a host-key question');
    const script = readFileSync(env.GIT_ASKPASS!, 'utf8');
    assert.ok(!script.includes('pw-123') && !script.includes('pass-456'));
  });

  test('git runs with no prompt, no credential helper, and the caller cannot inject git config', () => {
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.SSH_ASKPASS_REQUIRE, 'force');
    assert.deepEqual([env.GIT_CONFIG_COUNT, env.GIT_CONFIG_KEY_0, env.GIT_CONFIG_VALUE_0], ['1', 'credential.helper', '']);
    assert.equal(env.HANGAR_ASKPASS_PASSWORD, 'pw-123');
    assert.equal(env.GIT_SSH_COMMAND, `ssh -i '/keys/it'\\''s key' -o IdentitiesOnly=yes -o StrictHostKeyChecking=accept-new`);
    const helpers = execFileSync('git', ['config', '--get-all', 'credential.helper'], { env, encoding: 'utf8' }).split('\n');
    assert.equal(helpers.at(-2), '', 'the last credential.helper value is empty, which resets the list: no helper runs');
  });

  test('errors are scrubbed of secrets and URL credentials, and auth failures are typed', () => {
    assert.equal(scrub('fatal: https://bob:hunter2@host/x.git and hunter2', ['hunter2']), 'fatal: https://***@host/x.git and ***');
    const refused = classifyGitFailure("remote: HTTP Basic: Access denied\nfatal: Authentication failed for 'https://host/x.git/'", 'https://host/x.git', []);
    assert.ok(refused instanceof InvalidCredentials);
    assert.ok(classifyGitFailure('git@host: Permission denied (publickey).', 'git@host:x.git', []) instanceof InvalidCredentials);
    assert.ok(!(classifyGitFailure("fatal: couldn't find remote ref refs/heads/nope", 'u', []) instanceof InvalidCredentials));
    assert.match(classifyGitFailure("fatal: couldn't find remote ref refs/heads/nope", 'u', []).message, /not on u: check the configured ref/);
  });

  test('headless credentials come from per-repository then generic environment variables', () => {
    assert.equal(envSuffix('company-workflows.v2'), 'COMPANY_WORKFLOWS_V2');
    const vars = { HANGAR_TOKEN_COMPANY_WORKFLOWS: 'specific', HANGAR_GIT_TOKEN: 'generic', HANGAR_GIT_PASSWORD: 'pw', HANGAR_SSH_PASSPHRASE_KEYED: 'pp' };
    assert.equal(credentialsFromEnv({ name: 'company-workflows', auth: 'token' }, vars)?.password, 'specific');
    assert.equal(credentialsFromEnv({ name: 'other', auth: 'token' }, vars)?.password, 'generic');
    assert.equal(credentialsFromEnv({ name: 'other', auth: 'basic' }, vars)?.password, 'pw');
    assert.equal(credentialsFromEnv({ name: 'keyed', auth: 'ssh' }, vars)?.passphrase, 'pp');
    assert.equal(credentialsFromEnv({ name: 'x', auth: 'none' }, vars), undefined);
  });

  test('durations', () => {
    assert.deepEqual(['250ms', '30s', '5m', '1h', '45'].map((d) => parseDuration(d)), [250, 30_000, 300_000, 3_600_000, 45_000]);
    assert.equal(parseDuration(10), 10_000);
    assert.throws(() => parseDuration('soon'), /not a duration/);
  });
});
