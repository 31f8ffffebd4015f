"""
The command line is the ``cli`` extra: a default install has none of its packages.

Without click, rich and python-dotenv the ``signalwire-orders`` command says in
one line how to get them and exits 1; the library and its fake server import
without them.
"""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import requires

import pytest

from signalwire_orders.__main__ import MISSING_EXTRA

#: Runs a snippet with one of the CLI's packages made unimportable.
BLOCKED = "import sys; sys.modules[{module!r}] = None; {code}"
RUNTIME = {"aiohttp", "attrs", "cattrs", "tenacity", "msgspec", "yarl", "multidict"}


def _run(module: str, code: str) -> subprocess.CompletedProcess[str]:
    snippet = BLOCKED.format(module=module, code=code)
    return subprocess.run(  # noqa: S603  # our own interpreter and snippet
        [sys.executable, "-c", snippet], capture_output=True, text=True, check=False, timeout=60
    )


class TestWithoutTheExtra:
    @pytest.mark.parametrize("module", ["click", "rich", "dotenv"])
    def test_the_command_says_to_install_the_extra_and_exits_1(self, module: str) -> None:
        """One line on stderr naming signalwire-orders[cli], exit code 1, no traceback."""
        result = _run(module, "from signalwire_orders.__main__ import main; main(['--help'])")

        assert (1, "", MISSING_EXTRA) == (result.returncode, result.stdout, result.stderr.strip())
        assert "signalwire-orders[cli]" in MISSING_EXTRA

    @pytest.mark.parametrize("module", ["click", "rich", "dotenv"])
    def test_the_library_and_the_fake_import_without_it(self, module: str) -> None:
        """A service that embeds the library never needs the CLI's packages."""
        code = "import signalwire_orders, signalwire_orders.sync, signalwire_orders.testing"

        result = _run(module, code + ", signalwire_orders.webhooks")

        assert (0, "") == (result.returncode, result.stderr)


class TestMetadata:
    def test_a_default_install_requires_only_the_runtime_packages(self) -> None:
        """``pip install signalwire-orders`` brings the runtime packages and nothing else."""
        declared = requires("signalwire-orders") or []

        unconditional = {r.split(">")[0].split("=")[0].strip() for r in declared if ";" not in r}

        assert RUNTIME == unconditional

    def test_the_cli_packages_are_the_cli_extra(self) -> None:
        """click, rich and python-dotenv are required only with ``[cli]``."""
        declared = requires("signalwire-orders") or []

        cli = {r.split(">")[0].strip() for r in declared if 'extra == "cli"' in r}

        assert {"click", "rich", "python-dotenv"} == cli
