"""Extract every page of a JSON REST API into one JSON Lines file per day.

Follows `next` links until the last page, retries a failed request with exponential back-off (the task's
own retries), and writes to a temporary file that is renamed into place only when all pages arrived, so a
half-written extract is never picked up downstream. The API's base URL comes from the Airflow variable
`rest_api_base_url`, read when the task runs, never when the DAG file is parsed.
"""

from __future__ import annotations

import json
import os
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import Param, Variable, dag, task


@dag(
    dag_id="rest_api_extract",
    schedule="0 3 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args={
        "owner": "data-platform",
        "retries": 3,
        "retry_delay": timedelta(minutes=2),
        "retry_exponential_backoff": True,
    },
    params={
        "endpoint": Param("/v1/orders", type="string", description="Path of the collection to extract"),
        "output_dir": Param("/data/raw/api", type="string", description="Folder of the JSON Lines files"),
    },
    tags=["extract", "api", "template"],
)
def rest_api_extract():
    @task(execution_timeout=timedelta(minutes=30))
    def extract(params: dict | None = None, ds: str | None = None) -> dict:
        url = Variable.get("rest_api_base_url").rstrip("/") + params["endpoint"]
        output = Path(params["output_dir"]) / f"{ds}.jsonl"
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_suffix(".partial")
        records = 0
        pages = 0
        with partial.open("w") as handle:
            while url:
                with urllib.request.urlopen(url, timeout=60) as response:
                    page = json.load(response)
                for record in page.get("data", []):
                    handle.write(json.dumps(record) + "\n")
                    records += 1
                pages += 1
                url = page.get("next")
        os.replace(partial, output)
        return {"file": str(output), "records": records, "pages": pages}

    extract()


rest_api_extract()
