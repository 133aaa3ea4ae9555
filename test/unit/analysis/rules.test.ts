import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from '../../../server/src/analysis/rules/catalog';
import type { HangarConfig } from '../../../server/src/analysis/config';
import { applyFix, findings, HEADER, inDag, ruleFindings } from './helpers';

interface Case {
  readonly rule: string;
  readonly bad: string;
  /** 1-based line of the first finding in `bad`. */
  readonly line?: number;
  readonly good: string;
  /** Text the safe fix must produce somewhere in the file. */
  readonly fixed?: string;
  /** The project configuration (target versions) the case runs under. */
  readonly config?: Partial<HangarConfig>;
}

const AIRFLOW2 = { targetAirflow: '2' };

const HL = HEADER.split('\n').length + 1; // 1-based line of `with DAG(` in inDag()

const CASES: Case[] = [
  { rule: 'HGR001', bad: inDag('t = BashOperator(task_id="a", bash_command="x"'), good: inDag('t = BashOperator(task_id="a", bash_command="x")') },
  { rule: 'HGR001', bad: inDag('a = EmptyOperator(task_id="a")\n    b = EmptyOperator(task_id="b")'), line: HL + 2, good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")') },
  { rule: 'HGR001', bad: inDag('BashOperator(task_id="a", bash_command="x", retries=1, retries=2)'), good: inDag('BashOperator(task_id="a", bash_command="x", retries=2)') },
  { rule: 'HGR001', bad: `${HEADER}\ndef f():\n    print "x"\n`, good: `${HEADER}\ndef f():\n    print("x")\n` },
  { rule: 'HGR002', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="sales report", schedule=None'), line: HL, good: inDag('EmptyOperator(task_id="a")', 'dag_id="sales_report", schedule=None') },
  { rule: 'HGR002', bad: `${HEADER}\nDAG_ID = "x" * 251\nwith DAG(dag_id=DAG_ID, schedule=None):\n    EmptyOperator(task_id="a")\n`, good: `${HEADER}\nDAG_ID = "x" * 250\nwith DAG(dag_id=DAG_ID, schedule=None):\n    EmptyOperator(task_id="a")\n` },
  // an @dag DAG is built, and fails, where the function is called
  { rule: 'HGR002', bad: `${HEADER}\n@dag(dag_id="nightly orders", schedule=None)\ndef nightly():\n    EmptyOperator(task_id="a")\n\nnightly()\n`, line: HL + 4, good: `${HEADER}\n@dag(dag_id="nightly_orders", schedule=None)\ndef nightly():\n    EmptyOperator(task_id="a")\n\nnightly()\n` },
  { rule: 'HGR003', bad: inDag('EmptyOperator(task_id="load data!")'), line: HL + 1, good: inDag('EmptyOperator(task_id="load_data")') },
  { rule: 'HGR004', bad: inDag('with TaskGroup(group_id="clean.up"):\n    EmptyOperator(task_id="a")'), good: inDag('with TaskGroup(group_id="clean_up"):\n    EmptyOperator(task_id="a")') },
  { rule: 'HGR005', bad: inDag('EmptyOperator(task_id="a")\nEmptyOperator(task_id="a")'), line: HL + 2, good: inDag('EmptyOperator(task_id="a")\nEmptyOperator(task_id="b")') },
  { rule: 'HGR005', bad: inDag('with TaskGroup("g"):\n    EmptyOperator(task_id="a")\n    EmptyOperator(task_id="a")'), good: inDag('with TaskGroup("g"):\n    EmptyOperator(task_id="a")\nEmptyOperator(task_id="a")') },
  { rule: 'HGR005', bad: inDag('EmptyOperator(task_id="g")\nwith TaskGroup("g"):\n    EmptyOperator(task_id="a")'), good: inDag('EmptyOperator(task_id="h")\nwith TaskGroup("g"):\n    EmptyOperator(task_id="a")') },
  { rule: 'HGR005', bad: inDag('for region in ["eu", "us"]:\n    EmptyOperator(task_id="load")'), good: inDag('for region in ["eu", "us"]:\n    EmptyOperator(task_id=f"load_{region}")') },
  { rule: 'HGR005', bad: inDag('@task\ndef load():\n    pass\nload()\nEmptyOperator(task_id="load")'), good: inDag('@task\ndef load():\n    pass\nload()\nload()') },
  { rule: 'HGR005', bad: inDag('for region in ["eu", "us", "eu"]:\n    EmptyOperator(task_id=f"load_{region}")'), good: inDag('for region in ["eu", "us"]:\n    EmptyOperator(task_id=f"load_{region}")') },
  { rule: 'HGR003', bad: inDag('for table in ["orders", "line items"]:\n    EmptyOperator(task_id=f"load_{table}")'), good: inDag('for table in ["orders", "line_items"]:\n    EmptyOperator(task_id=f"load_{table}")') },
  { rule: 'HGR018', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, owner_links={"team": "data team"}'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, owner_links={"team": "https://chat.example/data", "ops": "mailto:ops@example.com"}') },
  { rule: 'HGR007', bad: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na >> b >> a'), good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na >> b') },
  { rule: 'HGR007', bad: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na.set_downstream(b)\nb.set_downstream(a)'), good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na.set_downstream(b)') },
  { rule: 'HGR007', bad: inDag('a = EmptyOperator(task_id="a")\na >> a'), good: inDag('a = EmptyOperator(task_id="a")') },
  { rule: 'HGR007', bad: inDag('a = EmptyOperator(task_id="a")\nwith TaskGroup("g") as g:\n    b = EmptyOperator(task_id="b")\na >> g >> a'), good: inDag('a = EmptyOperator(task_id="a")\nwith TaskGroup("g") as g:\n    b = EmptyOperator(task_id="b")\na >> g') },
  { rule: 'HGR007', bad: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na << b\na >> b'), good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na << b') },
  { rule: 'HGR008', bad: inDag('EmptyOperator(task_id="a", trigger_rule="all_sucess")'), good: inDag('EmptyOperator(task_id="a", trigger_rule="all_success")') },
  { rule: 'HGR008', bad: inDag('EmptyOperator(task_id="a", trigger_rule="dummy")'), good: inDag('EmptyOperator(task_id="a", trigger_rule="always")'), fixed: 'trigger_rule="always"' },
  { rule: 'HGR009', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="0 25 * * *"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="0 5 * * *"') },
  { rule: 'HGR009', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@dailly"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@continuous", max_active_runs=1') },
  { rule: 'HGR009', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="0 0 * *"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="30 2 * * 1-5 15"') },
  { rule: 'HGR010', bad: inDag('BashOperator(bash_command="x")'), good: inDag('BashOperator(task_id="a", bash_command="x")') },
  { rule: 'HGR011', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@daily", catchup=True'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@daily", catchup=True, default_args={"start_date": datetime(2025, 1, 1)}') },
  { rule: 'HGR012', bad: inDag('a = EmptyOperator(task_id="a")\na >> b'), good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\na >> b') },
  { rule: 'HGR012', bad: inDag('SqlOperator(task_id="a")'), good: inDag('EmptyOperator(task_id="a")') },
  { rule: 'HGR013', bad: `${HEADER}\nwith DAG("one", schedule=None):\n    a = EmptyOperator(task_id="a")\nwith DAG("two", schedule=None):\n    b = EmptyOperator(task_id="b")\na >> b\n`, good: `${HEADER}\nwith DAG("one", schedule=None):\n    a = EmptyOperator(task_id="a")\n    b = EmptyOperator(task_id="b")\na >> b\n` },
  { rule: 'HGR015', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedul="@daily"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@daily"'), fixed: 'schedule="@daily"' },
  { rule: 'HGR015', bad: inDag('BashOperator(task_id="a", bash_command="x", retriez=2)'), good: inDag('BashOperator(task_id="a", bash_command="x", retries=2)') },
  { rule: 'HGR016', bad: inDag('BashOperator(task_id="a")'), good: inDag('BashOperator(task_id="a", bash_command="x")') },
  { rule: 'HGR017', bad: inDag('BashOperator.partial(task_id="a").expand(task_id=["x", "y"])'), good: inDag('BashOperator.partial(task_id="a").expand(bash_command=["x", "y"])') },
  { rule: 'HGR018', bad: inDag('BashOperator(task_id="a", bash_command="x", execution_timeout=300)'), good: inDag('BashOperator(task_id="a", bash_command="x", execution_timeout=timedelta(seconds=300))') },
  { rule: 'HGR018', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, start_date="2025-01-01"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, start_date=datetime(2025, 1, 1)') },
  { rule: 'HGR019', bad: inDag('a, b, c = [EmptyOperator(task_id=i) for i in "abc"]\nchain([a, b], [c, a, b])'), good: inDag('a = EmptyOperator(task_id="a")\nb = EmptyOperator(task_id="b")\nc = EmptyOperator(task_id="c")\nd = EmptyOperator(task_id="d")\nchain([a, b], [c, d])') },
  { rule: 'HGR101', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule_interval="@daily"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="@daily"'), fixed: 'dag_id="x", schedule="@daily"' },
  { rule: 'HGR101', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, concurrency=4'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, max_active_tasks=4'), fixed: 'max_active_tasks=4' },
  { rule: 'HGR102', bad: inDag('PythonOperator(task_id="a", python_callable=print, provide_context=True)'), good: inDag('PythonOperator(task_id="a", python_callable=print)'), fixed: 'PythonOperator(task_id="a", python_callable=print)' },
  { rule: 'HGR102', bad: inDag('BashOperator(task_id="a", bash_command="x", task_concurrency=2)'), good: inDag('BashOperator(task_id="a", bash_command="x", max_active_tis_per_dag=2)'), fixed: 'max_active_tis_per_dag=2' },
  { rule: 'HGR103', bad: inDag('BashOperator(task_id="a", bash_command="x", sla=timedelta(hours=1))'), good: inDag('BashOperator(task_id="a", bash_command="x")') },
  { rule: 'HGR104', bad: `from airflow.utils.dates import days_ago\n${inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, start_date=days_ago(1)')}`, line: 1, good: inDag('EmptyOperator(task_id="a")') },
  { rule: 'HGR105', bad: `from airflow.contrib.operators.ssh_operator import SSHOperator\n${inDag('EmptyOperator(task_id="a")')}`, good: `from airflow.providers.ssh.operators.ssh import SSHOperator\n${inDag('EmptyOperator(task_id="a")')}` },
  { rule: 'HGR106', bad: `from airflow.operators.subdag import SubDagOperator\n${inDag('EmptyOperator(task_id="a")')}`, good: inDag('EmptyOperator(task_id="a")') },
  { rule: 'HGR107', bad: inDag('BashOperator(task_id="a", bash_command="run {{ execution_date }}")'), good: inDag('BashOperator(task_id="a", bash_command="run {{ logical_date }}")'), fixed: '{{ logical_date }}' },
  { rule: 'HGR107', bad: `${HEADER}\ndef f(**context):\n    return context["next_ds"]\n`, good: `${HEADER}\ndef f(**context):\n    return context["ds"]\n` },
  { rule: 'HGR108', bad: `from airflow.operators.bash_operator import BashOperator as B\n${inDag('B(task_id="a", bash_command="x")')}`, line: 1, good: inDag('BashOperator(task_id="a", bash_command="x")'), fixed: 'from airflow.providers.standard.operators.bash import BashOperator as B' },
  { rule: 'HGR108', bad: `from airflow.operators.dummy_operator import DummyOperator\n${inDag('DummyOperator(task_id="a")')}`, good: inDag('EmptyOperator(task_id="a")'), fixed: 'from airflow.providers.standard.operators.empty import EmptyOperator as DummyOperator' },
  { rule: 'HGR109', bad: `from airflow.decorators import dag, task\n${inDag('EmptyOperator(task_id="a")')}`, good: inDag('EmptyOperator(task_id="a")'), fixed: 'from airflow.sdk import dag, task' },
  { rule: 'HGR109', bad: `from airflow.models import DAG, Variable\n${inDag('EmptyOperator(task_id="a")')}`, good: inDag('EmptyOperator(task_id="a")'), fixed: 'from airflow.sdk import DAG\nfrom airflow.models import Variable' },
  { rule: 'HGR201', bad: `${HEADER}\n@dag(schedule=None)\ndef orders():\n    EmptyOperator(task_id="a")\n`, good: `${HEADER}\n@dag(schedule=None)\ndef orders():\n    EmptyOperator(task_id="a")\n\norders()\n`, fixed: '\n\n\norders()' },
  { rule: 'HGR202', bad: `${HEADER}\nEmptyOperator(task_id="a")\n`, good: inDag('EmptyOperator(task_id="a")') },
  { rule: 'HGR203', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None, start_date=datetime.now()'), good: inDag('EmptyOperator(task_id="a")') },
  { rule: 'HGR204', bad: `from airflow.sdk import Variable\n${inDag('BashOperator(task_id="a", bash_command=Variable.get("cmd"))')}`, good: `from airflow.sdk import Variable\n${inDag('@task\ndef f():\n    return Variable.get("cmd")\nf()')}`, fixed: 'bash_command="{{ var.value.cmd }}"' },
  { rule: 'HGR205', bad: `from airflow.sdk import BaseHook\nconn = BaseHook.get_connection("db")\n${inDag('EmptyOperator(task_id="a")')}`, good: `from airflow.sdk import BaseHook\n${inDag('@task\ndef f():\n    return BaseHook.get_connection("db")\nf()')}` },
  { rule: 'HGR206', bad: `import requests\nTABLES = requests.get("https://x").json()\n${inDag('EmptyOperator(task_id="a")')}`, good: `import requests\n${inDag('@task\ndef f():\n    return requests.get("https://x").json()\nf()')}` },
  { rule: 'HGR207', bad: `import time\ntime.sleep(30)\n${inDag('EmptyOperator(task_id="a")')}`, good: `import time\n\ndef wait():\n    time.sleep(30)\n${inDag('PythonOperator(task_id="a", python_callable=wait)')}` },
  { rule: 'HGR208', bad: inDag('BashOperator(task_id="a", bash_command="/opt/run.sh")'), good: inDag('BashOperator(task_id="a", bash_command="/opt/run.sh ")'), fixed: 'bash_command="/opt/run.sh "' },
  { rule: 'HGR209', bad: inDag('EmptyOperator(task_id="a")', 'dag_id="x"'), good: inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=None'), config: AIRFLOW2 },
  { rule: 'HGR020', bad: `from airflow.sdk import Asset\nORDERS = Asset("snowflake://analytics.orders")\n${inDag('EmptyOperator(task_id="a", outlets=[ORDERS])')}`, line: 2, good: `from airflow.sdk import Asset\nORDERS = Asset("snowflake://acct/analytics/public/orders")\n${inDag('EmptyOperator(task_id="a", outlets=[ORDERS])')}` },
  { rule: 'HGR020', bad: `from airflow.sdk import Asset\nA = Asset(name="a", uri="postgres://db/sales/orders")\n${inDag('EmptyOperator(task_id="a", outlets=[A])')}`, good: `from airflow.sdk import Asset\nA = Asset(name="a", uri="postgres://db/sales/public/orders")\n${inDag('EmptyOperator(task_id="a", outlets=[A])')}` },
  { rule: 'HGR001', bad: `${HEADER}\nNAMES = {"a": 1}\nLABEL = f"{NAMES["a"]}"\n`, line: HL + 1, good: `${HEADER}\nNAMES = {"a": 1}\nLABEL = f"{NAMES['a']}"\n` },
];

describe('rule catalog cases', () => {
  for (const [index, c] of CASES.entries()) {
    it(`${c.rule} #${index}: reports the bad example and not the good one`, async () => {
      const config = { select: [], ignore: [], severity: {}, ...c.config };
      const ofRule = async (source: string) => (await findings(source, config)).filter((f) => f.ruleId === c.rule);
      const bad = await ofRule(c.bad);
      assert.ok(bad.length > 0, `${c.rule} should report:\n${c.bad}\nall findings: ${JSON.stringify((await findings(c.bad, config)).map((f) => `${f.ruleId}@${f.range.start.line + 1} ${f.message}`))}`);
      if (c.line !== undefined) assert.equal(bad[0]!.range.start.line + 1, c.line, bad[0]!.message);
      const good = await ofRule(c.good);
      assert.deepEqual(good.map((f) => f.message), [], `${c.rule} should not report:\n${c.good}`);
      if (c.fixed !== undefined) {
        const withFix = bad.find((f) => f.fix);
        assert.ok(withFix, `${c.rule} should offer a fix`);
        const fixedSource = applyFix(c.bad, withFix);
        assert.ok(fixedSource.includes(c.fixed), `fix result should contain ${JSON.stringify(c.fixed)}:\n${fixedSource}`);
        assert.deepEqual((await findings(fixedSource)).filter((f) => f.ruleId === 'HGR001').map((f) => f.message), [], `fix must produce valid Python:\n${fixedSource}`);
        assert.deepEqual((await ruleFindings(c.rule, fixedSource)).filter((f) => f.range.start.line === withFix.range.start.line && f.message === withFix.message).length, 0);
      }
    });
  }

  it('every non-security rule has at least one case here', () => {
    const covered = new Set(CASES.map((c) => c.rule));
    const missing = catalog.filter((r) => r.family !== 'security' && !covered.has(r.id) && !['HGR006', 'HGR014', 'HGR110'].includes(r.id)).map((r) => r.id);
    assert.deepEqual(missing, []);
  });
});

describe('no false positives', () => {
  const clean = async (source: string): Promise<void> => {
    const errors = (await findings(source)).filter((f) => f.severity === 'error');
    assert.deepEqual(errors.map((f) => `${f.ruleId}@${f.range.start.line + 1}: ${f.message}`), []);
  };

  it('ids built in loops are unknown, not duplicates', () => clean(inDag('for i in range(3):\n    EmptyOperator(task_id=f"load_{i}")\nfor name in NAMES:\n    EmptyOperator(task_id=name)').replace('with DAG', 'NAMES = ["a", "b"]\nwith DAG')));
  it('tasks in exclusive if/else branches may share an id', () => clean(inDag('if ENV == "prod":\n    EmptyOperator(task_id="load")\nelif ENV == "dev":\n    EmptyOperator(task_id="load")\nelse:\n    EmptyOperator(task_id="load")').replace('with DAG', 'import os\nENV = os.environ.get("ENV")\nwith DAG')));
  it('try/except alternatives may share an id', () => clean(inDag('try:\n    EmptyOperator(task_id="load")\nexcept ImportError:\n    EmptyOperator(task_id="load")')));
  it('TaskFlow tasks called twice are suffixed by Airflow', () => clean(inDag('@task\ndef extract():\n    return 1\nextract()\nextract()')));
  it('the same task id in two DAGs is fine', () => clean(`${HEADER}\nwith DAG("a", schedule=None):\n    EmptyOperator(task_id="t")\nwith DAG("b", schedule=None):\n    EmptyOperator(task_id="t")\n`));
  it('DAG factories and DAGs in loops are not duplicates', () => clean(`${HEADER}\nfor name in ["a", "b"]:\n    with DAG(f"load_{name}", schedule=None):\n        EmptyOperator(task_id="start")\n\ndef make(dag_id):\n    with DAG(dag_id, schedule=None) as d:\n        EmptyOperator(task_id="start")\n    return d\n\nmake("x")\nmake("y")\n`));
  it('a task group prefixes its tasks: same local id in two groups is fine', () => clean(inDag('with TaskGroup("a"):\n    EmptyOperator(task_id="t")\nwith TaskGroup("b"):\n    EmptyOperator(task_id="t")')));
  it('tasks joined to a DAG through a dependency are not orphans', async () => {
    const source = `${HEADER}\nwith DAG("a", schedule=None) as d:\n    first = EmptyOperator(task_id="first")\nsecond = EmptyOperator(task_id="second")\nfirst >> second\n`;
    assert.deepEqual(await ruleFindings('HGR202', source), []);
  });
  it('names from star imports or globals() are never undefined', () => clean(`from somewhere import *\n${inDag('a = EmptyOperator(task_id="a")\na >> b')}`));
  it('six- and seven-field cron and presets are accepted', () => clean(inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule="0 0 * * 1-5 30"') + inDag('EmptyOperator(task_id="b")', 'dag_id="y", schedule="@hourly"').slice(HEADER.length)));
  it('timedelta, asset and timetable schedules are not cron', () => clean(inDag('EmptyOperator(task_id="a")', 'dag_id="x", schedule=timedelta(hours=1)')));
  it('operators of unknown packages are not signature-checked', () => clean(`from acme.operators import AcmeOperator\n${inDag('AcmeOperator(task_id="a", anything=1)')}`));
});
