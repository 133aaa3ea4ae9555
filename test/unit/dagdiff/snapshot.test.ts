import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { diffSnapshots, isEmptyDiff } from '../../../server/src/dagdiff/diff';
import { analyzePythonFile, EMPTY_SNAPSHOT, treeSnapshot } from '../../../server/src/dagdiff/snapshot';
import type { TreeSnapshot } from '../../../server/src/dagdiff/types';

const HEADER = 'from airflow.sdk import DAG, TaskGroup\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n';

async function folder(files: Record<string, string>): Promise<TreeSnapshot> {
  return treeSnapshot(await Promise.all(Object.entries(files).map(async ([path, text]) => ({ path, python: await analyzePythonFile(path, text) }))));
}

describe('DAG snapshots: what the model cannot settle is reported, not guessed', () => {
  test('a file that cannot be read as Python shows its DAGs as removed and says why', async () => {
    const good = await folder({ 'a.py': `${HEADER}with DAG(dag_id="a"):\n    EmptyOperator(task_id="t")\n` });
    const binary = await folder({ 'a.py': `${HEADER}\0\n` });
    const diff = diffSnapshots(good, binary);
    assert.deepEqual(diff.dags.removed.map((d) => d.dagId), ['a']);
    assert.deepEqual(diff.warnings, ['a.py (after): Syntax error: the file contains NUL bytes (is it binary?); Python cannot import it.']);
  });

  test('a file with syntax errors keeps the DAGs tree-sitter recovers, with a warning', async () => {
    const before = await folder({ 'a.py': `${HEADER}with DAG(dag_id="a"):\n    EmptyOperator(task_id="t")\n` });
    const after = await folder({ 'a.py': `${HEADER}with DAG(dag_id="a"):\n    EmptyOperator(task_id="t")\n    x = = 1\n` });
    const diff = diffSnapshots(before, after);
    assert.deepEqual(diff.warnings, ['a.py (after): it has syntax errors, so its DAGs may be incomplete']);
    assert.equal(diff.dags.removed.length, 0);
  });

  test('the same task id created in two exclusive branches is two tasks, paired in order', async () => {
    const source = (command: string) =>
      `${HEADER}from airflow.providers.standard.operators.bash import BashOperator\nimport os\nwith DAG(dag_id="a"):\n    if os.environ.get("X"):\n        BashOperator(task_id="t", bash_command="one")\n    else:\n        BashOperator(task_id="t", bash_command="${command}")\n`;
    const diff = diffSnapshots(await folder({ 'a.py': source('two') }), await folder({ 'a.py': source('three') }));
    assert.deepEqual(diff.dags.changed[0]?.tasks.changed, [{ taskId: 't', known: true, changes: [{ name: 'bash_command', before: '"two"', after: '"three"' }] }]);
  });

  test('a task inside the one TaskGroup whose id is unknown is named after the group expression', async () => {
    const source = (retries: number) =>
      `${HEADER}import os\nwith DAG(dag_id="a"):\n    with TaskGroup(group_id=os.environ["G"]):\n        EmptyOperator(task_id="t", retries=${retries})\n`;
    const after = await folder({ 'a.py': source(2) });
    assert.deepEqual(after.dags[0]?.tasks.map((t) => [t.taskId, t.known, t.why]), [['?(os.environ["G"]).t', false, 'the task group id is not known statically']]);
    const diff = diffSnapshots(await folder({ 'a.py': source(1) }), after);
    assert.deepEqual(diff.dags.changed[0]?.tasks.changed.map((t) => t.taskId), ['?(os.environ["G"]).t']);
  });

  test('an unknown dag_id is only matched inside its own file', async () => {
    const factory = `${HEADER}import os\nwith DAG(dag_id=os.environ["ID"]):\n    EmptyOperator(task_id="t")\n`;
    const diff = diffSnapshots(await folder({ 'a.py': factory }), await folder({ 'b.py': factory.replace('"t"', '"u"') }));
    assert.deepEqual([diff.dags.added.map((d) => d.file), diff.dags.removed.map((d) => d.file)], [['b.py'], ['a.py']]);
  });

  test('adding a DAG or a task with its imports does not count as other code of the DAGs already there', async () => {
    const before = await folder({ 'a.py': `${HEADER}with DAG(dag_id="a"):\n    start = EmptyOperator(task_id="start")\n` });
    const after = await folder({
      'a.py': `${HEADER}from airflow.providers.standard.operators.bash import BashOperator\nwith DAG(dag_id="a"):\n    start = EmptyOperator(task_id="start")\n    run = BashOperator(task_id="run", bash_command="x")\n    start >> run\nwith DAG(dag_id="b"):\n    EmptyOperator(task_id="t")\n`,
    });
    const diff = diffSnapshots(before, after);
    assert.equal(diff.dags.changed[0]?.otherCode, false);
    assert.deepEqual(diff.dags.added.map((d) => d.dagId), ['b']);
  });

  test('a changed helper the DAG does not name is other code; an empty folder diffs to everything added', async () => {
    const source = (n: number) => `${HEADER}def helper():\n    return ${n}\nwith DAG(dag_id="a"):\n    EmptyOperator(task_id="t")\nhelper()\n`;
    assert.equal(diffSnapshots(await folder({ 'a.py': source(1) }), await folder({ 'a.py': source(2) })).dags.changed[0]?.otherCode, true);
    const fromNothing = diffSnapshots(EMPTY_SNAPSHOT, await folder({ 'a.py': source(1) }));
    assert.deepEqual(fromNothing.dags.added, [{ dagId: 'a', known: true, file: 'a.py', tasks: 1 }]);
    assert.equal(isEmptyDiff(diffSnapshots(EMPTY_SNAPSHOT, EMPTY_SNAPSHOT)), true);
  });
});

test('an operator class defined in the DAG file is compared by its code', async () => {
  const source = (body: string) => `${HEADER}from airflow.sdk import BaseOperator\nclass Publish(BaseOperator):\n    def execute(self, context):\n        ${body}\nwith DAG(dag_id="a"):\n    Publish(task_id="publish")\n`;
  const diff = diffSnapshots(await folder({ 'a.py': source('return 1') }), await folder({ 'a.py': source('return 2') }));
  assert.deepEqual(diff.dags.changed.map((d) => [d.definitions.map((c) => c.name), d.otherCode]), [[['Publish'], false]]);
});

test('a value nested deeper than the call stack (a 5,000-operand concatenation) is compared, not a crash', async () => {
  const source = (last: string) => `${HEADER}from airflow.providers.standard.operators.bash import BashOperator\nwith DAG(dag_id="a"):\n    BashOperator(task_id="t", bash_command="x"${' + "y"'.repeat(5000)} + "${last}")\n`;
  const diff = diffSnapshots(await folder({ 'a.py': source('1') }), await folder({ 'a.py': source('2') }));
  assert.deepEqual(diff.dags.changed[0]?.tasks.changed.map((t) => t.changes.map((c) => [c.name, c.after?.slice(-9)])), [[['bash_command', '"y" + "2"']]]);
});
