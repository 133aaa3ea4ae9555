"""Import DAG files with Airflow's own DagBag and print one JSON object per file.

Usage: python dagbag_check.py PATH [PATH ...]   (files or folders; folders are walked for *.py)

Each line: {"file", "dag_ids", "edges", "error", "exception", "summary", "line", "parse_ms"}; `edges` maps each
dag_id to its task dependencies as sorted "upstream>downstream" task ids. `exception`
is the exception's class name and `summary` the first line of "Name: message". `line` is the last line of the
traceback that points into the file itself (Airflow's own report), or null when Airflow gives none
(for example a cycle, which is found after the import). The caller sets AIRFLOW_HOME and
AIRFLOW__CORE__LOAD_EXAMPLES=False; the traceback depth is raised so the file's frame is kept.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
import time
import warnings

os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__DAGBAG_IMPORT_ERROR_TRACEBACK_DEPTH", "100")
os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "CRITICAL")

from airflow.dag_processing.dagbag import DagBag  # noqa: E402  (environment first)


def python_files(paths: list[str]) -> list[str]:
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                found.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".py"))
        else:
            found.append(path)
    return [os.path.abspath(p) for p in found]


def error_line(file: str, error: str) -> int | None:
    """The line Airflow's traceback reports inside `file` (the innermost frame, or a SyntaxError's line)."""
    pattern = re.compile(r'File "' + re.escape(file) + r'", line (\d+)')
    lines = [int(m) for m in pattern.findall(error)]
    if lines:
        return lines[-1]
    # A syntax error raised while compiling the file is reported as "(name.py, line N)".
    m = re.search(r"\(" + re.escape(os.path.basename(file)) + r", line (\d+)\)", error)
    return int(m.group(1)) if m else None


def exception_summary(error: str) -> str:
    """The "Name: message" line of an error text: after a traceback, the first line that is not indented."""
    lines = error.strip().splitlines()
    if lines and lines[0].startswith("Traceback"):
        lines = [line for line in lines[1:] if line and not line[0].isspace()]
    return lines[0] if lines else error.strip()


def check(file: str) -> dict:
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        bag = DagBag(dag_folder=file, safe_mode=False)
    parse_ms = (time.perf_counter() - started) * 1000
    errors = list(bag.import_errors.values())
    error = "\n".join(errors) if errors else None
    summary = exception_summary(error) if error else None
    return {
        "file": file,
        "dag_ids": sorted(bag.dag_ids),
        "edges": {
            dag_id: sorted(f"{task.task_id}>{downstream}" for task in dag.tasks for downstream in task.downstream_task_ids)
            for dag_id, dag in bag.dags.items()
        },
        "error": error,
        "exception": summary.split(":", 1)[0].rsplit(".", 1)[-1] if summary else None,
        "summary": summary,
        "line": error_line(file, error) if error else None,
        "parse_ms": round(parse_ms, 3),
    }


def main() -> int:
    logging.disable(logging.CRITICAL)
    files = python_files(sys.argv[1:])
    if not files:
        print("dagbag_check.py: no Python files given", file=sys.stderr)
        return 2
    for file in files:
        print(json.dumps(check(file)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
