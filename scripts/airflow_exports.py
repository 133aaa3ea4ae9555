"""What an installed Airflow exports, read from its source files without importing them (so provider packages
need none of their dependencies): every module (files, packages, and the virtual modules Airflow's
`add_deprecated_classes` creates), the names each binds at module level, and the deprecation tables.

Used by gen-airflow-names.py; `python3 scripts/airflow_exports.py SITE_PACKAGES` prints a summary.
"""
from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Module:
    names: set[str] = field(default_factory=set)
    stars: list[str] = field(default_factory=list)
    #: a module-level __getattr__ resolves names this listing cannot see
    open: bool = False
    #: name -> fully qualified target, for names Airflow keeps only as deprecated aliases
    deprecated: dict[str, str] = field(default_factory=dict)
    #: a virtual module forwarding every attribute to another module (`{"*": target}`)
    wildcard: str | None = None
    #: class name -> the names of its bases
    bases: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Exports:
    modules: dict[str, Module]
    #: modules of provider packages, by the package's root module ("airflow.providers.apache.hive")
    provider_roots: set[str]

    def names(self, module: str) -> set[str]:
        return resolved_names(self, module, set())

    def has(self, module: str, name: str) -> bool:
        return name in self.names(module) or f"{module}.{name}" in self.modules


def resolved_names(exports: Exports, module: str, seen: set[str]) -> set[str]:
    mod = exports.modules.get(module)
    if mod is None or module in seen:
        return set()
    seen.add(module)
    names = set(mod.names)
    for star in mod.stars:
        names |= {n for n in resolved_names(exports, star, seen) if not n.startswith("_")}
    if mod.wildcard:
        names |= resolved_names(exports, mod.wildcard, seen)
    prefix = module + "."
    names |= {m[len(prefix):] for m in exports.modules if m.startswith(prefix) and "." not in m[len(prefix):]}
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return "TYPE_CHECKING" in ast.unparse(test)


def _bind_target(target: ast.expr, names: set[str]) -> None:
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _bind_target(element, names)
    elif isinstance(target, ast.Starred):
        _bind_target(target.value, names)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
    return ".".join(base + ([node.module] if node.module else []))


def _str_dict(node: ast.expr | None) -> dict[str, object] | None:
    """A dict literal with string keys (values kept as nodes), or None."""
    if not isinstance(node, ast.Dict):
        return None
    out: dict[str, object] = {}
    for key, value in zip(node.keys, node.values):
        if isinstance(key, ast.Constant) and isinstance(key.value, str):
            out[key.value] = value
        elif isinstance(key, ast.Name) and key.id == "__name__":
            out["__name__"] = value
        else:
            return None
    return out


def _globals_key(node: ast.stmt) -> str | None:
    """The name bound by `globals()["NAME"] = ...`, or None when it is not a constant."""
    if not isinstance(node, ast.Assign) or len(node.targets) != 1 or not isinstance(node.targets[0], ast.Subscript):
        return None
    key = node.targets[0].slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _getattr_names(function: ast.FunctionDef | ast.AsyncFunctionDef, dicts: dict[str, ast.expr]) -> set[str]:
    """The names a module-level `__getattr__` serves: strings it compares its argument with, keys of the
    module-level dicts it looks them up in. Empty when it serves names this cannot see."""
    names: set[str] = set()
    for node in ast.walk(function):
        if isinstance(node, ast.Compare):
            for operand in [node.left, *node.comparators]:
                elements = operand.elts if isinstance(operand, (ast.Tuple, ast.List, ast.Set)) else [operand]
                names |= {e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str) and e.value.isidentifier()}
        if isinstance(node, ast.Name) and node.id in dicts:
            entries = _str_dict(dicts[node.id])
            if entries and all(k.isidentifier() for k in entries):
                names |= set(entries)
    return names


