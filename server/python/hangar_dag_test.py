"""DAG test: run one DAG in-process with dag.test() (Airflow's own local runner), with the stubs of
hangar_stubs. Task output streams as it happens; result lines are prefixed with "@@hangar ", and each task's
output is framed by task_start / task_end records so the caller can show a failed task's own log.
A test fails fast: every task's retries are replaced by HANGAR_TEST_RETRIES (default 0), retried at once.
Usage: python hangar_dag_test.py FILE DAG_ID [RUN_CONF_JSON]"""

import functools
import json
import os
import sys
from datetime import timedelta

os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import hangar_sandbox  # noqa: E402
import hangar_stubs  # noqa: E402


emit = hangar_sandbox.emit


try:
    from airflow.dag_processing.dagbag import DagBag
except ImportError as error:
    emit({"type": "fatal", "error": f"Airflow cannot be imported in {sys.executable}: {error}"})
    sys.exit(3)

hangar_stubs.install()
hangar_sandbox.install()
file, dag_id = os.path.abspath(sys.argv[1]), sys.argv[2]
run_conf = json.loads(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
bag = DagBag(dag_folder=file, safe_mode=False)
dag = bag.dags.get(dag_id)
if dag is None:
    problem = next(iter(bag.import_errors.values()), None)
    emit({"type": "fatal", "error": problem or f"{file} defines no DAG {dag_id!r} (it defines: {', '.join(sorted(bag.dags)) or 'none'})"})
    sys.exit(2)


def fail_fast(dag, retries):
    """The DAG's own retries (often many, minutes apart) would keep a test waiting: run each task `retries` more times, at once."""
    for task in dag.tasks:
        task.retries = retries
        task.retry_delay = timedelta(0)
        task.retry_exponential_backoff = False


def frame_task_output(dag):
    """dag.test() runs each task through its module's _run_task: announce where each task's output starts and ends."""
    module = sys.modules[type(dag).test.__module__]
    run_task = getattr(module, "_run_task", None)
    if run_task is None:
        return

    @functools.wraps(run_task)
    def framed(*args, **kwargs):
        ti = kwargs.get("ti", args[0] if args else None)
        task_id = getattr(ti, "task_id", None)
        emit({"type": "task_start", "task_id": task_id})
        try:
            return run_task(*args, **kwargs)
        finally:
            emit({"type": "task_end", "task_id": task_id})

    module._run_task = framed


fail_fast(dag, int(os.environ.get("HANGAR_TEST_RETRIES") or "0"))
frame_task_output(dag)
try:
    run = dag.test(run_conf=run_conf)
except Exception as exc:
    emit({"type": "fatal", "error": f"{type(exc).__name__}: {exc}"})
    sys.exit(1)

states = {}
for ti in run.get_task_instances():
    states[ti.task_id] = str(ti.state.value if hasattr(ti.state, "value") else ti.state)
    emit({"type": "task", "task_id": ti.task_id, "state": states[ti.task_id]})
state = str(run.state.value if hasattr(run.state, "value") else run.state)
emit({"type": "result", "state": state})
sys.exit(0 if state == "success" else 1)
