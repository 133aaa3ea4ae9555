"""Writes server/src/analysis/rules/importErrors/airflowSignatures.json from an installed Apache Airflow 3:
the keyword arguments of DAG and BaseOperator, and the signatures of Airflow's own operators and sensors.
airflowSignatures.ts types the data; esbuild bundles the JSON into the CLI and the language server.

Run with the Airflow virtual environment's Python (the test harness keeps one in .cache/airflow-venv):
    AIRFLOW_HOME=$(mktemp -d) .cache/airflow-venv/bin/python scripts/gen-airflow-signatures.py
"""
import importlib
import inspect
import json
import pkgutil
import sys
from pathlib import Path

import airflow
from airflow.sdk import DAG, BaseOperator

PACKAGES = ["airflow.providers.standard.operators", "airflow.providers.standard.sensors", "airflow.providers.smtp.operators"]
OUT = Path(__file__).resolve().parent.parent / "server/src/analysis/rules/importErrors/airflowSignatures.json"


def params(fn):
    sig = inspect.signature(fn)
    names, required, var_kw = [], [], False
    for p in sig.parameters.values():
        if p.name == "self" or p.kind == p.VAR_POSITIONAL:
            continue
        if p.kind == p.VAR_KEYWORD:
            var_kw = True
            continue
        names.append(p.name)
        if p.default is p.empty:
            required.append(p.name)
    return names, required, var_kw


def accepted(cls):
    names, open_ended = [], True
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        own, _, var_kw = params(klass.__init__)
        names += [n for n in own if n not in names]
        if not var_kw or klass is BaseOperator:  # BaseOperator rejects unknown keyword arguments itself
            open_ended = False
            break
    return names, open_ended


operators = {}
for package in PACKAGES:
    try:
        pkg = importlib.import_module(package)
    except ImportError:
        continue
    for info in pkgutil.iter_modules(pkg.__path__):
        try:
            module = importlib.import_module(f"{package}.{info.name}")
        except Exception as error:  # a module whose optional dependency is missing
            print(f"skipped {package}.{info.name}: {error}", file=sys.stderr)
            continue
        for name, cls in vars(module).items():
            if not (inspect.isclass(cls) and issubclass(cls, BaseOperator) and cls.__module__ == module.__name__):
                continue
            if name.startswith("_") or inspect.isabstract(cls):
                continue
            names, open_ended = accepted(cls)
            _, required, _ = params(cls.__init__)
            operators[f"{module.__name__}.{name}"] = {
                "params": sorted(set(names) - {"task_id"}),
                "required": sorted(set(required) - {"task_id", "kwargs"}),
                "closed": not open_ended,
            }

dag_names, _, _ = params(DAG.__init__)
base_names, _, _ = params(BaseOperator.__init__)
data = {
    "generatedBy": "scripts/gen-airflow-signatures.py; do not edit",
    "airflowVersion": airflow.__version__,
    "dagParameters": sorted(dag_names),
    "baseOperatorParameters": sorted(base_names),
    "operators": operators,
}
text = json.dumps(data, indent=2, sort_keys=True) + "\n"
OUT.write_text(text)
print(f"wrote {OUT} ({len(operators)} operators)")
