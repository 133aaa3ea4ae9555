import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canaryFile, canaryText } from '../../../server/src/canary/rewrite';

const head = 'from airflow.sdk import DAG, dag\nfrom airflow.providers.standard.operators.empty import EmptyOperator\n';

describe('canary rewrite: the dag_id literal and the tags, nothing else', () => {
  test('with DAG(dag_id=...): the literal is renamed and the tag appended to a literal list', async () => {
    const text = `${head}# «orders» — naïve comment\nwith DAG(dag_id='orders', schedule=None, tags=["team"]):  # keep\n    EmptyOperator(task_id="orders")\n`;
    assert.equal(await canaryText(text, 'orders.py', 'orders'), text.replace(`dag_id='orders'`, 'dag_id="orders__canary"').replace('tags=["team"]', 'tags=["team", "hangar-canary"]'));
  });

  test('a positional id, no tags: the literal is renamed, tags added as the last argument', async () => {
    const text = `${head}d = DAG("orders", schedule=None,)\n`;
    assert.equal(await canaryText(text, 'orders.py', 'orders'), `${head}d = DAG("orders__canary", schedule=None, tags=["hangar-canary"],)\n`);
  });

  test('tags from an expression are unpacked into a new list', async () => {
    const text = `${head}TAGS = ["a"]\nwith DAG(dag_id="orders", tags=TAGS):\n    pass\n`;
    assert.equal(await canaryText(text, 'orders.py', 'orders'), text.replace('dag_id="orders", tags=TAGS', 'dag_id="orders__canary", tags=[*(TAGS), "hangar-canary"]'));
  });

  test('@dag: an explicit id is renamed; without one the decorator gets dag_id and tags', async () => {
    const explicit = `${head}@dag(dag_id="orders", schedule=None)\ndef pipeline():\n    EmptyOperator(task_id="t")\npipeline()\n`;
    assert.equal(await canaryText(explicit, 'o.py', 'orders'), explicit.replace('@dag(dag_id="orders", schedule=None)', '@dag(dag_id="orders__canary", schedule=None, tags=["hangar-canary"])'));
    const empty = `${head}@dag()\ndef orders():\n    EmptyOperator(task_id="t")\norders()\n`;
    assert.equal(await canaryText(empty, 'o.py', 'orders'), empty.replace('@dag()', '@dag(dag_id="orders__canary", tags=["hangar-canary"])'));
    const bare = `${head}@dag\ndef orders():\n    EmptyOperator(task_id="t")\norders()\n`;
    assert.equal(await canaryText(bare, 'o.py', 'orders'), bare.replace('@dag\n', '@dag(dag_id="orders__canary", tags=["hangar-canary"])\n'));
  });

  test('refusals: an id that is not a literal, a loop, a file with another DAG, a DAG that is not there', async () => {
    await assert.rejects(canaryText(`${head}ID = "orders"\nwith DAG(dag_id=ID):\n    pass\n`, 'o.py', 'orders'), /not a string literal \(ID\).*Write dag_id="orders"/);
    await assert.rejects(canaryText(`${head}with DAG(dag_id="ord" "ers"):\n    pass\n`, 'o.py', 'orders'), /not a string literal/);
    await assert.rejects(canaryText(`${head}with DAG(dag_id=f"{'orders'}"):\n    pass\n`, 'o.py', 'orders'), /not a string literal|does not define/);
    await assert.rejects(canaryText(`${head}for x in ["a"]:\n    with DAG(dag_id="orders"):\n        pass\n`, 'o.py', 'orders'), /in a loop, a function or more than once/);
    await assert.rejects(canaryText(`${head}with DAG(dag_id="orders"):\n    pass\nwith DAG(dag_id="billing"):\n    pass\n`, 'o.py', 'orders'), /also defines billing.*a file of its own/s);
    await assert.rejects(canaryText(`${head}with DAG(dag_id="billing"):\n    pass\n`, 'o.py', 'orders'), /does not define the DAG "orders"/);
  });

  test('the canary file sits beside the live one', () => {
    assert.equal(canaryFile('etl/orders.py'), 'etl/orders__canary.py');
  });
});
