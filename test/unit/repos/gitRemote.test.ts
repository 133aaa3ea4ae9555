import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { bindingAllows, bindToHost, bindToRepository } from '../../../server/src/git/credentials';
import { gitUrlProblem, normalizedRemote, refNameProblem, remoteOrigin, revisionProblem, urlCredentialsProblem } from '../../../server/src/git/remote';

describe('what reaches git as a URL or a ref', () => {
  test('supported remotes pass', () => {
    for (const url of [
      'https://git.example.com/team/dags.git',
      'http://127.0.0.1:8080/dags.git',
      'ssh://git@git.example.com:2222/team/dags.git',
      'git@git.example.com:team/dags.git',
      'file:///srv/git/dags.git',
      '/srv/git/dags.git',
    ]) {
      assert.equal(gitUrlProblem(url), undefined, url);
    }
    assert.equal(gitUrlProblem('../dags', '/workspace'), undefined, 'a relative path is fine where the configuration resolves it');
  });

  test('options, transport helpers, other schemes and hidden characters are refused, without repeating the URL', () => {
    const cases: Array<[string, RegExp]> = [
      ['--upload-pack=touch /tmp/x', /cannot start with "-"/],
      ['-oProxyCommand=x', /cannot start with "-"/],
      ['ext::sh -c touch% /tmp/x', /transport helper/],
      ['fd::3', /transport helper/],
      ['EXT::sh', /transport helper/],
      ['ssh://-oProxyCommand=x/repo', /user or host that starts with "-"/],
      ['ssh://-user@host/repo', /user or host that starts with "-"/],
      ['git@-host:repo', /host that starts with "-"/],
      ['ftp://example.com/x.git', /uses ftp:\/\//],
      ['git://example.com/x.git', /uses git:\/\//],
      ['https://example.com/x.git\nfoo', /control character/],
      ['https://bob:hunter2@example.com/x.git', /user name or password/],
      ['https://ghp_token@example.com/x.git', /user name or password/],
      ['ssh://git:hunter2@example.com/x.git', /user name or password/],
      ['file://otherhost/x.git', /names a host/],
      ['relative/path', /not a URL Hangar supports/],
      ['', /empty/],
    ];
    for (const [url, expected] of cases) {
      const problem = gitUrlProblem(url);
      assert.match(problem ?? 'accepted', expected, url);
      assert.ok(!problem?.includes('hunter2') && !problem?.includes('ghp_token'), 'the message never repeats the URL');
    }
  });

  test('branch and tag names follow git check-ref-format; revisions may also be commit ids', () => {
    for (const name of ['main', 'release/1.x', 'v1.0', 'HEAD', 'feature_2']) assert.equal(refNameProblem(name), undefined, name);
    for (const name of ['-x', '--upload-pack=x', 'a..b', 'a b', 'a:b', 'a~1', 'x^', '.hidden', 'a/.b', 'x.lock', 'x/', 'a@{1}', '@', 'a//b', 'a\u0001']) {
      assert.ok(refNameProblem(name), name);
    }
    assert.equal(revisionProblem('0123abc'), undefined);
    assert.equal(revisionProblem('deadbeefdeadbeefdeadbeefdeadbeefdeadbeef'), undefined);
    assert.ok(revisionProblem('--output=x'));
  });

  test('an Airflow URL may not carry a user or password', () => {
    assert.equal(urlCredentialsProblem('https://airflow.example.com'), undefined);
    assert.match(urlCredentialsProblem('http://admin:pw@127.0.0.1:8080') ?? '', /user name or password/);
    assert.match(urlCredentialsProblem('admin:pw@airflow:8080') ?? '', /user name or password/);
  });

  test('one spelling per remote: scp-like and ssh:// agree, case, default ports, users and .git do not matter', () => {
    assert.equal(remoteOrigin('git@GitHub.com:team/dags.git'), 'ssh://github.com');
    assert.equal(remoteOrigin('https://git.example.com:443/x'), 'https://git.example.com');
    assert.equal(remoteOrigin('https://git.example.com:8443/x'), 'https://git.example.com:8443');
    assert.equal(remoteOrigin('/srv/git/x.git'), 'file://');
    assert.equal(normalizedRemote('git@github.com:team/dags.git'), normalizedRemote('ssh://git@github.com/team/dags'));
    assert.equal(normalizedRemote('https://git.example.com/team/dags.git/'), 'https://git.example.com/team/dags');
    assert.notEqual(normalizedRemote('https://git.example.com/team/dags'), normalizedRemote('http://git.example.com/team/dags'));
  });

  test('a repository binding allows that repository only; a host binding every repository on that scheme, host and port', () => {
    const repository = bindToRepository('https://git.example.com/team/dags.git');
    assert.ok(bindingAllows(repository, 'https://git.example.com/team/dags'));
    assert.ok(!bindingAllows(repository, 'https://git.example.com/team/other.git'));
    assert.ok(!bindingAllows(repository, 'https://attacker.example/team/dags.git'));
    const host = bindToHost('https://git.example.com/team/dags.git');
    assert.ok(bindingAllows(host, 'https://git.example.com/other/repo.git'));
    assert.ok(!bindingAllows(host, 'http://git.example.com/other/repo.git'));
    assert.ok(!bindingAllows(host, 'https://git.example.com:8443/other/repo.git'));
    assert.ok(!bindingAllows(host, 'https://git.example.com.attacker.example/x.git'));
  });
});
