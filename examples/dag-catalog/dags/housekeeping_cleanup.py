"""Delete old files from scratch and log folders, with a dry run by default.

Removes regular files older than `max_age_days` under each folder of `folders` (never the folders
themselves, never following symbolic links out of them) and reports how many files and bytes it freed.
With `dry_run` on (the default) it only lists what it would delete: trigger it once with the run's
parameters, read the log, then turn `dry_run` off.
"""

from __future__ import annotations

import time
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import Param, dag, task


@dag(
    dag_id="housekeeping_cleanup",
    schedule="0 4 * * 0",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    default_args={"owner": "platform", "retries": 0},
    params={
        "folders": Param(["/data/scratch", "/data/logs/exports"], type="array", description="Folders to clean"),
        "max_age_days": Param(30, type="integer", minimum=1, description="Files older than this are deleted"),
        "dry_run": Param(True, type="boolean", description="Only list what would be deleted"),
    },
    tags=["maintenance", "template"],
)
def housekeeping_cleanup():
    @task
    def clean(params: dict | None = None) -> dict:
        cutoff = time.time() - params["max_age_days"] * 24 * 60 * 60
        files = 0
        freed = 0
        for folder in params["folders"]:
            root = Path(folder).resolve()
            for path in root.rglob("*"):
                if path.is_symlink() or not path.is_file() or path.stat().st_mtime >= cutoff:
                    continue
                files += 1
                freed += path.stat().st_size
                print(f"{'would delete' if params['dry_run'] else 'deleting'} {path}")
                if not params["dry_run"]:
                    path.unlink()
        return {"files": files, "bytes": freed, "dry_run": params["dry_run"]}

    clean()


housekeeping_cleanup()
