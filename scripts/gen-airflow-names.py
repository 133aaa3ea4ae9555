"""Writes server/src/analysis/rules/airflow3/airflowNames.json: which Airflow 2 modules and names (and names of
older provider releases) no longer exist in Airflow 3, where to import them from instead, and what Airflow 3
keeps only as deprecated aliases.

It installs into throw-away virtual environments under .cache/airflow-names/ (uv, no dependencies: the
packages are read, never imported):
  - "airflow2": Apache Airflow 2.11 and, for each provider below, the last release of the major line before
    the one Airflow 3 gets (the provider APIs an Airflow 2 project used, removed in later releases);
  - one per Airflow 3 target: that Airflow (core and task SDK) and the providers its resolver picks.
The Airflow 3 versions are the pins of the test harness (test/support/python/requirements-airflow*.txt):
changing a pin there and re-running this script is the one step to move to a new Airflow.

    python3 scripts/gen-airflow-names.py          # needs uv on PATH (or UV=/path/to/uv)
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from airflow_exports import Exports, Module, read_exports  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "server/src/analysis/rules/airflow3/airflowNames.json"
HINTS = ROOT / "scripts/airflow-name-hints.json"
WORK = ROOT / ".cache/airflow-names"
HARNESS = ROOT / "test/support/python"
AIRFLOW2 = "2.11.2"
#: target line -> requirements file of the test harness that pins it
TARGETS = {"3.3": HARNESS / "requirements-airflow.txt", "3.4": HARNESS / "requirements-airflow-3.4.txt"}
PROVIDERS = [
    "amazon", "apache-hive", "apache-spark", "celery", "cncf-kubernetes", "common-sql", "databricks", "dbt-cloud",
    "docker", "fab", "ftp", "google", "http", "microsoft-azure", "microsoft-mssql", "mongo", "mysql", "odbc",
    "oracle", "postgres", "redis", "sftp", "slack", "smtp", "snowflake", "sqlite", "ssh", "standard", "trino",
]
#: the old side unites the last release of each of this many major lines before the one Airflow 3 resolves to
OLD_PROVIDER_MAJORS = 3
SQL_BASES = {"SQLExecuteQueryOperator", "BaseSQLOperator"}
SQL_TARGET = "airflow.providers.common.sql.operators.sql.SQLExecuteQueryOperator"


def uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    if not found:
        sys.exit("uv is needed (pip install uv, or UV=/path/to/uv)")
    return found


def pinned_airflow(requirements: Path) -> str:
    match = re.search(r"^apache-airflow==(\S+)", requirements.read_text(), re.M)
    if not match:
        sys.exit(f"{requirements} pins no apache-airflow")
    return match.group(1)


def make_venv(name: str, requirements: list[str], *, prerelease: bool = False, each: bool = False) -> Path:
    """A new venv with these distributions unpacked (no dependencies). `each`: one by one, skipping a requirement
    no release satisfies (an older major line that never existed)."""
    folder = WORK / name
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([uv(), "venv", "--quiet", "--python", sys.executable, str(folder)], check=True)
    install = [uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(folder / "bin/python"), *(["--prerelease=allow"] if prerelease else [])]
    for batch in ([r] for r in requirements) if each else [requirements]:
        if subprocess.run([*install, *batch]).returncode != 0 and not each:
            sys.exit(f"could not install {batch}")
    return next((folder / "lib").glob("python3*/site-packages"))


def resolve(requirements: list[str], *, prerelease: bool) -> list[str]:
    """The apache-airflow* pins uv's resolver picks for these requirements (resolution only, nothing installed)."""
    extra = ["--prerelease=allow"] if prerelease else []
    result = subprocess.run(
        [uv(), "pip", "compile", "--quiet", "--no-header", "--no-annotate", "--python-version", "3.11", *extra, "-"],
        input="\n".join(requirements), text=True, capture_output=True, check=True,
    )
    return [line.strip() for line in result.stdout.splitlines() if line.startswith("apache-airflow")]


def installed_versions(site: Path) -> dict[str, str]:
    versions = {}
    for info in site.glob("apache_airflow*.dist-info"):
        name, version = info.name[: -len(".dist-info")].rsplit("-", 1)
        versions[name.replace("_", "-").lower()] = version
    return versions


