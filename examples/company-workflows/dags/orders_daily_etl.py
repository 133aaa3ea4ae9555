"""Daily ETL of the orders service: extract yesterday's orders, clean them, load the warehouse.

Owned by the data platform team. Runs after the nightly export of the orders database lands in S3.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator

DEFAULT_ARGS = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
}

VALID_STATUSES = {"placed", "paid", "shipped", "delivered", "refunded"}


@dag(
    dag_id="orders_daily_etl",
    schedule="30 2 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args=DEFAULT_ARGS,
    tags=["orders", "etl", "warehouse"],
    doc_md=__doc__,
)
def orders_daily_etl():
    wait_for_export = BashOperator(
        task_id="wait_for_export",
        bash_command="aws s3 ls s3://acme-exports/orders/{{ ds }}/_SUCCESS",
        retries=12,
        retry_delay=timedelta(minutes=10),
    )

    @task
    def extract(ds: str | None = None) -> list[dict[str, str]]:
        """Read the exported CSV for the run date."""
        from airflow.providers.amazon.aws.hooks.s3 import S3Hook

        body = S3Hook(aws_conn_id="aws_exports").read_key(
            key=f"orders/{ds}/orders.csv", bucket_name="acme-exports"
        )
        return list(csv.DictReader(io.StringIO(body)))

    @task
    def clean(rows: list[dict[str, str]]) -> list[dict[str, object]]:
        """Drop test orders and unknown statuses, normalise amounts to cents."""
        cleaned = []
        for row in rows:
            if row["customer_email"].endswith("@example.com"):
                continue
            if row["status"] not in VALID_STATUSES:
                continue
            cleaned.append(
                {
                    "order_id": int(row["order_id"]),
                    "customer_id": int(row["customer_id"]),
                    "status": row["status"],
                    "amount_cents": round(float(row["amount"]) * 100),
                    "ordered_at": row["ordered_at"],
                }
            )
        return cleaned

    @task
    def load(rows: list[dict[str, object]], ds: str | None = None) -> int:
        """Replace the run date's partition in the warehouse."""
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        hook = PostgresHook(postgres_conn_id="warehouse")
        hook.run("DELETE FROM staging.orders WHERE ordered_at::date = %s", parameters=(ds,))
        hook.insert_rows(
            table="staging.orders",
            rows=[tuple(r.values()) for r in rows],
            target_fields=["order_id", "customer_id", "status", "amount_cents", "ordered_at"],
        )
        return len(rows)

    refresh_marts = BashOperator(
        task_id="refresh_marts",
        bash_command="dbt run --select marts.orders+ --vars '{run_date: {{ ds }}}'",
    )

    loaded = load(clean(extract()))
    wait_for_export >> loaded >> refresh_marts


orders_daily_etl()
