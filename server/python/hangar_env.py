"""Describe a Python environment for Hangar without importing any DAG: its version, Airflow's version and
every installed distribution, which top-level modules they provide, the standard library's module names, and
whether Airflow's LocalDagBundle can pin its symlink. Prints one JSON object."""

import json
import re
import sys
from importlib import metadata


def normalise(name):
    return re.sub(r"[-_.]+", "-", name).lower()


distributions = {}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if name:
        distributions[normalise(name)] = dist.version

modules = {}
try:
    for module, names in metadata.packages_distributions().items():
        modules[module] = [normalise(n) for n in names]
except AttributeError:  # Python < 3.10
    pass


def local_bundle_pins_symlink():
    """Whether the installed LocalDagBundle takes pin_symlink_on_refresh (resolve the bundle's link once per
    refresh); None without Airflow 3's LocalDagBundle. Read from its source: Airflow is never imported."""
    for name in ("apache-airflow-core", "apache-airflow"):
        try:
            files = metadata.distribution(name).files or ()
        except metadata.PackageNotFoundError:
            continue
        for file in files:
            if str(file).replace("\\", "/").endswith("airflow/dag_processing/bundles/local.py"):
                source = file.locate().read_text(encoding="utf-8", errors="replace")
                return re.search(r"\bpin_symlink_on_refresh\b", source) is not None
    return None


json.dump(
    {
        "modules": modules,
        "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
        "python": sys.executable,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "airflow": distributions.get("apache-airflow") or distributions.get("apache-airflow-core"),
        "distributions": distributions,
        "local_bundle_pins_symlink": local_bundle_pins_symlink(),
    },
    sys.stdout,
)
