import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runHangarSync } from '../../support/cli';

interface JsonFinding {
  readonly path: string;
  readonly ruleId: string;
  readonly message: string;
  readonly line: number;
}

const DAG = (imports: string, dagId = 'etl') => `${imports}
from datetime import datetime
from airflow.sdk import DAG
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG("${dagId}", schedule=None, start_date=datetime(2025, 1, 1)):
    EmptyOperator(task_id="a")
`;

/** Writes `files` (path -> text) under a new repository folder (with a .git folder, as a clone has). */
function repository(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'hangar-helpers-'));
  mkdirSync(path.join(root, '.git'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

function check(cwd: string, ...args: string[]): JsonFinding[] {
  const run = runHangarSync(['check', '--format', 'json', '--no-cache', ...args], { cwd });
  assert.ok(run.code === 0 || run.code === 1, run.stderr);
  return (JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings;
}

const helperFindings = (findings: JsonFinding[]) => findings.filter((f) => f.ruleId === 'HGR110').map((f) => `${f.path}:${f.line} ${f.message}`);

describe('hangar check follows repository-local helper modules', () => {
  const roots: string[] = [];
  const repo = (files: Record<string, string>) => {
    const root = repository(files);
    roots.push(root);
    return root;
  };
  after(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('reports a removed API a helper uses at the DAG file import line: a package at the root, a module next to the DAG, plugins/', () => {
    const root = repo({
      'common/__init__.py': 'import logging\nfrom airflow.models.taskinstance import Context\n',
      'dags/uses_common.py': DAG('from common import default_args'),
      'dags/helpers.py': 'from airflow.operators.dummy_operator import DummyOperator\n',
      'dags/uses_sibling.py': DAG('import helpers'),
      'plugins/operators/slack.py': 'from airflow.hooks.base_hook import BaseHook\n',
      'dags/uses_plugin.py': DAG('from operators.slack import notify'),
      'dags/clean.py': DAG('import json\nfrom common2 import x  # not in the repository'),
    });
    const found = helperFindings(check(root));
    assert.deepEqual(found.map((f) => f.split(' ')[0]), ['dags/uses_common.py:1', 'dags/uses_plugin.py:1', 'dags/uses_sibling.py:1'], found.join('\n'));
    assert.match(found[0]!, /Imports common, which uses airflow\.models\.taskinstance\.Context: common\/__init__\.py:2: Context no longer exists in airflow\.models\.taskinstance in Airflow 3; import airflow\.sdk\.Context instead\./);
    assert.match(found[1]!, /Imports operators\.slack, which uses airflow\.hooks\.base_hook: operators\/slack\.py:1:/);
    assert.match(found[2]!, /Imports helpers, which uses airflow\.operators\.dummy_operator: helpers\.py:1:/);
  });

  it('follows helpers of helpers (through cycles), but not imports inside functions, guarded ones, or an Airflow 2 target', () => {
    const root = repo({
      'lib/__init__.py': 'from lib import a\n',
      'lib/a.py': 'import lib.b\n',
      'lib/b.py': 'import lib.a\nfrom airflow.contrib.hooks.ssh_hook import SSHHook\n',
      'lib/lazy.py': 'def make():\n    from airflow.models.taskinstance import Context\n    return Context\n',
      'lib/compat.py': 'try:\n    from airflow.sdk import Context\nexcept ImportError:\n    from airflow.models.taskinstance import Context\n',
      'dags/deep.py': DAG('import lib'),
      'dags/lazy.py': DAG('from lib.lazy import make', 'lazy'),
      'dags/compat.py': DAG('from lib.compat import Context', 'compat'),
      'shared/__init__.py': 'from .hooks import notify\n',
      'shared/hooks.py': 'from . import util\n\ndef notify():\n    pass\n',
      'shared/util.py': 'from airflow.utils.weekday import WeekDay\n',
      'dags/relative.py': DAG('from shared import notify', 'relative'),
    });
    const found = helperFindings(check(root));
    const [relative, ...lib] = found.sort((a, b) => (a.startsWith('dags/relative.py') ? -1 : b.startsWith('dags/relative.py') ? 1 : 0));
    assert.equal(lib.length, 3, found.join('\n')); // every lib DAG imports lib, whose __init__ reaches lib/b.py
    assert.ok(lib.every((f) => /which uses airflow\.contrib\.hooks\.ssh_hook \(through lib\/__init__\.py -> lib\/a\.py\): lib\/b\.py:2: Module airflow\.contrib\.hooks\.ssh_hook was removed in Airflow 3\./.test(f)), found.join('\n'));
    assert.match(relative!, /Imports shared, which uses airflow\.utils\.weekday \(through shared\/__init__\.py -> shared\/hooks\.py\): shared\/util\.py:1:/, 'relative imports inside a helper package are followed');
    writeFileSync(path.join(root, 'hangar.toml'), 'target-airflow = "2"\n');
    assert.deepEqual(helperFindings(check(root)), []);
  });

  it('the cache holds a result only while its helpers are unchanged', () => {
    const root = repo({ 'common.py': 'import os\n', 'dags/etl.py': DAG('import common') });
    const cacheDir = path.join(root, '.hangar-cache');
    const cached = () => {
      const run = runHangarSync(['check', '--format', 'json', '--cache-dir', cacheDir], { cwd: root });
      return helperFindings((JSON.parse(run.stdout) as { findings: JsonFinding[] }).findings);
    };
    assert.deepEqual(cached(), []);
    writeFileSync(path.join(root, 'common.py'), 'from airflow.utils.weekday import WeekDay\n');
    assert.equal(cached().length, 1, 'the helper changed: the DAG file is analysed again');
    writeFileSync(path.join(root, 'common.py'), 'import os\n');
    assert.deepEqual(cached(), []);
  });
});

describe('hangar check: a dag_id is unique within a deployment unit', () => {
  let root: string;
  before(() => {
    root = repository({
      'chapter01/dags/hello.py': DAG('', 'hello'),
      'chapter02/dags/hello.py': DAG('', 'hello'),
      'chapter02/dags/team/hello_again.py': DAG('', 'hello'),
    });
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('separate dags/ folders are separate units; two files of one dags/ folder clash', () => {
    const duplicates = check(root, '.').filter((f) => f.ruleId === 'HGR006').map((f) => f.path).sort();
    assert.deepEqual(duplicates, ['chapter02/dags/hello.py', 'chapter02/dags/team/hello_again.py']);
  });

  it('without dags/ folders the repository is the unit', () => {
    const flat = repository({ 'a/one.py': DAG('', 'same'), 'b/two.py': DAG('', 'same') });
    try {
      assert.deepEqual(check(flat, '.').filter((f) => f.ruleId === 'HGR006').map((f) => f.path).sort(), ['a/one.py', 'b/two.py']);
    } finally {
      rmSync(flat, { recursive: true, force: true });
    }
  });
});
