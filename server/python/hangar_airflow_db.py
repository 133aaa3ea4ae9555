"""Creates Airflow's metadata database (`airflow db migrate`) for DAG tests, under the audit hook of
hangar_sandbox when HANGAR_SANDBOX is set: the environment holds a catalog entry's providers, whose code
Airflow loads while it migrates. Usage: python hangar_airflow_db.py"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hangar_sandbox  # noqa: E402

hangar_sandbox.install()
sys.argv = ["airflow", "db", "migrate"]

from airflow.__main__ import main  # noqa: E402

main()
