import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeTree } from '../../../server/src/analysis/engine';
import { createPythonParser } from '../../../server/src/analysis/parser';
import type { DagFileModel, Known } from '../../../server/src/analysis/model/types';
import { HEADER, inDag } from './helpers';

const parserReady = createPythonParser();

/** The model of `source`; its tree stays alive (nodes are only readable while their tree is). */
async function model(source: string): Promise<DagFileModel> {
  const tree = (await parserReady).parse(source)!;
  return analyzeTree({ path: 'dags/m.py', source, tree }).model;
}
const id = (k: Known<string>): string => (k.known ? k.value : '?');

describe('DAG model', () => {
  it('finds DAGs of every form with their ids and args', async () => {
    const m = await model(`${HEADER}
with DAG("ctx", schedule="@daily") as d1:
    EmptyOperator(task_id="a")

d2 = DAG(dag_id="ctor", schedule=None)
EmptyOperator(task_id="b", dag=d2)

@dag(dag_id="deco", schedule=None)
def pipeline():
    EmptyOperator(task_id="c")

pipeline()

@dag(schedule=None)
def never():
    pass
`);
    assert.deepEqual(m.dags.map((d) => [id(d.dagId), d.kind, d.called, d.tasks.map((t) => id(t.taskId))]), [
      ['ctx', 'context', undefined, ['a']],
      ['ctor', 'constructor', undefined, ['b']],
      ['deco', 'decorator', true, ['c']],
      ['never', 'decorator', false, []],
    ]);
    assert.equal(m.dags[0]!.args.get('schedule')?.text, '"@daily"');
    assert.equal(m.dags[0]!.variable, 'd1');
  });

  it('prefixes task ids with nested TaskGroup ids, honouring prefix_group_id=False', async () => {
    const m = await model(`${HEADER}
with DAG("g", schedule=None):
    with TaskGroup("outer"):
        with TaskGroup(group_id="inner"):
            EmptyOperator(task_id="t")
        with TaskGroup("flat", prefix_group_id=False):
            EmptyOperator(task_id="u")
`);
    assert.deepEqual(m.dags[0]!.tasks.map((t) => id(t.taskId)), ['outer.inner.t', 'outer.u']);
    assert.deepEqual(m.dags[0]!.groups.map((g) => id(g.groupId)), ['outer', 'outer.inner', 'outer.flat']);
  });

  it('resolves TaskFlow calls, .override() and .partial().expand() mapping', async () => {
    const m = await model(`${HEADER}
with DAG("tf", schedule=None):
    @task
    def extract():
        return [1, 2]

    @task.bash
    def run(x):
        return f"echo {x}"

    data = extract()
    run.override(task_id="run_all")(data)
    run.expand(x=data)
    BashOperator.partial(task_id="mapped").expand(bash_command=["a", "b"])
`);
    const tasks = m.dags[0]!.tasks;
    assert.deepEqual(tasks.map((t) => [id(t.taskId), t.operator, t.kind, t.mapped]), [
      ['extract', '@task', 'taskflow', false],
      ['run_all', '@task.bash', 'taskflow', false],
      ['run', '@task.bash', 'taskflow', true],
      ['mapped', 'BashOperator', 'operator', true],
    ]);
    assert.deepEqual(m.dags[0]!.edges.map((e) => `${id(e.upstream.taskId)}>${id(e.downstream.taskId)}`), ['extract>run_all', 'extract>run']);
  });

  it('builds edges from >>, <<, lists, set_upstream, chain, chain_linear and cross_downstream', async () => {
    const m = await model(`${HEADER}
from airflow.sdk import chain_linear, cross_downstream
with DAG("deps", schedule=None):
    a, b, c, d = [EmptyOperator(task_id=x) for x in "abcd"]
    e = EmptyOperator(task_id="e")
    f = EmptyOperator(task_id="f")
    g = EmptyOperator(task_id="g")
    h = EmptyOperator(task_id="h")
    e >> [f, g]
    h << g
    f.set_upstream(h)
    chain(e, [f, g], [h, e])
    chain_linear(e, [f, g])
    cross_downstream([e, f], [g, h])
`);
    const edges = m.dags[0]!.edges.map((x) => `${id(x.upstream.taskId)}>${id(x.downstream.taskId)}`);
    assert.deepEqual(edges, ['e>f', 'e>g', 'g>h', 'h>f', 'e>f', 'e>g', 'f>h', 'g>e', 'e>f', 'e>g', 'e>g', 'e>h', 'f>g', 'f>h']);
  });

  it('connects a TaskGroup in a dependency through its roots and leaves, as Airflow does when the line runs', async () => {
    const m = await model(`${HEADER}
with DAG("groups", schedule=None):
    start = EmptyOperator(task_id="start")
    end = EmptyOperator(task_id="end")
    with TaskGroup("load") as load:
        a = EmptyOperator(task_id="a")
        b = EmptyOperator(task_id="b")
        with TaskGroup("inner") as inner:
            c = EmptyOperator(task_id="c")
        a >> b
    start >> load >> [end]
    load.set_downstream(end)
    empty = TaskGroup("empty")
    start >> empty >> end
`);
    const edges = m.dags[0]!.edges.map((e) => `${id(e.upstream.taskId)}>${id(e.downstream.taskId)}`);
    assert.deepEqual(edges, [
      'load.a>load.b',
      'start>load.a', 'start>load.inner.c',
      'load.b>end', 'load.inner.c>end',
      'load.b>end', 'load.inner.c>end',
    ]);
  });

  it('knows setup and teardown tasks, and the edge from each setup a teardown names', async () => {
    const m = await model(inDag('s = EmptyOperator(task_id="s").as_setup()\nw = EmptyOperator(task_id="w")\nt = EmptyOperator(task_id="t").as_teardown(setups=s)\ns >> w >> t'));
    assert.deepEqual(m.dags[0]!.tasks.map((t) => id(t.taskId)), ['s', 'w', 't']);
    assert.deepEqual(m.dags[0]!.edges.map((e) => `${id(e.upstream.taskId)}>${id(e.downstream.taskId)}`), ['s>t', 's>w', 'w>t']);
  });

  it('gives each step of a dependency chain the node of its own operator, with or without comments', async () => {
    for (const chain of ['a >> [b,\n        c] << d >> missing', 'a >> [b,  # fan out\n        c] << d >> missing']) {
      const m = await model(inDag(`${['a', 'b', 'c', 'd'].map((t) => `${t} = EmptyOperator(task_id="${t}")`).join('\n')}\n${chain}`));
      const edges = m.dags[0]!.edges.map((x) => `${id(x.upstream.taskId)}>${id(x.downstream.taskId)} ${x.node.text.replace(/\s+/g, ' ')}`);
      const written = chain.split('>> missing')[0]!.replace(/\s+/g, ' ').trim();
      assert.deepEqual(edges, [`a>b ${written.split(' <<')[0]}`, `a>c ${written.split(' <<')[0]}`, `d>b ${written}`, `d>c ${written}`], chain);
      assert.deepEqual(m.undefinedDependencyNames.map((n) => n.text), ['missing'], chain);
    }
  });

  it('marks ids from loop variables unknown and literal loop ids repeated', async () => {
    const m = await model(`${HEADER}
with DAG("loops", schedule=None):
    for name in ["x", "y"]:
        EmptyOperator(task_id=f"load_{name}")
        EmptyOperator(task_id="same")
        if name == "x":
            EmptyOperator(task_id="conditional")
`);
    const tasks = m.dags[0]!.tasks;
    assert.deepEqual(tasks.map((t) => [id(t.taskId), t.inLoop, t.repeatedInLoop]), [['?', true, false], ['same', true, true], ['conditional', true, false]]);
  });

  it('records exclusive branches', async () => {
    const m = await model(`${HEADER}
with DAG("b", schedule=None):
    if X:
        EmptyOperator(task_id="a")
    else:
        EmptyOperator(task_id="a")
`);
    const [first, second] = m.dags[0]!.tasks;
    assert.notDeepEqual(first!.branch, second!.branch);
    assert.equal(first!.branch[0]!.split(':')[0], second!.branch[0]!.split(':')[0]);
  });

  it('resolves imports and aliases to qualified names', async () => {
    const m = await model('import airflow.sdk as sdk\nfrom airflow.providers.standard.operators.bash import BashOperator as Bash\nimport os.path\n');
    assert.equal(m.qualifiedName('Bash'), 'airflow.providers.standard.operators.bash.BashOperator');
    assert.equal(m.qualifiedName('sdk'), 'airflow.sdk');
    assert.equal(m.qualifiedName('os'), 'os');
    assert.equal(m.qualifiedName('nothing'), undefined);
    assert.deepEqual(m.imports.map((i) => i.module), ['airflow.sdk', 'airflow.providers.standard.operators.bash', 'os.path']);
  });

  it('reads imports written in any form, with the node of every part', async () => {
    // Common forms are read from the text, the rest (comments, continuations) from the tree: both give the same model.
    const forms = [
      'from .jobs import (\n    load,\n    Export as Out,\n)\n',
      'from .jobs import (  # the loaders\n    load,\n    Export as Out,\n)\n',
      'from .jobs import load, \\\n    Export as Out\n',
    ];
    for (const source of forms) {
      const [imported] = (await model(source)).imports;
      const parts = imported!.names.map((n) => [n.name, n.alias, n.node.type, n.node.text]);
      assert.deepEqual([imported!.module, imported!.moduleNode.type, imported!.moduleNode.text], ['.jobs', 'relative_import', '.jobs'], source);
      assert.deepEqual(parts, [['load', undefined, 'dotted_name', 'load'], ['Export', 'Out', 'aliased_import', 'Export as Out']], source);
    }
    const plain = (await model('import os.path as p, sys\n')).imports;
    assert.deepEqual(plain.map((i) => [i.module, i.alias, i.moduleNode.type, i.moduleNode.text]), [['os.path', 'p', 'dotted_name', 'os.path'], ['sys', undefined, 'dotted_name', 'sys']]);
  });

  it('knows which code runs at parse time', async () => {
    const source = `${HEADER}
top = len("x")

def helper():
    return len("helper")

def callable_():
    return len("runtime")

VALUE = helper()

with DAG("p", schedule=None):
    @task
    def body():
        return len("task body")
    PythonOperator(task_id="p", python_callable=callable_)
`;
    const m = await model(source);
    const lenCall = (text: string): boolean => {
      const call = m.calls.find((c) => c.text.startsWith('len(') && c.text.includes(text));
      assert.ok(call, text);
      return m.isParseTime(call);
    };
    assert.equal(lenCall('"x"'), true);
    assert.equal(lenCall('helper'), true);
    assert.equal(lenCall('runtime'), false);
    assert.equal(lenCall('task body'), false);
  });

  it('lists orphan tasks and undefined dependency names', async () => {
    const m = await model(`${HEADER}
lonely = EmptyOperator(task_id="lonely")
with DAG("o", schedule=None):
    a = EmptyOperator(task_id="a")
    a >> missing
`);
    assert.deepEqual(m.orphanTasks.map((t) => id(t.taskId)), ['lonely']);
    assert.deepEqual(m.undefinedDependencyNames.map((n) => n.text), ['missing']);
  });

  it('prefixes @task_group tasks only when the group function is called once, as written', async () => {
    const m = await model(`${HEADER}
@dag(schedule=None)
def p():
    @task_group(group_id="load")
    def load_group(x):
        @task
        def stage(rows):
            return rows
        stage(x)

    @task_group
    def once():
        @task
        def a():
            return 1
        a()

    load_group.override(group_id="load_a")(1)
    load_group(2)
    once()

p()
`);
    assert.deepEqual(m.dags[0]!.tasks.map((t) => id(t.taskId)), ['?', 'once.a']);
  });
});
