import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type { HistoryRecord } from '../../../server/src/deploy/types';
import { ensureAirflowVenv, REPO_ROOT } from '../../support/airflow';
import { DagRepo, dagSource, gitIn, scratch } from './fixtures';

/** The CLI as users run it: the bundle `npm run build` makes (with its Python helpers next to it). */
const HANGAR = path.join(REPO_ROOT, 'dist', 'cli', 'hangar.js');

const sixErrors = `from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG(dag_id="many_errors", schedule=None):
${[1, 2, 3, 4, 5, 6].map((i) => `    EmptyOperator(task_id="bad id ${i}")`).join('\n')}
`;

/** A workspace with airflow-repos.yaml, one repository and a `dev` folder environment (plus extra YAML). */
function workspace(prefix: string, environmentExtra = ''): { root: string; repo: DagRepo } {
  const root = scratch(prefix);
  const repo = new DagRepo(root, 'team');
  mkdirSync(path.join(root, 'dev-dags'));
  writeFileSync(
    path.join(root, 'airflow-repos.yaml'),
    ['repositories:', '  - name: team', '    url: ./team', '    path: team', '    branch: main', 'environments:', '  - name: dev', '    target: { kind: folder, path: dev-dags }', environmentExtra, ''].join('\n'),
  );
  return { root, repo };
}