def merge(a: Exports, b: Exports) -> Exports:
    """Everything either side exports (an API that existed in any of the releases read)."""
    modules = dict(a.modules)
    for name, mod in b.modules.items():
        if name in modules:
            mine = modules[name]
            modules[name] = Module(mine.names | mod.names, mine.stars + mod.stars, mine.open or mod.open,
                                   {**mod.deprecated, **mine.deprecated}, mine.wildcard or mod.wildcard, {**mod.bases, **mine.bases})
        else:
            modules[name] = mod
    return Exports(modules, a.provider_roots | b.provider_roots)


def provider_of(module: str, exports: Exports) -> str | None:
    return next((root for root in exports.provider_roots if module == root or module.startswith(root + ".")), None)


def covered(module: str, old: Exports, new: Exports) -> bool:
    """Both sides list this module's distribution: Airflow core, or a provider installed on both sides."""
    if not module.startswith("airflow.providers."):
        return True
    root = provider_of(module, old) or provider_of(module, new)
    return root is not None and root in old.provider_roots and root in new.provider_roots


def public(name: str) -> bool:
    return not any(part.startswith("_") for part in name.split(".")) and name != "annotations"


class Hints:
    def __init__(self, old: Exports, new: Exports, manual: dict[str, str]):
        self.old, self.new, self.manual = old, new, manual
        #: old qualified names whose hint is another class to use instead, not the same one moved (no automatic fix)
        self.advice_only: set[str] = set()

    def exists(self, qualified: str) -> bool:
        module, _, name = qualified.rpartition(".")
        return qualified in self.new.modules or (module in self.new.modules and self.new.has(module, name))

    def follow(self, qualified: str, seen: int = 0) -> str | None:
        """Where `qualified` lives in the new Airflow, following its deprecation tables to the final home."""
        module, _, name = qualified.rpartition(".")
        target = self.new.modules.get(module)
        forwarded = target.deprecated.get(name) if target else None
        if forwarded and seen < 5:
            return self.follow(forwarded, seen + 1) or forwarded
        if not self.exists(qualified):
            return None
        # the public home of a task SDK name: airflow.sdk.bases.operator.BaseOperator -> airflow.sdk.BaseOperator
        if module.startswith("airflow.sdk.") and name in self.new.modules.get("airflow.sdk", Module()).names:
            return f"airflow.sdk.{name}"
        return qualified

    def of(self, module: str, name: str) -> str | None:
        qualified = f"{module}.{name}"
        if qualified in self.manual:
            return self.manual[qualified]
        old_module = self.old.modules.get(module)
        if old_module and name in old_module.deprecated:
            return self.follow(old_module.deprecated[name])
        if old_module and set(old_module.bases.get(name, [])) & SQL_BASES:
            self.advice_only.add(qualified)
            return SQL_TARGET
        return None

    def of_module(self, module: str) -> str | None:
        if module in self.manual:
            return self.manual[module]
        targets = Counter(t.rpartition(".")[0] for n in self.old.names(module) if public(n) and (t := self.of(module, n)))
        return targets.most_common(1)[0][0] if targets else None


def diff(old: Exports, new: Exports, manual: dict[str, str]) -> tuple[dict, dict]:
    hints = Hints(old, new, manual)
    removed_modules: dict[str, dict] = {}
    removed_names: dict[str, dict] = {}
    for module in sorted(old.modules):
        if not public(module) or not covered(module, old, new):
            continue
        if module not in new.modules:
            entry: dict = {}
            hint = hints.of_module(module)
            if hint:
                entry["to"] = hint
            names = {n: t for n in sorted(old.names(module)) if public(n) and (t := hints.of(module, n))}
            if names:
                entry["names"] = names
            advice = sorted(n for n in names if f"{module}.{n}" in hints.advice_only)
            if advice:
                entry["adviceOnly"] = advice
            package_gone = any(module.startswith(p + ".") for p in removed_modules)
            if entry or not package_gone:  # a package's entry covers the modules under it that have no advice of their own
                removed_modules[module] = entry
            continue
        if new.modules[module].open:
            continue
        gone = {}
        for n in sorted(old.names(module) - new.names(module)):
            if public(n):
                to = hints.of(module, n)
                gone[n] = [to, "advice"] if f"{module}.{n}" in hints.advice_only else [to] if to else []
        if gone:
            removed_names[module] = gone
    return removed_modules, removed_names


