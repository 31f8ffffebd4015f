"""
The pytest plugin needs only pytest and pytest-asyncio beside the library.

A user's test environment has the library (and so its runtime dependencies),
pytest and pytest-asyncio, and nothing this repository's own suite installs:
no aioresponses, hypothesis, jsonschema, yaml, trustme, OpenTelemetry, the CLI's
packages or pytest-cov. A child pytest runs a user's conftest and test with
every one of those made unimportable and plugin autoloading off, so an import
of any of them by the plugin, the fake server or the client fails the run.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

#: Importable in this suite's environment, absent from a user's minimal one.
ABSENT = (
    "aioresponses",
    "hypothesis",
    "jsonschema",
    "yaml",
    "trustme",
    "opentelemetry",
    "prometheus_client",
    "click",
    "rich",
    "dotenv",
    "pytest_cov",
    "coverage",
)

#: Runs pytest with the modules above unimportable (found on sys.meta_path first).
RUNNER = """
import importlib.abc, sys
import pytest

ABSENT = {absent!r}

class Absent(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ABSENT:
            raise ModuleNotFoundError(f"No module named {{name!r}} (absent here)", name=name)
        return None

sys.meta_path.insert(0, Absent())
code = pytest.main(["-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider", "-q", "-W", "error"])
leaked = sorted(m for m in sys.modules if m.split(".")[0] in ABSENT)
print("leaked:", leaked)
sys.exit(code or (3 if leaked else 0))
"""

CONFTEST = """
pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]
"""

TESTS = """
import pytest

from signalwire_orders import Client


@pytest.mark.signalwire_fake_server(seed=3, brands=2)
async def test_lists_the_fake_s_brands(signalwire_fake_server):
    async with Client(env=signalwire_fake_server.env) as client:
        names = [brand.name async for brand in client.brands.list()]

    assert [b["name"] for b in signalwire_fake_server.data.brands] == names


@pytest.mark.parametrize("signalwire_fake_server", [{"campaigns_per_brand": 1}], indirect=True)
async def test_gets_an_order(signalwire_fake_server):
    campaign_id = signalwire_fake_server.data.campaign_ids()[0]
    order_id = signalwire_fake_server.data.orders_of(campaign_id)[0]["id"]
    async with Client(env=signalwire_fake_server.env) as client:
        order = await client.orders.get(order_id)

    assert order_id == str(order.id)
"""

INI = """
[pytest]
asyncio_mode = auto
asyncio_default_fixture_loop_scope = function
"""


def test_the_plugin_runs_with_only_pytest_and_pytest_asyncio(tmp_path: Path) -> None:
    """A user's two tests pass with the suite's other test packages made unimportable."""
    for name, text in {"conftest.py": CONFTEST, "test_user.py": TESTS, "pytest.ini": INI}.items():
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    env = {"PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", "PATH": "/usr/bin:/bin"}

    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", RUNNER.format(absent=ABSENT)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )

    assert (0, "leaked: []") == (done.returncode, done.stdout.strip().splitlines()[-1]), (
        done.stdout + done.stderr
    )
    assert "2 passed" in done.stdout
