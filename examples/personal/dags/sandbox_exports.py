"""Personal sandbox: export last week's signups to a partner SFTP server.

Flagged on purpose: the database password is hard-coded below instead of coming from an
Airflow connection or a secrets backend, so it would end up in Git and in the DAG's rendered code.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task
from airflow.providers.standard.operators.bash import BashOperator

DB_HOST = "analytics-db.internal"
DB_USER = "exporter"
DB_PASSWORD = "S3cr3t-Exp0rt!"


@dag(
    dag_id="sandbox_signup_export",
    schedule="0 8 * * MON",
    start_date=datetime(2025, 6, 2),
    catchup=False,
    default_args={"owner": "sam", "retries": 1, "retry_delay": timedelta(minutes=30)},
    tags=["sandbox", "export"],
)
def sandbox_signup_export():
    @task
    def export_signups(data_interval_start=None, data_interval_end=None) -> str:
        import csv

        import psycopg2

        path = f"/tmp/signups_{data_interval_start:%Y%m%d}.csv"
        connection = psycopg2.connect(host=DB_HOST, user=DB_USER, password=DB_PASSWORD, dbname="analytics")
        with connection, connection.cursor() as cursor, open(path, "w", newline="") as out:
            cursor.execute(
                "SELECT user_id, signed_up_at, country FROM signups WHERE signed_up_at >= %s AND signed_up_at < %s",
                (data_interval_start, data_interval_end),
            )
            writer = csv.writer(out)
            writer.writerow(["user_id", "signed_up_at", "country"])
            writer.writerows(cursor.fetchall())
        return path

    upload = BashOperator(
        task_id="upload_to_partner",
        bash_command="sftp -b - partner-sftp <<< 'put {{ ti.xcom_pull(task_ids=\"export_signups\") }} incoming/'",
    )

    export_signups() >> upload


sandbox_signup_export()
