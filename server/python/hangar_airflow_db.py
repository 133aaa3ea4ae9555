"""Creates Airflow's metadata database (`airflow db migrate`) for DAG tests. With HANGAR_SANDBOX set, the
migration runs under the audit hook of hangar_sandbox: the environment holds a catalog entry's providers,
which Airflow may load while it migrates. Usage: python hangar_airflow_db.py"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hangar_sandbox  # noqa: E402
from airflow.__main__ import main  # noqa: E402
from airflow.models import import_all_models  # noqa: E402

import_all_models()  # Airflow's own modules (some load native code) before the hook
hangar_sandbox.install()
sys.argv = ["airflow", "db", "migrate"]
main()
