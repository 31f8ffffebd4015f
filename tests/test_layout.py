"""
The layout keeps itself honest: each private module's ``__all__`` says what others use.

Read from the source with ``ast`` (nothing is imported for it): every module
of the package declares ``__all__``; every name another module imports from a
private module is in that module's ``__all__``; every name in a private
module's ``__all__`` is used somewhere else (the package, its tests, examples
or benchmarks); and every module has its place in the import-linter layers
contract, and every private module is in the CLI's forbidden list.
"""

from __future__ import annotations

import ast
import tomllib
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "signalwire_orders"
USERS = [ROOT / "tests", ROOT / "examples", ROOT / "benchmarks"]
CONTRACTS: list[dict[str, Any]] = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"][
    "importlinter"
]["contracts"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _is_private(module: str) -> bool:
    return any(part.startswith("_") and not part.startswith("__") for part in module.split("."))


def _declared_all(path: Path) -> list[str] | None:
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(target, ast.Name) and target.id == "__all__" for target in node.targets
        ):
            return list(ast.literal_eval(node.value))
    return None


def _imported_from(path: Path, module: str) -> dict[str, set[str]]:
    """The names ``path`` (module ``module``, or a user outside the package) imports, by module."""
    found: dict[str, set[str]] = defaultdict(set)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    tree = ast.parse(path.read_text())
    aliases: dict[str, str] = {}  # local name -> module, for `module.name` uses
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname or a.name: a.name for a in node.names if a.name in MODULES})
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - node.level + 1]
            source = ".".join([*base, node.module] if node.module else base)
        else:
            source = node.module or ""
        for alias in node.names:
            if f"{source}.{alias.name}" in MODULES:  # `from . import _resources`: a module
                aliases[alias.asname or alias.name] = f"{source}.{alias.name}"
                continue
            found[source].add(alias.name)
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
        ):
            found[aliases[node.value.id]].add(node.attr)
    return found


def _uses() -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    inside: dict[str, set[str]] = defaultdict(set)
    outside: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for source, names in _imported_from(path, module).items():
            if source != module:
                inside[source] |= names
    for folder in USERS:
        for path in folder.rglob("*.py"):
            for source, names in _imported_from(path, "").items():
                outside[source] |= names
    return inside, outside


INSIDE, OUTSIDE = _uses()
PRIVATE = [module for module in MODULES if _is_private(module)]


class TestAll:
    @pytest.mark.parametrize("module", list(MODULES))
    def test_every_module_declares_all(self, module: str) -> None:
        """Each module says what it offers (STYLE: each declares ``__all__``)."""
        assert _declared_all(MODULES[module]) is not None, module

    @pytest.mark.parametrize("module", PRIVATE)
    def test_what_the_package_imports_from_a_private_module_is_in_its_all(
        self, module: str
    ) -> None:
        """No module reaches past another's ``__all__``."""
        declared = set(_declared_all(MODULES[module]) or [])

        missing = INSIDE.get(module, set()) - declared

        assert set() == missing, module

    @pytest.mark.parametrize("module", PRIVATE)
    def test_every_name_in_a_private_all_is_used_elsewhere(self, module: str) -> None:
        """``__all__`` lists no leftovers: each name is imported by the package or its tests."""
        declared = set(_declared_all(MODULES[module]) or [])

        unused = declared - INSIDE.get(module, set()) - OUTSIDE.get(module, set())

        assert set() == unused, module


def _contract(kind: str, name_part: str) -> dict[str, Any]:
    return next(c for c in CONTRACTS if c["type"] == kind and name_part in c["name"])


def _layered() -> set[str]:
    layers = _contract("layers", "package's layers")["layers"]
    return {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}


class TestContracts:
    def test_every_module_has_a_layer(self) -> None:
        """A new module must be placed in the layers contract, so its imports are checked."""
        top_level = {".".join(m.split(".")[:2]) for m in MODULES if m != "signalwire_orders"}

        assert set() == top_level - _layered()

    def test_the_cli_may_import_no_private_module(self) -> None:
        """The CLI's forbidden list names every private module of the library."""
        forbidden = set(_contract("forbidden", "CLI")["forbidden_modules"])
        library = {m for m in MODULES if m.count(".") == 1 and _is_private(m)}

        assert set() == library - forbidden - {"signalwire_orders._cli"}
