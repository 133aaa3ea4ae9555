/**
 * Where Airflow 2 names live in Airflow 3. `removed`: importing from the old module fails in Airflow 3.3
 * (ModuleNotFoundError / missing attribute); otherwise the old path still works with a DeprecationWarning.
 * Checked against Airflow 3.3's own `__deprecated_classes` tables and ruff's AIR301/AIR302/AIR311/AIR312.
 */
export interface ModuleMoves {
  readonly removed: boolean;
  /** old name -> new fully qualified name */
  readonly names: Readonly<Record<string, string>>;
}

const STD = 'airflow.providers.standard';
const sql = (name: string): string => `airflow.providers.common.sql.operators.sql.${name}`;
const each = (module: string, names: string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, `${module}.${n}`]));
const PYTHON_OPERATORS = ['PythonOperator', 'BranchPythonOperator', 'ShortCircuitOperator', 'PythonVirtualenvOperator', 'ExternalPythonOperator', 'BranchExternalPythonOperator', 'BranchPythonVirtualenvOperator'];

export const MOVES: Readonly<Record<string, ModuleMoves>> = {
  // removed in Airflow 3
  'airflow.operators.bash_operator': { removed: true, names: each(`${STD}.operators.bash`, ['BashOperator']) },
  'airflow.operators.dummy_operator': { removed: true, names: { DummyOperator: `${STD}.operators.empty.EmptyOperator`, EmptyOperator: `${STD}.operators.empty.EmptyOperator` } },
  'airflow.operators.dummy': { removed: true, names: { DummyOperator: `${STD}.operators.empty.EmptyOperator`, EmptyOperator: `${STD}.operators.empty.EmptyOperator` } },
  'airflow.operators.python_operator': { removed: true, names: each(`${STD}.operators.python`, PYTHON_OPERATORS) },
  'airflow.operators.email_operator': { removed: true, names: { EmailOperator: 'airflow.providers.smtp.operators.smtp.EmailOperator' } },
  'airflow.operators.dagrun_operator': { removed: true, names: each(`${STD}.operators.trigger_dagrun`, ['TriggerDagRunOperator', 'TriggerDagRunLink']) },
  'airflow.operators.latest_only_operator': { removed: true, names: each(`${STD}.operators.latest_only`, ['LatestOnlyOperator']) },
  'airflow.operators.http_operator': { removed: true, names: { SimpleHttpOperator: 'airflow.providers.http.operators.http.HttpOperator' } },
  'airflow.operators.sql': {
    removed: true,
    names: Object.fromEntries(['SQLExecuteQueryOperator', 'BranchSQLOperator', 'SQLCheckOperator', 'SQLValueCheckOperator', 'SQLIntervalCheckOperator', 'SQLThresholdCheckOperator', 'SQLColumnCheckOperator', 'SQLTableCheckOperator', 'BaseSQLOperator'].map((n) => [n, sql(n)])),
  },
  'airflow.sensors.external_task_sensor': { removed: true, names: each(`${STD}.sensors.external_task`, ['ExternalTaskSensor', 'ExternalTaskMarker']) },
  'airflow.sensors.time_delta_sensor': { removed: true, names: each(`${STD}.sensors.time_delta`, ['TimeDeltaSensor']) },
  'airflow.sensors.date_time_sensor': { removed: true, names: each(`${STD}.sensors.date_time`, ['DateTimeSensor']) },
  'airflow.sensors.base_sensor_operator': { removed: true, names: { BaseSensorOperator: 'airflow.sdk.BaseSensorOperator' } },
  'airflow.sensors.sql_sensor': { removed: true, names: { SqlSensor: 'airflow.providers.common.sql.sensors.sql.SqlSensor' } },
  'airflow.hooks.base_hook': { removed: true, names: { BaseHook: 'airflow.sdk.BaseHook' } },
  'airflow.datasets': {
    removed: true,
    names: { Dataset: 'airflow.sdk.Asset', DatasetAlias: 'airflow.sdk.AssetAlias', DatasetAll: 'airflow.sdk.AssetAll', DatasetAny: 'airflow.sdk.AssetAny' },
  },
  // deprecated: still importable in Airflow 3.3, with a warning
  'airflow.operators.bash': { removed: false, names: each(`${STD}.operators.bash`, ['BashOperator']) },
  'airflow.operators.empty': { removed: false, names: each(`${STD}.operators.empty`, ['EmptyOperator']) },
  'airflow.operators.python': { removed: false, names: { ...each(`${STD}.operators.python`, PYTHON_OPERATORS), get_current_context: 'airflow.sdk.get_current_context' } },
  'airflow.operators.datetime': { removed: false, names: each(`${STD}.operators.datetime`, ['BranchDateTimeOperator']) },
  'airflow.operators.weekday': { removed: false, names: each(`${STD}.operators.weekday`, ['BranchDayOfWeekOperator']) },
  'airflow.operators.trigger_dagrun': { removed: false, names: each(`${STD}.operators.trigger_dagrun`, ['TriggerDagRunOperator']) },
  'airflow.operators.latest_only': { removed: false, names: each(`${STD}.operators.latest_only`, ['LatestOnlyOperator']) },
  'airflow.operators.email': { removed: false, names: { EmailOperator: 'airflow.providers.smtp.operators.smtp.EmailOperator' } },
  'airflow.operators.generic_transfer': { removed: false, names: { GenericTransfer: 'airflow.providers.common.sql.operators.generic_transfer.GenericTransfer' } },
  'airflow.operators.branch': { removed: false, names: each('airflow.sdk.bases.branch', ['BaseBranchOperator', 'BranchMixIn']) },
  'airflow.sensors.base': { removed: false, names: { BaseSensorOperator: 'airflow.sdk.BaseSensorOperator', PokeReturnValue: 'airflow.sdk.PokeReturnValue', poke_mode_only: 'airflow.sdk.bases.sensor.poke_mode_only' } },
  'airflow.sensors.python': { removed: false, names: each(`${STD}.sensors.python`, ['PythonSensor']) },
  'airflow.sensors.bash': { removed: false, names: each(`${STD}.sensors.bash`, ['BashSensor']) },
  'airflow.sensors.date_time': { removed: false, names: each(`${STD}.sensors.date_time`, ['DateTimeSensor', 'DateTimeSensorAsync']) },
  'airflow.sensors.time_sensor': { removed: false, names: each(`${STD}.sensors.time`, ['TimeSensor', 'TimeSensorAsync']) },
  'airflow.sensors.weekday': { removed: false, names: each(`${STD}.sensors.weekday`, ['DayOfWeekSensor']) },
  'airflow.sensors.time_delta': { removed: false, names: each(`${STD}.sensors.time_delta`, ['TimeDeltaSensor', 'TimeDeltaSensorAsync']) },
  'airflow.sensors.filesystem': { removed: false, names: each(`${STD}.sensors.filesystem`, ['FileSensor']) },
  'airflow.sensors.external_task': { removed: false, names: each(`${STD}.sensors.external_task`, ['ExternalTaskSensor', 'ExternalTaskMarker', 'ExternalDagLink']) },
  'airflow.hooks.base': { removed: false, names: { BaseHook: 'airflow.sdk.BaseHook' } },
  'airflow.hooks.subprocess': { removed: false, names: each(`${STD}.hooks.subprocess`, ['SubprocessHook']) },
  'airflow.hooks.filesystem': { removed: false, names: each(`${STD}.hooks.filesystem`, ['FSHook']) },
  'airflow.models.dag': { removed: false, names: { DAG: 'airflow.sdk.DAG' } },
  'airflow.models': { removed: false, names: { DAG: 'airflow.sdk.DAG', BaseOperator: 'airflow.sdk.BaseOperator' } },
  'airflow.models.baseoperator': { removed: false, names: each('airflow.sdk', ['BaseOperator', 'chain', 'chain_linear', 'cross_downstream']) },
  'airflow.models.param': { removed: false, names: each('airflow.sdk', ['Param']) },
  'airflow.decorators': { removed: false, names: each('airflow.sdk', ['dag', 'task', 'task_group', 'setup', 'teardown']) },
  'airflow.utils.task_group': { removed: false, names: each('airflow.sdk', ['TaskGroup']) },
  'airflow.utils.trigger_rule': { removed: false, names: { TriggerRule: 'airflow.task.trigger_rule.TriggerRule' } },
};

/** Names removed from modules that still exist. */
export const REMOVED_NAMES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'airflow.utils.helpers': { chain: 'airflow.sdk.chain', cross_downstream: 'airflow.sdk.cross_downstream' },
};
