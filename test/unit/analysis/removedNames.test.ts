import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '../../../server/src/analysis/findings';
import { applyFix, findings, inDag } from './helpers';

const config = (targetAirflow?: string) => ({ select: [], ignore: [], severity: {}, ...(targetAirflow ? { targetAirflow } : {}) });

/** HGR108 findings of a file made of `imports` and a small DAG, as `line:message`. */
async function removed(imports: string, targetAirflow?: string): Promise<Finding[]> {
  return (await findings(`${imports}\n${inDag('EmptyOperator(task_id="a")')}`, config(targetAirflow))).filter((f) => f.ruleId === 'HGR108');
}

describe('removed Airflow 2 names (generated tables)', () => {
  // every example of issue 20, each on the statement (and the name) Airflow's ImportError names
  const cases: [string, RegExp, number?][] = [
    ['from airflow.models.dataset import Dataset', /airflow\.models\.dataset was removed in Airflow 3; import airflow\.sdk\.Asset/, 5],
    ['from airflow.operators import bash_operator', /bash_operator no longer exists in airflow\.operators in Airflow 3; import from airflow\.providers\.standard\.operators\.bash/, 30],
    ['from airflow.operators import dummy', /dummy no longer exists in airflow\.operators/],
    ['from airflow.operators import dummy_operator', /dummy_operator no longer exists/],
    ['from airflow.operators.hive_operator import HiveOperator', /import airflow\.providers\.apache\.hive\.operators\.hive\.HiveOperator instead/],
    ['from airflow.hooks.http_hook import HttpHook', /import airflow\.providers\.http\.hooks\.http\.HttpHook instead/],
    ['from airflow.utils.weekday import WeekDay', /airflow\.utils\.weekday was removed in Airflow 3/],
    ['from airflow.kubernetes.secret import Secret', /airflow\.kubernetes\.secret \(its package airflow\.kubernetes\) was removed/],
    ['import airflow.kubernetes.pod_generator', /airflow\.kubernetes/],
    ['from airflow.www.app import create_app', /its package airflow\.www/],
    ['from airflow.jobs import BaseJob', /airflow\.jobs has no BaseJob in Airflow 3/],
    ['from airflow.models import SlaMiss', /SlaMiss no longer exists in airflow\.models/],
    ['from airflow.models.taskinstance import Context', /Context no longer exists in airflow\.models\.taskinstance in Airflow 3; import airflow\.sdk\.Context instead/],
    ['from airflow.models.dag import DagStateChangeCallback', /DagStateChangeCallback no longer exists in airflow\.models\.dag/],
    ['from airflow.settings import STATE_COLORS', /STATE_COLORS no longer exists in airflow\.settings/],
    ['from airflow.utils.dag_cycle_tester import test_cycle', /test_cycle no longer exists/],
    ['from airflow.operators import SomePluginOperator', /airflow\.operators has no SomePluginOperator in Airflow 3 \(Airflow 1 plugins/],
    ['from airflow.operators.my_plugin import MyOperator', /No module named airflow\.operators\.my_plugin in Airflow 3; Airflow 1 plugins/],
    ['from airflow.providers.postgres.operators.postgres import PostgresOperator', /removed from apache-airflow-providers-postgres \(not in \d+\.\d+\.\d+\); import airflow\.providers\.common\.sql\.operators\.sql\.SQLExecuteQueryOperator/],
    ['from airflow.providers.snowflake.operators.snowflake import SnowflakeOperator', /SnowflakeOperator no longer exists in airflow\.providers\.snowflake\.operators\.snowflake in apache-airflow-providers-snowflake \d/],
    ['from airflow.providers.slack.notifications.slack_notifier import SlackNotifier', /slack_notifier was removed from apache-airflow-providers-slack.*import airflow\.providers\.slack\.notifications\.slack\.SlackNotifier/],
  ];
  for (const [statement, message, column] of cases) {
    it(statement, async () => {
      const found = await removed(statement);
      assert.equal(found.length, 1, JSON.stringify(found.map((f) => f.message)));
      assert.equal(found[0]!.range.start.line, 0);
      assert.match(found[0]!.message, message);
      if (column !== undefined) assert.equal(found[0]!.range.start.character, column);
    });
  }

  it('fixes what has one new home, keeping the local name', async () => {
    const source = `from airflow.models.taskinstance import Context as Ctx\n${inDag('EmptyOperator(task_id="a")')}`;
    const [finding] = (await findings(source)).filter((f) => f.ruleId === 'HGR108');
    assert.ok(finding?.fix);
    assert.match(applyFix(source, finding), /^from airflow\.sdk import Context as Ctx$/m);
  });

  it('reads of a removed attribute of an imported Airflow module, at parse time only', async () => {
    const source = `from airflow import settings\nimport airflow.utils.dag_cycle_tester\nCOLORS = settings.STATE_COLORS\nHOME = settings.DAGS_FOLDER\nNOTE = "settings.STATE_COLORS"\n${inDag('EmptyOperator(task_id="a")')}\n@task\ndef later():\n    return settings.STATE_COLORS\n`;
    const found = (await findings(source)).filter((f) => f.ruleId === 'HGR108');
    assert.deepEqual(found.map((f) => f.range.start.line), [2]);
    assert.match(found[0]!.message, /STATE_COLORS no longer exists in airflow\.settings in Airflow 3, so settings\.STATE_COLORS fails while Airflow parses the file/);
  });

  it('offers no fix when the new home is another class with other arguments', async () => {
    const source = `from airflow.providers.postgres.operators.postgres import PostgresOperator\n${inDag('PostgresOperator(task_id="a", postgres_conn_id="pg", sql="SELECT 1")')}`;
    const [finding] = (await findings(source)).filter((f) => f.ruleId === 'HGR108');
    assert.match(finding!.message, /import airflow\.providers\.common\.sql\.operators\.sql\.SQLExecuteQueryOperator instead/);
    assert.equal(finding!.fix, undefined);
  });

  it('names that still exist, deprecated shims and guarded imports are not removed imports', async () => {
    assert.deepEqual(await removed('from airflow.models import Variable, Connection\nfrom airflow.sdk import Asset\nfrom airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator'), []);
    assert.deepEqual(await removed('from airflow.operators.bash import BashOperator\nfrom airflow import settings'), []);
    // task_group was a submodule of airflow.decorators in 2.11 and is still a (deprecated) name there
    assert.deepEqual(await removed('from airflow.decorators import setup, task, task_group, teardown'), []);
    assert.deepEqual(await removed('try:\n    from airflow.models.taskinstance import Context\nexcept ImportError:\n    from airflow.sdk import Context'), []);
  });

  it('follows the target: off for Airflow 2, names removed in 3.4 only for a 3.4 target', async () => {
    assert.deepEqual(await removed('from airflow.models.dataset import Dataset', '2'), []);
    assert.deepEqual((await findings(`from airflow.operators.dummy import DummyOperator\n${inDag('DummyOperator(task_id="a")')}`, config('2'))).filter((f) => f.ruleId.startsWith('HGR1')), []);
    assert.deepEqual(await removed('from airflow import Dataset'), [], 'a deprecated alias in 3.3');
    const on34 = await removed('from airflow import Dataset', '3.4');
    assert.equal(on34.length, 1);
    assert.match(on34[0]!.message, /Dataset no longer exists in airflow in Airflow 3\.4/);
  });
});
