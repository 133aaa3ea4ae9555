import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../server/src/analysis/config';
import { findings, HEADER, inDag } from './helpers';

const config = (extra: Record<string, string> = {}) => ({ select: [], ignore: [], severity: {}, ...extra });
const ids = async (source: string, extra?: Record<string, string>): Promise<string[]> => (await findings(source, config(extra))).map((f) => f.ruleId);

describe('warnings that were noise on real DAG files', () => {
  it('HGR202: dag= through **common_args, an operator made only to borrow a method, an inner @task named like its @dag', async () => {
    const source = `${HEADER}from airflow.providers.slack.operators.slack import SlackAPIPostOperator

dag = DAG("one", schedule=None, start_date=datetime(2025, 1, 1))
common_args = {"dag": dag, "retries": 1}
first = BashOperator(task_id="first", bash_command="echo 1", **common_args)
alert = SlackAPIPostOperator(task_id="alert", text="failed")
default_args = {"on_failure_callback": alert.execute}
notify = SlackAPIPostOperator(task_id="notify", text="done").execute


@dag(schedule=None, start_date=datetime(2025, 1, 1))
def nightly():
    @task
    def nightly():
        return 1

    nightly()


nightly()
`;
    assert.deepEqual((await ids(source)).filter((id) => id === 'HGR202'), []);
    // a real orphan is still one
    assert.ok((await ids(`${HEADER}\nBashOperator(task_id="lost", bash_command="x")\nwith DAG("d", schedule=None):\n    EmptyOperator(task_id="a")\n`)).includes('HGR202'));
  });

  it('HGR206: only what runs at parse time (not a function only a task or a callback calls)', async () => {
    const source = `import requests
${HEADER}
def lookup():
    return requests.get("https://config.internal/tables").json()


def notify(context):
    requests.post("https://hooks.internal/alert")


with DAG("d", schedule=None, default_args={"on_failure_callback": notify}):
    @task
    def tables():
        return lookup()

    tables()
`;
    assert.deepEqual((await ids(source)).filter((id) => id === 'HGR206'), []);
    assert.ok((await ids(source.replace('    tables()\n', '    tables()\nTABLES = lookup()\n'))).includes('HGR206'), 'called at module level: it runs at parse time');
  });

  it('HGR209 only for an Airflow 2 target: on Airflow 3 leaving schedule out means no schedule', async () => {
    const source = inDag('EmptyOperator(task_id="a")', 'dag_id="x", start_date=datetime(2025, 1, 1)');
    assert.ok(!(await ids(source)).includes('HGR209'));
    assert.ok(!(await ids(source, { targetAirflow: '3.4' })).includes('HGR209'));
    assert.ok((await ids(source, { targetAirflow: '2' })).includes('HGR209'));
  });

  it('HGR305 is for dag_run.conf; params are HGR315 (info, low) and not reported when their Param constrains them', async () => {
    const source = `${HEADER}from airflow.sdk import Param
with DAG("d", schedule=None, params={"day": Param("2025-01-01", type="string", format="date"), "table": "orders"}):
    BashOperator(task_id="a", bash_command="run {{ params.day }} {{ params.table }} {{ dag_run.conf['x'] }} ")
`;
    const found = await findings(source);
    assert.deepEqual(found.filter((f) => f.ruleId === 'HGR305').length, 1);
    const params = found.filter((f) => f.ruleId === 'HGR315');
    assert.equal(params.length, 1);
    assert.match(params[0]!.message, /"table"/);
    assert.equal(params[0]!.severity, 'info');
  });

  it('HGR007 finds a cycle through a 5,000-task chain without exhausting the stack', async () => {
    const n = 5_000;
    const lines = [HEADER, 'with DAG("big", schedule=None):'];
    for (let i = 0; i < n; i++) lines.push(`    t${i} = EmptyOperator(task_id="t${i}")`);
    for (let i = 0; i < n - 1; i++) lines.push(`    t${i} >> t${i + 1}`);
    lines.push(`    t${n - 1} >> t0`);
    const found = await findings(lines.join('\n'));
    const cycles = found.filter((f) => f.ruleId === 'HGR007');
    assert.equal(cycles.length, 1, JSON.stringify(found.filter((f) => f.severity === 'hint').map((f) => f.message)));
    assert.match(cycles[0]!.message, /^Dependency cycle: t0 >> t1 >> .* \(4,991 more\) >> .* >> t4999 >> t0\.$/);
  });
});

describe('target versions', () => {
  it('f-strings that reuse their quote are a syntax error before Python 3.12 only', async () => {
    const source = `${HEADER}\nNAMES = {"a": 1}\nLABEL = f"{NAMES["a"]}"\nPATH = f"{'/'.join(['a', 'b'])}"\nTRIPLE = f"""{NAMES["a"]}"""\n`;
    const on311 = (await findings(source)).filter((f) => f.ruleId === 'HGR001');
    assert.equal(on311.length, 1);
    assert.match(on311[0]!.message, /Python 3\.11: this f-string's replacement field reuses its quote "/);
    assert.deepEqual((await ids(source, { targetPython: '3.12' })).filter((id) => id === 'HGR001'), []);
    assert.equal((await findings(`${HEADER}\nLINES = f"{'\\n'.join(['a'])}"\n`)).filter((f) => f.ruleId === 'HGR001').length, 1, 'a backslash in the field');
  });

  it('reads target-airflow and target-python, and explains a malformed one', () => {
    const parsed = parseConfig('[tool.hangar]\ntarget-airflow = "3.4"\ntarget-python = "3.12"\n', 'pyproject.toml');
    assert.equal(parsed.targetAirflow, '3.4');
    assert.equal(parsed.targetPython, '3.12');
    assert.equal(parseConfig('target-airflow = 2\n', 'hangar.toml').targetAirflow, '2');
    assert.throws(() => parseConfig('target-python = 3.10\n', 'hangar.toml'), (error: unknown) => error instanceof ConfigError && /"target-python" must be a quoted version such as target-python = "3.11" \(got 3.1\)/.test(error.message));
    assert.throws(() => parseConfig('target-airflow = "4"\n', 'hangar.toml'), /"target-airflow" must be a quoted version/);
  });
});
