"""Customer feature pipeline for the churn model.

Builds daily behavioural features per customer, validates them, and publishes them to the
feature store. Shared with the community as a template for TaskFlow + task groups.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task, task_group

FEATURE_WINDOWS_DAYS = (7, 30, 90)
MAX_NULL_RATIO = 0.02


@dag(
    dag_id="customer_features_daily",
    schedule="0 4 * * *",
    start_date=datetime(2025, 2, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "ml-platform", "retries": 2, "retry_delay": timedelta(minutes=10)},
    tags=["ml", "features", "churn"],
)
def customer_features_daily():
    @task
    def snapshot_customers(ds: str | None = None) -> str:
        """Freeze the customer list for the run so every window sees the same population."""
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        table = f"features.customers_{ds.replace('-', '')}"
        PostgresHook(postgres_conn_id="warehouse").run(
            f"CREATE TABLE IF NOT EXISTS {table} AS SELECT customer_id FROM crm.customers WHERE active"
        )
        return table

    @task_group(group_id="windows")
    def compute_windows(customers: str):
        @task
        def window_features(customers: str, days: int) -> str:
            from airflow.providers.postgres.hooks.postgres import PostgresHook

            target = f"{customers}_w{days}"
            PostgresHook(postgres_conn_id="warehouse").run(
                f"""
                CREATE TABLE {target} AS
                SELECT c.customer_id,
                       count(o.order_id)          AS orders_{days}d,
                       coalesce(sum(o.amount_cents), 0) AS spend_{days}d,
                       max(o.ordered_at)          AS last_order_{days}d
                FROM {customers} c
                LEFT JOIN staging.orders o
                  ON o.customer_id = c.customer_id
                 AND o.ordered_at >= now() - interval '{days} days'
                GROUP BY c.customer_id
                """
            )
            return target

        return [window_features.override(task_id=f"window_{d}d")(customers, d) for d in FEATURE_WINDOWS_DAYS]

    @task
    def validate(tables: list[str]) -> list[str]:
        """Refuse to publish features with too many nulls: the model degrades silently otherwise."""
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        hook = PostgresHook(postgres_conn_id="warehouse")
        for table in tables:
            total, nulls = hook.get_first(f"SELECT count(*), count(*) FILTER (WHERE customer_id IS NULL) FROM {table}")
            if total == 0 or nulls / total > MAX_NULL_RATIO:
                raise ValueError(f"{table}: {nulls} of {total} rows have no customer_id")
        return tables

    @task
    def publish(tables: list[str]) -> None:
        """Register the new feature tables with the feature store."""
        from airflow.providers.http.hooks.http import HttpHook

        HttpHook(method="POST", http_conn_id="feature_store").run(
            "/v1/feature-views/customer_activity/materializations",
            json={"tables": tables},
        )

    publish(validate(compute_windows(snapshot_customers())))


customer_features_daily()
