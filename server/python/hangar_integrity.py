"""DAG integrity test: import each DAG file with Airflow's own DagBag (stubs from hangar_stubs) and print
one JSON line per file, prefixed with "@@hangar ": dag ids with their tasks, the import error and the line
it points to in the file, and the parse time. Usage: python hangar_integrity.py FILE [FILE ...]"""

import json
import os
import re
import sys
import time

os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH", "50")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "ERROR")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hangar_sandbox  # noqa: E402
import hangar_stubs  # noqa: E402

try:
    from airflow.configuration import conf
    from airflow.dag_processing.dagbag import DagBag
except ImportError as error:
    print("@@hangar " + json.dumps({"type": "fatal", "error": f"Airflow cannot be imported in {sys.executable}: {error}"}), flush=True)
    sys.exit(3)

hangar_stubs.install()
hangar_sandbox.install()


emit = hangar_sandbox.emit


def error_line(file, error):
    lines = [int(n) for n in re.findall(r'File "' + re.escape(file) + r'", line (\d+)', error)]
    if lines:
        return lines[-1]
    match = re.search(r"\(" + re.escape(os.path.basename(file)) + r", line (\d+)\)", error)
    return int(match.group(1)) if match else None


def summary(error):
    lines = error.strip().splitlines()
    if lines and lines[0].startswith("Traceback"):
        lines = [line for line in lines[1:] if line and not line[0].isspace()]
    return lines[0] if lines else error.strip()


emit({"type": "env", "airflow": __import__("airflow").__version__, "timeout_s": conf.getfloat("core", "dagbag_import_timeout")})
for file in map(os.path.abspath, sys.argv[1:]):
    started = time.perf_counter()
    try:
        bag = DagBag(dag_folder=file, safe_mode=False)
        errors = {os.path.abspath(k): v for k, v in bag.import_errors.items()}
        error = errors.get(file) or next(iter(errors.values()), None)
        dags = [{"dag_id": dag_id, "tasks": sorted(dag.task_ids)} for dag_id, dag in sorted(bag.dags.items())]
    except Exception as exc:  # DagBag itself failed: report it as this file's error
        error, dags = f"{type(exc).__name__}: {exc}", []
    emit(
        {
            "type": "file",
            "file": file,
            "dags": dags,
            "error": summary(error) if error else None,
            "trace": error,
            "line": error_line(file, error) if error else None,
            "parse_ms": round((time.perf_counter() - started) * 1000, 1),
        }
    )
