"""Nightly backup of the CRM database, written for Airflow 2 and not yet migrated.

Airflow 3 removed airflow.operators.bash_operator, airflow.utils.dates.days_ago and the
schedule_interval argument, so this file fails to import until it is ported.
"""

from datetime import timedelta

from airflow import DAG
from airflow.operators.bash_operator import BashOperator
from airflow.operators.python_operator import PythonOperator
from airflow.utils.dates import days_ago

default_args = {
    "owner": "crm-team",
    "depends_on_past": False,
    "email_on_failure": True,
    "email": ["crm-oncall@acme.example"],
    "retries": 1,
    "retry_delay": timedelta(minutes=10),
}


def check_backup_size(**context):
    """Fail when the dump is suspiciously small (an empty database or a failed dump)."""
    import os

    path = f"/backups/crm/{context['ds']}.sql.gz"
    size = os.path.getsize(path)
    if size < 10 * 1024 * 1024:
        raise ValueError(f"Backup {path} is only {size} bytes")


dag = DAG(
    "crm_nightly_backup",
    default_args=default_args,
    schedule_interval="0 1 * * *",
    start_date=days_ago(2),
    catchup=False,
    tags=["crm", "backup"],
)

dump = BashOperator(
    task_id="dump_database",
    bash_command="pg_dump --dbname=crm | gzip > /backups/crm/{{ ds }}.sql.gz",
    dag=dag,
)

verify = PythonOperator(
    task_id="verify_backup",
    python_callable=check_backup_size,
    provide_context=True,
    dag=dag,
)

upload = BashOperator(
    task_id="upload_backup",
    bash_command="aws s3 cp /backups/crm/{{ ds }}.sql.gz s3://acme-backups/crm/",
    dag=dag,
)

dump >> verify >> upload