def deprecated_aliases(new: Exports) -> dict[str, dict[str, str]]:
    hints = Hints(new, new, {})
    out: dict[str, dict[str, str]] = {}
    for module, mod in sorted(new.modules.items()):
        names = {n: hints.follow(t) or t for n, t in sorted(mod.deprecated.items()) if public(n)}
        if names and public(module):
            out[module] = names
    return out


def merge_since(tables: dict[str, tuple[dict, dict]]) -> tuple[dict, dict]:
    """Removed modules/names per target line -> one table whose entries say from which line on they are gone."""
    modules: dict[str, dict] = {}
    names: dict[str, dict] = {}
    for line, (removed_modules, removed_names) in tables.items():
        since = "3.0" if line == "3.3" else line
        for module, entry in removed_modules.items():
            modules.setdefault(module, {"since": since, **entry})
        for module, gone in removed_names.items():
            for name, hint in gone.items():
                names.setdefault(module, {}).setdefault(name, [since, *hint])
    return modules, names


def main() -> None:
    manual = json.loads(HINTS.read_text())
    WORK.mkdir(parents=True, exist_ok=True)
    targets: dict[str, tuple[str, Exports, dict[str, str]]] = {}
    for line, requirements in TARGETS.items():
        version = pinned_airflow(requirements)
        prerelease = not re.fullmatch(r"[\d.]+", version)
        pins = resolve([f"apache-airflow=={version}", *(f"apache-airflow-providers-{p}" for p in PROVIDERS)], prerelease=prerelease)
        site = make_venv(f"airflow-{line}", pins, prerelease=prerelease)
        targets[line] = (version, read_exports(site), installed_versions(site))
        print(f"read Airflow {version}: {len(targets[line][1].modules)} modules", file=sys.stderr)
    newest = targets["3.3"][2]
    old_site = make_venv("airflow2", [f"apache-airflow=={AIRFLOW2}"])
    old = read_exports(old_site)
    old_packages = installed_versions(old_site)
    for back in range(OLD_PROVIDER_MAJORS):
        pins = []
        for provider in PROVIDERS:
            major = int(newest.get(f"apache-airflow-providers-{provider}", "1").split(".")[0]) - back
            if major > 0:
                pins.append(f"apache-airflow-providers-{provider}<{major}")
        site = make_venv(f"airflow2-providers-{back + 1}", pins, each=True)
        old = merge(old, read_exports(site))
        for package, version in installed_versions(site).items():
            old_packages[package] = ", ".join(sorted({*old_packages.get(package, "").split(", "), version} - {""}))
    print(f"read Airflow {AIRFLOW2} and older providers: {len(old.modules)} modules", file=sys.stderr)

    tables = {}
    previous = old
    for line, (_, exports, _) in targets.items():
        tables[line] = diff(previous, exports, manual)
        previous = merge(old, exports)
    removed_modules, removed_names = merge_since(tables)
    primary = targets["3.3"][1]
    every_target = merge(primary, targets["3.4"][1])
    core = {m for m in every_target.modules if public(m) and not m.startswith("airflow.providers.")}
    data = {
        "generatedBy": "scripts/gen-airflow-names.py; do not edit",
        "airflow2": {"version": AIRFLOW2, "packages": old_packages},
        "targets": {line: {"version": v, "packages": pkgs} for line, (v, _, pkgs) in targets.items()},
        "providerRoots": sorted(old.provider_roots & primary.provider_roots),
        "removedModules": removed_modules,
        "removedNames": removed_names,
        "deprecated": deprecated_aliases(primary),
        # every Airflow 3 core module and, unless it resolves names this cannot see, the names it has (any target)
        "coreModules": {m: None if every_target.modules[m].open else sorted(n for n in every_target.names(m) if public(n)) for m in sorted(core)},
    }
    OUT.write_text(json.dumps(data, indent=1, sort_keys=True) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({len(removed_modules)} removed modules, {sum(map(len, removed_names.values()))} removed names)")


if __name__ == "__main__":
    main()
