"""Load the CSV files a partner drops into a landing folder, one day at a time.

Waits for `<landing_dir>/<ds>/*.csv` without holding a worker slot (the sensor reschedules itself), checks
each file's header against the expected columns, and moves it to `<archive_dir>/<ds>/`, or to
`<archive_dir>/rejected/<ds>/` when the header is wrong. A rejected file fails the run with its name and
the columns it had, so nobody loads half a delivery.
"""

from __future__ import annotations

import csv
import shutil
from datetime import datetime, timedelta
from pathlib import Path

from airflow.providers.standard.sensors.filesystem import FileSensor
from airflow.sdk import Param, dag, task

EXPECTED_COLUMNS = ["order_id", "customer_id", "amount_cents", "ordered_at"]


@dag(
    dag_id="file_drop_ingest",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"owner": "data-platform", "retries": 1, "retry_delay": timedelta(minutes=10)},
    params={
        "landing_dir": Param("/data/landing/partner", type="string", description="Folder the partner writes into"),
        "archive_dir": Param("/data/archive/partner", type="string", description="Where checked files are moved"),
    },
    tags=["ingest", "files", "template"],
)
def file_drop_ingest():
    wait_for_files = FileSensor(
        task_id="wait_for_files",
        filepath="{{ params.landing_dir }}/{{ ds }}/*.csv",
        fs_conn_id="fs_default",
        mode="reschedule",
        poke_interval=300,
        timeout=6 * 60 * 60,
    )

    @task
    def check_and_archive(params: dict | None = None, ds: str | None = None) -> dict:
        landing = Path(params["landing_dir"]) / ds
        accepted = Path(params["archive_dir"]) / ds
        rejected = Path(params["archive_dir"]) / "rejected" / ds
        problems = []
        moved = 0
        for path in sorted(landing.glob("*.csv")):
            with path.open(newline="") as handle:
                header = next(csv.reader(handle), [])
            target = accepted if header == EXPECTED_COLUMNS else rejected
            target.mkdir(parents=True, exist_ok=True)
            shutil.move(str(path), target / path.name)
            if target is rejected:
                problems.append(f"{path.name}: columns {header}, expected {EXPECTED_COLUMNS}")
            else:
                moved += 1
        if problems:
            raise ValueError("Rejected files:\n" + "\n".join(problems))
        return {"day": ds, "files": moved}

    wait_for_files >> check_and_archive()


file_drop_ingest()
