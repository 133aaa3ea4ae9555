import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { SemanticDiff } from '../../../server/src/dagdiff/types';
import { runHangarSync } from '../../support/cli';
import { DagRepo, dagSource, gitIn, scratch } from '../deploy/fixtures';

const ORDERS_BEFORE = `from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG(dag_id="orders_daily", schedule="@daily"):
    extract = BashOperator(task_id="extract", bash_command="extract.sh")
    load = BashOperator(task_id="load", bash_command="load.sh", retries=2)
    extract >> load
`;

const ORDERS_AFTER = `from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator

with DAG(dag_id="orders_daily", schedule="0 6 * * *"):
    extract = BashOperator(task_id="extract", bash_command="extract.sh")
    validate = BashOperator(task_id="validate", bash_command="validate.sh")
    load = BashOperator(task_id="load", bash_command="load.sh", retries=5)
    extract >> load
    extract >> validate
`;

const CHANGE_LINES = [
  '~ dag orders_daily (orders.py)',
  '    schedule "@daily" → "0 6 * * *"',
  '    + task validate (BashOperator)',
  '    task load: retries 2 → 5',
  '    + edge extract >> validate',
  '+ dag refunds (refunds.py, 1 task)',
];

interface DiffOutput {
  repositories: { name: string; from: Record<string, unknown>; to: Record<string, unknown>; diff: SemanticDiff }[];
}