def read_module(source: str, module: str, is_package: bool) -> tuple[Module, list[tuple[str, dict[str, str] | str]]]:
    """The module's bindings, and the virtual modules its deprecation tables create (name, table or wildcard)."""
    mod = Module()
    tree = ast.parse(source)
    dicts: dict[str, ast.expr] = {}
    tables: list[ast.expr] = []
    getattrs: list[ast.FunctionDef | ast.AsyncFunctionDef] = []

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                mod.names.add(node.name)
                if node.name == "__getattr__":
                    getattrs.append(node)
            elif isinstance(node, ast.ClassDef):
                mod.names.add(node.name)
                mod.bases[node.name] = [ast.unparse(b).split(".")[-1] for b in node.bases]
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    _bind_target(target, mod.names)
                    if isinstance(target, ast.Name):
                        dicts[target.id] = node.value
            elif isinstance(node, ast.AnnAssign) and node.value is not None:
                _bind_target(node.target, mod.names)
                if isinstance(node.target, ast.Name):
                    dicts[node.target.id] = node.value
            elif isinstance(node, ast.AugAssign):
                _bind_target(node.target, mod.names)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    mod.names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, ast.ImportFrom):
                source_module = _absolute(module, is_package, node)
                for alias in node.names:
                    if alias.name == "*":
                        mod.stars.append(source_module)
                    else:
                        mod.names.add(alias.asname or alias.name)
            elif isinstance(node, ast.If):
                if not _is_type_checking(node.test):
                    visit(node.body)
                visit(node.orelse)
            elif isinstance(node, (ast.Try, getattr(ast, "TryStar", ast.Try))):
                visit(node.body)
                for handler in node.handlers:
                    visit(handler.body)
                visit(node.orelse)
                visit(node.finalbody)
            elif isinstance(node, (ast.With, ast.For, ast.While)):
                if isinstance(node, ast.For):
                    _bind_target(node.target, mod.names)
                visit(node.body)
                visit(getattr(node, "orelse", []))
            elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                call = node.value
                if ast.unparse(call.func).split(".")[-1] == "add_deprecated_classes" and call.args:
                    tables.append(call.args[0])
            if isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)) and "globals()" in ast.unparse(node):
                key = _globals_key(node)
                if key:
                    mod.names.add(key)
                elif not isinstance(node, ast.Assign) or not isinstance(node.targets[0], ast.Subscript):
                    mod.open = True  # names bound at run time (a `globals().update(...)`); one computed key binds one name

    visit(tree.body)
    virtual: list[tuple[str, dict[str, str] | str]] = []
    for table in tables:
        entries = _str_dict(dicts.get(table.id) if isinstance(table, ast.Name) else table)
        for key, value in (entries or {}).items():
            inner = _str_dict(value)  # type: ignore[arg-type]
            if inner is None:
                continue
            targets = {n: v.value for n, v in inner.items() if isinstance(v, ast.Constant) and isinstance(v.value, str)}  # type: ignore[union-attr]
            name = module if key == "__name__" else f"{module}.{key}"
            virtual.append((name, targets["*"] if set(targets) == {"*"} else targets))
    for function in getattrs:
        served = _getattr_names(function, dicts)
        mod.names |= served
        mod.open = mod.open or not served
    if "__all__" in dicts and isinstance(dicts["__all__"], (ast.List, ast.Tuple)):
        mod.names |= {e.value for e in dicts["__all__"].elts if isinstance(e, ast.Constant) and isinstance(e.value, str)}  # type: ignore[attr-defined]
    return mod, virtual


SKIP_PARTS = {"tests", "migrations", "__pycache__", "node_modules", "static", "ui", "www_static"}


def read_exports(site_packages: Path) -> Exports:
    root = site_packages / "airflow"
    modules: dict[str, Module] = {}
    provider_roots: set[str] = set()
    pending: list[tuple[str, dict[str, str] | str]] = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(site_packages).with_suffix("")
        if SKIP_PARTS & set(relative.parts):
            continue
        is_package = relative.name == "__init__"
        name = ".".join(relative.parts[:-1] if is_package else relative.parts)
        if path.name == "get_provider_info.py":
            provider_roots.add(".".join(relative.parts[:-1]))
        try:
            mod, virtual = read_module(path.read_text(encoding="utf-8"), name, is_package)
        except (SyntaxError, UnicodeDecodeError, ValueError) as error:
            print(f"skipped {path}: {error}", file=sys.stderr)
            continue
        previous = modules.get(name)
        if previous:  # a namespace package seen first through a child
            mod.names |= previous.names
        modules[name] = mod
        pending += virtual
        parts = name.split(".")
        for depth in range(1, len(parts)):
            modules.setdefault(".".join(parts[:depth]), Module())
    for name, table in pending:
        mod = modules.setdefault(name, Module())
        if isinstance(table, str):
            mod.wildcard = table
        else:
            mod.deprecated.update(table)
            mod.names |= set(table)
    return Exports(modules, provider_roots)


if __name__ == "__main__":
    exports = read_exports(Path(sys.argv[1]))
    print(f"{len(exports.modules)} modules, {len(exports.provider_roots)} provider packages")
    for module in sys.argv[2:]:
        print(module, sorted(exports.names(module)))
