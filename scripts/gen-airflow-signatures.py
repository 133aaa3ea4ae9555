"""Writes server/src/analysis/rules/importErrors/airflowSignatures.json from the installed Apache Airflow 3 targets:
the keyword arguments of DAG and BaseOperator, and the signatures of Airflow's own operators and sensors.
airflowSignatures.ts types the data; esbuild bundles the JSON into the CLI and the language server.

Each target is the test harness's venv of one Airflow release line (test/support/python/requirements-airflow*.txt:
3.3.2 in .cache/airflow-venv, 3.4.0b2 in .cache/airflow-3.4-venv; the harness creates them). The script reads each
with that venv's Python and merges them: an argument valid in either release is valid (the file notes the release of
an argument only one has), an argument is required only where both require it.

    python3 scripts/gen-airflow-signatures.py            # reads every target venv that exists, merges, writes
    AIRFLOW_HOME=$(mktemp -d) .cache/airflow-venv/bin/python scripts/gen-airflow-signatures.py --read   # one venv, JSON on stdout
"""
import importlib
import inspect
import json
import os
import pkgutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: release line -> the harness venv that holds it
TARGET_VENVS = {"3.3": ROOT / ".cache/airflow-venv", "3.4": ROOT / ".cache/airflow-3.4-venv"}

PACKAGES = ["airflow.providers.standard.operators", "airflow.providers.standard.sensors", "airflow.providers.smtp.operators"]


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


def accepted(cls, base):
    names, open_ended = [], True
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        own, _, var_kw = params(klass.__init__)
        names += [n for n in own if n not in names]
        if not var_kw or klass is base:  # BaseOperator rejects unknown keyword arguments itself
            open_ended = False
            break
    return names, open_ended


OUT = ROOT / "server/src/analysis/rules/importErrors/airflowSignatures.json"


def read():
    """The signatures of the Airflow this Python has."""
    import airflow
    from airflow.sdk import DAG, BaseOperator

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
                names, open_ended = accepted(cls, BaseOperator)
                _, required, _ = params(cls.__init__)
                operators[f"{module.__name__}.{name}"] = {
                    "params": sorted(set(names) - {"task_id"}),
                    "required": sorted(set(required) - {"task_id", "kwargs"}),
                    "closed": not open_ended,
                }

    dag_names, _, _ = params(DAG.__init__)
    base_names, _, _ = params(BaseOperator.__init__)
    return {
        "airflowVersion": airflow.__version__,
        "dagParameters": sorted(dag_names),
        "baseOperatorParameters": sorted(base_names),
        "operators": operators,
    }


def merge(reads):
    """One table for every target: arguments of either release, required where every release requires them."""
    versions = [r["airflowVersion"] for r in reads]

    def union(lists):
        return sorted(set().union(*lists))

    def only_in(name_lists):
        notes = {}
        for name in union(name_lists):
            having = [v for v, names in zip(versions, name_lists) if name in names]
            if len(having) < len(versions):
                notes[name] = having[0] if len(having) == 1 else having
        return notes

    operators = {}
    for qualified in union([r["operators"].keys() for r in reads]):
        present = [(v, r["operators"][qualified]) for v, r in zip(versions, reads) if qualified in r["operators"]]
        entry = {
            "params": union([op["params"] for _, op in present]),
            "required": sorted(set.intersection(*(set(op["required"]) for _, op in present))),
            "closed": all(op["closed"] for _, op in present),
        }
        notes = only_in([op["params"] for _, op in present]) if len(present) > 1 else {}
        if len(present) < len(reads):
            entry["onlyIn"] = [v for v, _ in present]
        if notes:
            entry["paramsOnlyIn"] = notes
        operators[qualified] = entry
    data = {
        "generatedBy": "scripts/gen-airflow-signatures.py; do not edit",
        "airflowVersions": versions,
        "dagParameters": union([r["dagParameters"] for r in reads]),
        "baseOperatorParameters": union([r["baseOperatorParameters"] for r in reads]),
        "operators": operators,
    }
    dag_notes = only_in([r["dagParameters"] for r in reads])
    base_notes = only_in([r["baseOperatorParameters"] for r in reads])
    if dag_notes:
        data["dagParametersOnlyIn"] = dag_notes
    if base_notes:
        data["baseOperatorParametersOnlyIn"] = base_notes
    return data


def main():
    if "--read" in sys.argv:
        print(json.dumps(read()))
        return
    reads = []
    for line, venv in TARGET_VENVS.items():
        python = venv / "bin/python"
        if not python.exists():
            sys.exit(f"{python} is missing: run the accuracy tests once (they create the Airflow {line} venv), then re-run")
        with tempfile.TemporaryDirectory() as home:
            out = subprocess.run([str(python), __file__, "--read"], env={**os.environ, "AIRFLOW_HOME": home}, capture_output=True, text=True, check=True)
        reads.append(json.loads(out.stdout.splitlines()[-1]))  # Airflow may log to stdout first
    data = merge(reads)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    OUT.write_text(text)
    print(f"wrote {OUT} ({len(data['operators'])} operators from Airflow {', '.join(data['airflowVersions'])})")


if __name__ == "__main__":
    main()
