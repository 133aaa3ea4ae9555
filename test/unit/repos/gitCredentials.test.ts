import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { parseDuration } from '../../../server/src/config/duration';
import { bindToHost, bindToRepository } from '../../../server/src/git/credentials';
import { gitEnvironment } from '../../../server/src/git/environment';
import { classifyGitFailure, CredentialsNotForRemote, InvalidCredentials, scrub } from '../../../server/src/git/errors';
import { credentialsFromEnv, envSuffix } from '../../../server/src/repos/envCredentials';
import { withoutSecrets } from '../../../server/src/secretVariables';

describe('git credentials plumbing', () => {
  const REMOTE = 'https://git.example.com/team/dags.git';
  const base = {
    PATH: process.env.PATH,
    GIT_CONFIG_COUNT: '3',
    GIT_CONFIG_KEY_0: 'core.askPass',
    HANGAR_ASKPASS_PASSWORD: 'stale',
    GIT_DIR: '/elsewhere',
    GIT_ALLOW_PROTOCOL: 'ext',
    HANGAR_GIT_TOKEN: 'env-token',
    HANGAR_TOKEN_TEAM: 'env-token',
    HANGAR_AIRFLOW_PASSWORD: 'env-token',
  };
  const credentials = { username: 'alice', password: 'pw-123', passphrase: 'pass-456', boundTo: bindToRepository(REMOTE) };
  const env = gitEnvironment({ access: { auth: 'ssh', sshKey: "/keys/it's key", credentials }, remote: REMOTE }, base);
  const askWith = (environment: Record<string, string>, prompt: string) => spawnSync(environment.GIT_ASKPASS!, [prompt], { env: environment, encoding: 'utf8' });
  const ask = (prompt: string) => askWith(env, prompt);

  test('the askpass helper answers each prompt of the bound remote from the environment and holds no secret itself', () => {
    assert.equal(ask("Username for 'https://git.example.com': ").stdout, 'alice\n');
    assert.equal(ask("Password for 'https://alice@git.example.com': ").stdout, 'pw-123\n');
    assert.equal(ask("Password for 'https://alice@GIT.example.com:443': ").stdout, 'pw-123\n', 'host case and the default port do not matter');
    assert.equal(ask("Enter passphrase for key '/keys/id': ").stdout, 'pass-456\n');
    assert.notEqual(ask('Are you sure you want to continue connecting (yes/no/[fingerprint])? ').status, 0, 'never answers a host-key question');
    assert.notEqual(ask("alice@git.example.com's password: ").status, 0, 'never answers an ssh password prompt');
    const script = readFileSync(env.GIT_ASKPASS!, 'utf8');
    assert.ok(!script.includes('pw-123') && !script.includes('pass-456'));
  });

  test('the askpass helper answers nothing for another host, port or scheme (a redirect or an insteadOf rewrite)', () => {
    for (const url of ['https://attacker.example', 'https://alice@git.example.com:8443', 'http://alice@git.example.com', 'https://git.example.com.attacker.example', 'https://alice@attacker.example/git.example.com']) {
      const answer = ask(`Password for '${url}': `);
      assert.notEqual(answer.status, 0, url);
      assert.equal(answer.stdout, '', url);
    }
  });

  test('auth: none, or no remote, hands no secret at all; a secret bound elsewhere is refused before git starts', () => {
    for (const environment of [
      gitEnvironment({ access: { auth: 'none', credentials }, remote: REMOTE }, base),
      gitEnvironment({ access: { auth: 'token', credentials } }, base),
    ]) {
      assert.ok(!Object.values(environment).some((v) => v.includes('pw-123') || v.includes('pass-456')));
      assert.equal(askWith(environment, "Password for 'https://git.example.com': ").stdout, '');
    }
    assert.throws(() => gitEnvironment({ access: { auth: 'token', credentials }, remote: 'https://attacker.example/team/dags.git' }, base), CredentialsNotForRemote);
    assert.throws(() => gitEnvironment({ access: { auth: 'token', credentials }, remote: 'https://git.example.com/other/dags.git' }, base), CredentialsNotForRemote);
    const hostWide = { password: 'pw-123', boundTo: bindToHost(REMOTE) };
    assert.doesNotThrow(() => gitEnvironment({ access: { auth: 'token', credentials: hostWide }, remote: 'https://git.example.com/other/dags.git' }, base));
    assert.throws(() => gitEnvironment({ access: { auth: 'token', credentials: hostWide }, remote: 'http://git.example.com/other/dags.git' }, base), CredentialsNotForRemote, 'no downgrade to http');
    const message = (() => {
      try {
        gitEnvironment({ access: { auth: 'token', credentials }, remote: 'https://attacker.example/x.git' }, base);
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    assert.match(message, /did not send the stored credentials to https:\/\/attacker\.example: they were entered for https:\/\/git\.example\.com\/team\/dags/);
  });

  test('git runs hardened: no prompt, no credential helper, hooks, fsmonitor, pager or foreign transports, and the caller cannot inject git config', () => {
    assert.equal(env.GIT_TERMINAL_PROMPT, '0');
    assert.equal(env.SSH_ASKPASS_REQUIRE, 'force');
    assert.equal(env.GIT_ALLOW_PROTOCOL, 'https:http:ssh:file');
    assert.equal(env.GIT_DIR, undefined, 'the caller cannot point git at another repository');
    assert.ok(!Object.values(env).includes('env-token'), 'Hangar\'s own secret variables never reach git');
    assert.deepEqual(Object.keys(withoutSecrets({ ...base, HANGAR_PYTHON: 'python3', HANGAR_USER: 'ci' })).filter((k) => k.startsWith('HANGAR_')), ['HANGAR_ASKPASS_PASSWORD', 'HANGAR_PYTHON', 'HANGAR_USER']);
    const config = new Map(Array.from({ length: Number(env.GIT_CONFIG_COUNT) }, (_, i) => [env[`GIT_CONFIG_KEY_${i}`]!, env[`GIT_CONFIG_VALUE_${i}`]!]));
    assert.equal(config.get('core.hooksPath'), '/dev/null');
    assert.equal(config.get('core.fsmonitor'), 'false');
    assert.equal(config.get('protocol.allow'), 'never');
    assert.equal(config.get('credential.helper'), '');
    assert.ok(!config.has('core.askPass'), 'the caller\'s GIT_CONFIG_* is dropped');
    assert.equal(env.HANGAR_ASKPASS_PASSWORD, 'pw-123');
    assert.equal(env.HANGAR_ASKPASS_ORIGIN, 'https://git.example.com');
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

  test('headless credentials come from per-repository then generic environment variables, bound to the configured URL, none for auth: none', () => {
    assert.equal(envSuffix('company-workflows.v2'), 'COMPANY_WORKFLOWS_V2');
    const vars = { HANGAR_TOKEN_COMPANY_WORKFLOWS: 'specific', HANGAR_GIT_TOKEN: 'generic', HANGAR_GIT_PASSWORD: 'pw', HANGAR_SSH_PASSPHRASE_KEYED: 'pp' };
    const url = 'https://git.example.com/team/dags.git';
    assert.equal(credentialsFromEnv({ name: 'company-workflows', auth: 'token', url }, vars)?.password, 'specific');
    assert.equal(credentialsFromEnv({ name: 'other', auth: 'token', url }, vars)?.password, 'generic');
    assert.equal(credentialsFromEnv({ name: 'other', auth: 'basic', url }, vars)?.password, 'pw');
    assert.equal(credentialsFromEnv({ name: 'keyed', auth: 'ssh', url }, vars)?.passphrase, 'pp');
    assert.deepEqual(credentialsFromEnv({ name: 'keyed', auth: 'ssh', url }, vars)?.boundTo, { kind: 'repository', url: 'https://git.example.com/team/dags' });
    assert.equal(credentialsFromEnv({ name: 'company-workflows', auth: 'none', url }, vars), undefined);
  });

  test('durations', () => {
    assert.deepEqual(['250ms', '30s', '5m', '1h', '45'].map((d) => parseDuration(d)), [250, 30_000, 300_000, 3_600_000, 45_000]);
    assert.equal(parseDuration(10), 10_000);
    assert.throws(() => parseDuration('soon'), /not a duration/);
  });
});
