"""Describe a Python environment for Hangar without importing any DAG: its version, Airflow's version and
every installed distribution, which top-level modules they provide, and the standard library's module names. Prints one JSON object."""

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

json.dump(
    {
        "modules": modules,
        "stdlib": sorted(getattr(sys, "stdlib_module_names", ())),
        "python": sys.executable,
        "python_version": ".".join(map(str, sys.version_info[:3])),
        "airflow": distributions.get("apache-airflow") or distributions.get("apache-airflow-core"),
        "distributions": distributions,
    },
    sys.stdout,
)