/** Runs the CLI in `root` with an environment that names no deployer (HOME without a Git config). */
function hangar(root: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const home = path.join(root, '.home');
  mkdirSync(home, { recursive: true });
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(HANGAR_USER|GIT_COMMITTER_|GIT_AUTHOR_|EMAIL$)/.test(k)));
  const result = spawnSync(process.execPath, [HANGAR, ...args], { cwd: root, encoding: 'utf8', env: { ...clean, HOME: home, XDG_CONFIG_HOME: home, ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('hangar deploy for CI: refused deploys, already-live versions, the deployer, imports (dist/cli/hangar.js)', () => {
  before(() => {
    assert.ok(existsSync(HANGAR), `${HANGAR} is missing: run "npm run build" first`);
  });

  test('a blocked deploy prints its plan and every finding count as JSON on stdout, exits 1, and says how many are not listed', () => {
    const { root, repo } = workspace('cli-blocked');
    const commit = repo.commit({ 'many.py': sixErrors });
    const blocked = hangar(root, ['deploy', '--env', 'dev', '--json'], { HANGAR_USER: 'ci' });
    assert.equal(blocked.code, 1, blocked.stderr);
    const report = JSON.parse(blocked.stdout) as { outcome: string; plan: { environment: string; repositories: { commit: string }[]; dagDiff: { added: string[] } }; validation: { errors: number; blocking: string[]; blockingTotal: number } };
    assert.equal(report.outcome, 'blocked');
    assert.equal(report.plan.environment, 'dev');
    assert.equal(report.plan.repositories[0]?.commit, commit);
    assert.deepEqual(report.plan.dagDiff.added, ['many_errors']);
    assert.equal(report.validation.errors, 6);
    assert.equal(report.validation.blockingTotal, 6);
    assert.equal(report.validation.blocking.length, 3);
    assert.match(blocked.stderr, /6 error\(s\)/);
    assert.match(blocked.stderr, /…and 3 more/);
    assert.deepEqual(JSON.parse(hangar(root, ['history', '--env', 'dev', '--json']).stdout), [], 'nothing recorded');
  });

  test('deploying what is already live says so and records nothing; --force records it anyway', () => {
    const { root, repo } = workspace('cli-live');
    repo.commit({ 'orders.py': dagSource('orders', 'one') });
    assert.equal(hangar(root, ['deploy', '--env', 'dev'], { HANGAR_USER: 'ci' }).code, 0);
    const again = hangar(root, ['deploy', '--env', 'dev'], { HANGAR_USER: 'ci' });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /team@[0-9a-f]{12} is already live on "dev"; nothing to deploy and nothing was recorded/);
    const json = hangar(root, ['deploy', '--env', 'dev', '--json'], { HANGAR_USER: 'ci' });
    assert.equal((JSON.parse(json.stdout) as { outcome: string }).outcome, 'already-live');
    assert.deepEqual((JSON.parse(hangar(root, ['history', '--env', 'dev', '--json']).stdout) as HistoryRecord[]).map((r) => r.version), [1]);
    const forced = hangar(root, ['deploy', '--env', 'dev', '--force', '--json'], { HANGAR_USER: 'ci' });
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal((JSON.parse(forced.stdout) as HistoryRecord).version, 2);
  });

  test("the deployer is the e-mail Git gives a commit in the workspace (not the OS user); HANGAR_USER overrides it", () => {
    const { root, repo } = workspace('cli-who');
    gitIn(root, 'init', '-q');
    gitIn(root, 'config', 'user.email', 'deployer@example.com');
    repo.commit({ 'orders.py': dagSource('orders', 'one') });
    const deployed = hangar(root, ['deploy', '--env', 'dev', '--json']);
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal((JSON.parse(deployed.stdout) as HistoryRecord).who, 'deployer@example.com');
    repo.commit({ 'orders.py': dagSource('orders', 'two') });
    assert.equal((JSON.parse(hangar(root, ['deploy', '--env', 'dev', '--json'], { HANGAR_USER: 'release-bot' }).stdout) as HistoryRecord).who, 'release-bot');
  });

  test("with the environment's interpreter named, the gate blocks an import Airflow could not satisfy, as the editor does", async () => {
    const python = await ensureAirflowVenv();
    const { root, repo } = workspace('cli-deps', `    python: ${JSON.stringify(python)}`);
    const importing = (module: string) => `import ${module}\n${dagSource('reports', 'x')}`;
    repo.commit({ 'helpers.py': 'X = 1\n', 'reports.py': importing('hangar_missing_module\nimport helpers') });
    const blocked = hangar(root, ['deploy', '--env', 'dev', '--json'], { HANGAR_USER: 'ci' });
    assert.equal(blocked.code, 1, blocked.stderr);
    const report = JSON.parse(blocked.stdout) as { validation: { errors: number; blocking: string[]; dependencies: { python: string; missing: number } } };
    assert.equal(report.validation.dependencies.missing, 1, 'helpers.py is deployed with the DAG: not missing');
    assert.match(report.validation.blocking.join('\n'), /team\/reports\.py: HGR501: "hangar_missing_module" needs hangar-missing-module.*\(line 1\)/);
    assert.match(blocked.stderr, /1 import\(s\) missing from/);

    repo.commit({ 'reports.py': importing('helpers') });
    const deployed = hangar(root, ['deploy', '--env', 'dev', '--json'], { HANGAR_USER: 'ci' });
    assert.equal(deployed.code, 0, deployed.stderr);
    assert.equal((JSON.parse(deployed.stdout) as HistoryRecord).validation.dependencies?.missing, 0);
  });

  test('an interpreter without Airflow is a clear error, and --python names one when the environment does not', async () => {
    const python = await ensureAirflowVenv();
    const { root, repo } = workspace('cli-python');
    repo.commit({ 'reports.py': `import hangar_missing_module\n${dagSource('reports', 'x')}` });
    const noAirflow = hangar(root, ['deploy', '--env', 'dev', '--python', 'python3'], { HANGAR_USER: 'ci' });
    assert.equal(noAirflow.code, 2);
    assert.match(noAirflow.stderr, /has no Apache Airflow, so the gate cannot check the DAGs' imports/);
    const blocked = hangar(root, ['deploy', '--env', 'dev', '--python', python], { HANGAR_USER: 'ci' });
    assert.equal(blocked.code, 1);
    assert.match(blocked.stderr, /HGR501/);
  });
});
