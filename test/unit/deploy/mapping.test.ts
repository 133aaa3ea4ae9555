import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { errorLine, mapImportError, matchSource } from '../../../server/src/airflow/importErrors';
import { redact } from '../../../server/src/deploy/gitTarget';
import { dagDiff, describeDiff } from '../../../server/src/deploy/diff';

const sources = [
  { key: 'team/etl.py', repository: 'team', file: '/work/team/dags/etl.py' },
  { key: 'team/sub/etl.py', repository: 'team', file: '/work/team/dags/sub/etl.py' },
  { key: 'community/etl.py', repository: 'community', file: '/work/community/dags/etl.py' },
];

describe('import errors are mapped back to the workspace', () => {
  test('an absolute path through the namespace link, a bundle-relative path and a nested file', () => {
    assert.equal(matchSource('/opt/airflow/dags/team/etl.py', sources)?.file, '/work/team/dags/etl.py');
    assert.equal(matchSource('/opt/airflow/dags/community/etl.py', sources)?.repository, 'community');
    assert.equal(matchSource('team/sub/etl.py', sources)?.file, '/work/team/dags/sub/etl.py');
    assert.equal(matchSource('/opt/airflow/dags/other/x.py', sources), undefined);
  });

  test('the line is the last traceback frame in the file, or Python\'s "(file, line N)" of a SyntaxError', () => {
    const trace = 'Traceback (most recent call last):\n  File "<frozen importlib._bootstrap>", line 241, in _call\n  File "/opt/airflow/dags/team/etl.py", line 7, in <module>\n    import nope\nModuleNotFoundError: No module named \'nope\'\n';
    assert.equal(errorLine(trace, '/opt/airflow/dags/team/etl.py'), 7);
    assert.equal(errorLine("  File \"/opt/airflow/dags/team/etl.py\", line 3\n    with DAG(dag_id='x')\n                        ^\nSyntaxError: expected ':'", '/opt/airflow/dags/team/etl.py'), 3);
    const mapped = mapImportError({ filename: '/opt/airflow/dags/team/etl.py', stack_trace: trace, timestamp: '' }, sources);
    assert.deepEqual(mapped, { airflowPath: '/opt/airflow/dags/team/etl.py', repository: 'team', file: '/work/team/dags/etl.py', line: 7, message: "ModuleNotFoundError: No module named 'nope'" });
  });
});

describe('change summary', () => {
  test('added, changed (a defining file changed) and removed DAGs', () => {
    const entry = (blob: string, ...dagIds: string[]) => ({ blob, dagIds, errors: 0, warnings: 0, highSecurity: 0 });
    const before = { 'team/a.py': entry('1', 'a'), 'team/b.py': entry('2', 'b'), 'team/c.py': entry('3', 'c') };
    const after = { 'team/a.py': entry('1', 'a'), 'team/b.py': entry('22', 'b'), 'team/d.py': entry('4', 'd') };
    assert.deepEqual(dagDiff(before, after), { added: ['d'], changed: ['b'], removed: ['c'] });
    assert.equal(describeDiff(dagDiff(before, after)), 'added 1 (d); changed 1 (b); removed 1 (c)');
    assert.equal(describeDiff(dagDiff(after, after)), 'no DAG changes');
  });
});

test('credentials in remote URLs never reach an error message', () => {
  assert.equal(redact("fatal: unable to access 'https://bot:s3cr3t@git.example.com/x.git/'"), "fatal: unable to access 'https://***@git.example.com/x.git/'");
});