describe('hangar diff (the shipped CLI on real git repositories)', () => {
  let root: string;
  let first: string;
  let second: string;
  const hangar = (...args: string[]) => runHangarSync(args, { cwd: root, env: { HANGAR_USER: 'ci-bot' } });
  const short = (sha: string) => sha.slice(0, 12);

  before(() => {
    root = scratch('dagdiff-cli');
    const repo = new DagRepo(root, 'team');
    first = repo.commit({ 'orders.py': ORDERS_BEFORE, 'stable.py': dagSource('stable', 'unchanged') });
    second = repo.commit({ 'orders.py': ORDERS_AFTER, 'refunds.py': dagSource('refunds', 'new') });
    mkdirSync(path.join(root, 'dev-dags'));
    mkdirSync(path.join(root, 'prod-dags'));
    writeFileSync(
      path.join(root, 'airflow-repos.yaml'),
      [
        'repositories:',
        '  - { name: team, url: ./team, path: team, branch: main }',
        '  - { name: never-synced, url: ./elsewhere }',
        'environments:',
        '  - { name: dev, target: { kind: folder, path: dev-dags }, repositories: [team] }',
        '  - { name: prod, target: { kind: folder, path: prod-dags }, repositories: [team] }',
        '',
      ].join('\n'),
    );
  });

  test('between two commits: a per-DAG changelog, and --json the structured diff', () => {
    const text = hangar('diff', first, second, '--repo', 'team');
    assert.equal(text.code, 0, text.stderr);
    assert.equal(text.stdout, [`team: ${short(first)} → ${short(second)}`, ...CHANGE_LINES, ''].join('\n'));

    const json = hangar('diff', first, 'main', '--repo', 'team', '--json');
    assert.equal(json.code, 0, json.stderr);
    const output = JSON.parse(json.stdout) as DiffOutput;
    assert.deepEqual(output.repositories.map((r) => [r.name, r.from, r.to]), [['team', { ref: first, commit: first }, { ref: 'main', commit: second }]]);
    assert.deepEqual(output.repositories[0]!.diff, {
      dags: {
        added: [{ dagId: 'refunds', known: true, file: 'refunds.py', tasks: 1 }],
        removed: [],
        changed: [
          {
            dagId: 'orders_daily',
            known: true,
            file: 'orders.py',
            settings: [{ name: 'schedule', before: '"@daily"', after: '"0 6 * * *"' }],
            constants: [],
            definitions: [],
            tasks: {
              added: [{ taskId: 'validate', known: true, operator: 'BashOperator' }],
              removed: [],
              changed: [{ taskId: 'load', known: true, changes: [{ name: 'retries', before: '2', after: '5' }] }],
            },
            edges: { added: [{ upstream: 'extract', downstream: 'validate' }], removed: [] },
            groups: { added: [], removed: [], changed: [] },
            otherCode: false,
          },
        ],
        unchanged: 0,
      },
      files: { added: [], removed: [], changed: [] },
      warnings: [],
    });
  });

  test('no versions: what the last commit changed (HEAD~1 → HEAD); one version: from it to HEAD', () => {
    const last = hangar('diff', '--repo', 'team');
    assert.equal(last.code, 0, last.stderr);
    assert.equal(last.stdout, [`team: HEAD~1 (${short(first)}) → HEAD (${short(second)})`, ...CHANGE_LINES, ''].join('\n'));
    const same = hangar('diff', 'HEAD', '--repo', 'team');
    assert.equal(same.stdout, [`team: HEAD (${short(second)}) → HEAD (${short(second)})`, 'no DAG changes', ''].join('\n'));
  });

  test('--env: from what the environment serves (the live version of hangar deploy) to HEAD or the version given', () => {
    const nothing = hangar('diff', '--env', 'dev', '--json');
    assert.equal(nothing.code, 0, nothing.stderr);
    const fromNothing = (JSON.parse(nothing.stdout) as DiffOutput).repositories[0]!;
    assert.deepEqual(fromNothing.from, { ref: null, commit: null, environment: 'dev', version: null });
    assert.deepEqual(fromNothing.diff.dags.added.map((d) => d.dagId), ['orders_daily', 'refunds', 'stable']);

    const deployed = hangar('deploy', '--env', 'dev', '--ref', first, '--no-verify');
    assert.equal(deployed.code, 0, deployed.stderr);
    const live = hangar('diff', '--env', 'dev');
    assert.equal(live.code, 0, live.stderr);
    assert.equal(live.stdout, [`team: dev version 1 (${short(first)}) → HEAD (${short(second)})`, ...CHANGE_LINES, ''].join('\n'));
    const json = JSON.parse(hangar('diff', '--env', 'dev', first, '--json').stdout) as DiffOutput;
    assert.deepEqual(json.repositories.map((r) => [r.from, r.to, r.diff.dags.changed.length]), [[{ ref: first, commit: first, environment: 'dev', version: 1 }, { ref: first, commit: first }, 0]]);
    assert.match(hangar('diff', '--env', 'prod').stdout, /^team: prod: nothing deployed → HEAD/);
  });

  test('unknown refs, repositories and environments exit 2 with what to do', () => {
    const cases: [string[], RegExp][] = [
      [['diff', 'no-such-branch', '--repo', 'team'], /"no-such-branch" is not a branch, tag or commit of .*team/],
      [['diff', 'HEAD~5', '--repo', 'team'], /"HEAD~5" is not a commit of team/],
      [['diff'], /declares 2 repositories: pick one with --repo NAME \(team, never-synced\)/],
      [['diff', '--repo', 'nope'], /No repository "nope" in .*airflow-repos\.yaml\. Known: team, never-synced\./],
      [['diff', '--repo', 'never-synced'], /Repository "never-synced" has no clone at .*: run hangar repos sync never-synced\./],
      [['diff', '--env', 'nope'], /No environment "nope"\. Known: dev, prod\./],
      [['diff', '--env', 'dev', '--repo', 'never-synced'], /No repository "never-synced" in environment "dev"\. Known: team\./],
      [['diff', '--env', 'dev', 'main', 'HEAD'], /With --env the live version of "dev" is FROM: give at most one version/],
      [['diff', '--config', 'missing.yaml'], /missing\.yaml does not exist/],
    ];
    for (const [args, message] of cases) {
      const result = hangar(...args);
      assert.equal(result.code, 2, `${args.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, message, args.join(' '));
      assert.equal(result.stdout, '', args.join(' '));
    }
  });

  test('--env names a commit the clone no longer has: exit 2 and say to sync', () => {
    const other = scratch('dagdiff-cli-gone');
    const repo = new DagRepo(other, 'team');
    repo.commit({ 'a.py': dagSource('a', 'one') });
    const deployedCommit = repo.commit({ 'a.py': dagSource('a', 'two') });
    mkdirSync(path.join(other, 'dev-dags'));
    writeFileSync(path.join(other, 'airflow-repos.yaml'), 'repositories:\n  - { name: team, url: ./team, path: team, branch: main }\nenvironments:\n  - { name: dev, target: { kind: folder, path: dev-dags } }\n');
    assert.equal(runHangarSync(['deploy', '--env', 'dev', '--no-verify'], { cwd: other }).code, 0);
    gitIn(repo.path, 'reset', '-q', '--hard', 'HEAD~1');
    gitIn(repo.path, 'reflog', 'expire', '--expire=now', '--all');
    gitIn(repo.path, 'gc', '-q', '--prune=now');
    const gone = runHangarSync(['diff', '--env', 'dev'], { cwd: other });
    assert.equal(gone.code, 2);
    assert.equal(gone.stderr, `hangar: Version 1 of "dev" is commit ${deployedCommit.slice(0, 12)} of "team", which the clone at ${repo.path} does not have: run hangar repos sync team.\n`);
  });
});
