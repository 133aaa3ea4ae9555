"""Product catalogue refresh shared by the community.

Broken on purpose: publish_catalog feeds back into enrich_products, so the task graph has a
cycle (enrich -> price -> publish -> enrich) and Airflow refuses the DAG.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task


@dag(
    dag_id="catalog_refresh",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    tags=["catalog", "community"],
)
def catalog_refresh():
    @task
    def fetch_products() -> list[dict]:
        from airflow.providers.http.hooks.http import HttpHook

        return HttpHook(method="GET", http_conn_id="pim_api").run("/v1/products").json()

    @task
    def enrich_products(products: list[dict]) -> list[dict]:
        for product in products:
            product["slug"] = product["name"].lower().replace(" ", "-")
        return products

    @task
    def apply_pricing(products: list[dict]) -> list[dict]:
        for product in products:
            product["price_eur"] = round(product["cost_eur"] * 1.35, 2)
        return products

    @task
    def publish_catalog(products: list[dict]) -> None:
        from airflow.providers.http.hooks.http import HttpHook

        HttpHook(method="PUT", http_conn_id="storefront_api").run("/v1/catalog", json=products)

    fetched = fetch_products()
    enriched = enrich_products(fetched)
    priced = apply_pricing(enriched)
    published = publish_catalog(priced)
    published >> enriched


catalog_refresh()
