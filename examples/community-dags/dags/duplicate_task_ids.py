"""Marketing attribution: join ad spend from three networks with conversions.

Broken on purpose: two tasks share the task_id "load_spend", which Airflow rejects
with DuplicateTaskIdFound when it parses the file.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from airflow.providers.standard.operators.bash import BashOperator
from airflow.providers.standard.operators.empty import EmptyOperator

with DAG(
    dag_id="marketing_attribution",
    schedule="15 6 * * *",
    start_date=datetime(2025, 4, 1),
    catchup=False,
    default_args={"owner": "growth", "retries": 1, "retry_delay": timedelta(minutes=5)},
    tags=["marketing", "attribution"],
) as dag:
    start = EmptyOperator(task_id="start")

    fetch_google = BashOperator(
        task_id="fetch_google_ads",
        bash_command="python -m adspend.fetch --network google --date {{ ds }}",
    )
    fetch_meta = BashOperator(
        task_id="fetch_meta_ads",
        bash_command="python -m adspend.fetch --network meta --date {{ ds }}",
    )
    fetch_linkedin = BashOperator(
        task_id="fetch_linkedin_ads",
        bash_command="python -m adspend.fetch --network linkedin --date {{ ds }}",
    )

    load_paid_search = BashOperator(
        task_id="load_spend",
        bash_command="python -m adspend.load --source google --date {{ ds }}",
    )
    load_social = BashOperator(
        task_id="load_spend",
        bash_command="python -m adspend.load --source meta,linkedin --date {{ ds }}",
    )

    attribute = BashOperator(
        task_id="attribute_conversions",
        bash_command="dbt run --select attribution --vars '{run_date: {{ ds }}}'",
    )

    start >> [fetch_google, fetch_meta, fetch_linkedin]
    fetch_google >> load_paid_search
    [fetch_meta, fetch_linkedin] >> load_social
    [load_paid_search, load_social] >> attribute
