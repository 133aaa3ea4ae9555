"""Hourly sync of inventory levels from the warehouse management system.

Work in progress: the loop over the warehouses below is missing its colon,
so Airflow cannot import this file (and Hangar flags it while you type).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task


@dag(
    dag_id="inventory_hourly_sync",
    schedule="@hourly",
    start_date=datetime(2025, 3, 1),
    catchup=False,
    default_args={"owner": "supply-chain", "retries": 3, "retry_delay": timedelta(minutes=2)},
    tags=["inventory", "sync"],
)
def inventory_hourly_sync():
    @task
    def extract_levels(warehouse: str) -> list[dict[str, int]]:
        from airflow.providers.http.hooks.http import HttpHook

        response = HttpHook(method="GET", http_conn_id="wms_api").run(f"/v2/warehouses/{warehouse}/levels")
        return response.json()["levels"]

    @task
    def upsert_levels(levels: list[dict[str, int]]) -> None:
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        PostgresHook(postgres_conn_id="warehouse").insert_rows(
            table="inventory.levels",
            rows=[(level["sku"], level["on_hand"]) for level in levels],
            target_fields=["sku", "on_hand"],
            replace=True,
            replace_index="sku",
        )

    for warehouse in ("ams", "fra", "dub")
        levels = extract_levels.override(task_id=f"extract_{warehouse}")(warehouse)
        upsert_levels.override(task_id=f"upsert_{warehouse}")(levels)


inventory_hourly_sync()
