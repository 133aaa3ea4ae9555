"""Data-quality gate for a warehouse table: fresh, complete and within the expected volume.

Three checks run against the `warehouse` connection after each load window: the newest row is less than
`max_age_hours` old, no row lacks its key, and today's row count is within 50 % of the average of the last
seven days. Any failed check fails the run, so downstream DAGs waiting on it do not start on bad data.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.common.sql.operators.sql import SQLCheckOperator, SQLIntervalCheckOperator
from airflow.sdk import dag

TABLE = "analytics.orders"
KEY = "order_id"
MAX_AGE_HOURS = 6


@dag(
    dag_id="table_quality_checks",
    schedule="0 */6 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args={"owner": "data-platform", "retries": 0, "conn_id": "warehouse"},
    tags=["quality", "sql", "template"],
)
def table_quality_checks():
    fresh = SQLCheckOperator(
        task_id="newest_row_is_fresh",
        sql=f"SELECT MAX(updated_at) >= CURRENT_TIMESTAMP - INTERVAL '{MAX_AGE_HOURS} hours' FROM {TABLE}",
    )
    complete = SQLCheckOperator(
        task_id="no_missing_keys",
        sql=f"SELECT COUNT(*) = 0 FROM {TABLE} WHERE {KEY} IS NULL",
    )
    volume = SQLIntervalCheckOperator(
        task_id="volume_within_range",
        table=TABLE,
        date_filter_column="loaded_on",
        days_back=7,
        metrics_thresholds={"COUNT(*)": 1.5},
    )

    [fresh, complete] >> volume


table_quality_checks()
