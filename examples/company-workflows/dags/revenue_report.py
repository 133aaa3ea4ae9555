"""Weekly revenue report for the finance team, sent every Monday morning."""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import DAG
from airflow.providers.common.sql.operators.sql import SQLExecuteQueryOperator
from airflow.providers.smtp.operators.smtp import EmailOperator
from airflow.providers.standard.operators.python import PythonOperator

REPORT_SQL = """
    SELECT date_trunc('day', ordered_at) AS day,
           sum(amount_cents) / 100.0      AS revenue,
           count(*)                       AS orders
    FROM staging.orders
    WHERE ordered_at >= '{{ data_interval_start | ds }}'
      AND ordered_at <  '{{ data_interval_end | ds }}'
      AND status <> 'refunded'
    GROUP BY 1
    ORDER BY 1
"""


def render_report(ti) -> str:
    """Turn the query result into a small HTML table."""
    rows = ti.xcom_pull(task_ids="query_revenue") or []
    lines = ["<table>", "<tr><th>Day</th><th>Revenue</th><th>Orders</th></tr>"]
    for day, revenue, orders in rows:
        lines.append(f"<tr><td>{day:%a %d %b}</td><td>{revenue:,.2f}</td><td>{orders}</td></tr>")
    lines.append("</table>")
    return "\n".join(lines)


with DAG(
    dag_id="weekly_revenue_report",
    schedule="0 7 * * MON",
    start_date=datetime(2025, 1, 6),
    catchup=False,
    default_args={"owner": "finance-analytics", "retries": 1, "retry_delay": timedelta(minutes=15)},
    tags=["finance", "reporting"],
) as dag:
    query_revenue = SQLExecuteQueryOperator(
        task_id="query_revenue",
        conn_id="warehouse",
        sql=REPORT_SQL,
    )

    render = PythonOperator(
        task_id="render_report",
        python_callable=render_report,
    )

    send = EmailOperator(
        task_id="send_report",
        to=["finance@acme.example"],
        subject="Weekly revenue {{ data_interval_start | ds }} to {{ data_interval_end | ds }}",
        html_content="{{ ti.xcom_pull(task_ids='render_report') }}",
    )

    query_revenue >> render >> send
