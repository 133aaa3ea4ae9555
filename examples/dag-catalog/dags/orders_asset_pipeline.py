"""Event-driven pipeline with Airflow assets: the report runs when new orders land, not on a clock.

`orders_asset_export` writes the day's orders and marks the `orders_export` asset as updated;
`orders_asset_report` is scheduled on that asset, so it starts as soon as the export finished (and only
then), whatever time that is. Point `EXPORT_URI` at your storage; the two DAGs can live in different
repositories as long as they name the same asset.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from airflow.sdk import Asset, dag, task

EXPORT_URI = "file:///data/exports/orders.json"
ORDERS_EXPORT = Asset(name="orders_export", uri=EXPORT_URI)


@dag(
    dag_id="orders_asset_export",
    schedule="@hourly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["assets", "template"],
)
def orders_asset_export():
    @task(outlets=[ORDERS_EXPORT])
    def export_orders(ts: str | None = None) -> int:
        orders = [{"order_id": 1, "amount_cents": 1250, "exported_at": ts}]
        path = Path(EXPORT_URI.removeprefix("file://"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(orders))
        return len(orders)

    export_orders()


@dag(
    dag_id="orders_asset_report",
    schedule=[ORDERS_EXPORT],
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["assets", "reporting", "template"],
)
def orders_asset_report():
    @task
    def summarise() -> dict:
        orders = json.loads(Path(EXPORT_URI.removeprefix("file://")).read_text())
        return {"orders": len(orders), "revenue_cents": sum(order["amount_cents"] for order in orders)}

    summarise()


orders_asset_export()
orders_asset_report()
