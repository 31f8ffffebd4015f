"""
The pytest plugin needs only pytest and pytest-asyncio beside the library.

A user's test environment has the library (and so its runtime dependencies),
pytest and pytest-asyncio. A child Python is given exactly that: no
site-packages (``-S``), only a folder of links to the packages of the
distributions that ``signalwire-orders``, ``pytest`` and ``pytest-asyncio``
require (without extras, transitively, read from their installed metadata),
and the library's own source. Everything else this suite's environment has
(aioresponses, hypothesis, the CLI's packages, OpenTelemetry, the build
tools...) is simply absent there, as it is for the user, and plugin
autoloading is off: an import of any of them by the plugin, the fake server
or the client fails the run.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest
from packaging.requirements import Requirement

#: What a user installs: the library, pytest and pytest-asyncio.
INSTALLED = ("signalwire-orders", "pytest", "pytest-asyncio")
PACKAGE = Path(__file__).resolve().parents[2] / "signalwire_orders"


def _closure(names: tuple[str, ...]) -> set[str]:
    """The distributions ``names`` need, themselves included, without extras."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        dist = metadata.distribution(name)
        key = dist.metadata["Name"].lower().replace("_", "-")
        if key in seen:
            continue
        seen.add(key)
        for line in dist.requires or []:
            requirement = Requirement(line)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                todo.append(requirement.name)
    return seen


def minimal_site(folder: Path) -> Path:
    """A folder holding links to what the user's environment has, and nothing else."""
    folder.mkdir()
    # The source itself, however the library is installed here (editable or not).
    (folder / "signalwire_orders").symlink_to(PACKAGE, target_is_directory=True)
    for name in _closure(INSTALLED) - {"signalwire-orders"}:
        dist = metadata.distribution(name)
        tops = {PurePosixPath(str(file)).parts[0] for file in dist.files or []}
        for top in tops - {"..", "__pycache__"}:
            link = folder / top
            if top.startswith("__editable__") or top.endswith(".pth") or link.exists():
                continue  # an install hook, or a name already linked
            link.symlink_to(Path(str(dist.locate_file(top))))
    return folder


#: Runs pytest, then reports any module loaded from outside the standard library
#: and the minimal site: an import that the environment should not have allowed.
RUNNER = """
import sys, sysconfig
from pathlib import Path
import pytest

code = pytest.main(["-p", "pytest_asyncio.plugin", "-p", "no:cacheprovider", "-q", "-W", "error"])
roots = (Path({site!r}), Path(sysconfig.get_paths()["stdlib"]), Path.cwd())
leaked = sorted(
    name
    for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
    and not any(Path(module.__file__).is_relative_to(root) for root in roots)
)
print("leaked:", leaked)
sys.exit(code)
"""

CONFTEST = """
pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]
"""

TESTS = """
import pytest

from signalwire_orders import Client

pytestmark = pytest.mark.asyncio  # strict mode needs it; auto mode accepts it


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
asyncio_mode = {mode}
asyncio_default_fixture_loop_scope = function
"""


def run_user_tests(folder: Path, *, mode: str, conftest: str = CONFTEST) -> tuple[int, str]:
    """Run the user's tests in a child Python with the minimal site; exit code and output."""
    site = minimal_site(folder / "site")
    user = folder / "user"
    user.mkdir()
    files = {"conftest.py": conftest, "test_user.py": TESTS, "pytest.ini": INI.format(mode=mode)}
    for name, text in files.items():
        (user / name).write_text(textwrap.dedent(text), encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-S", "-c", RUNNER.format(site=str(site))],
        cwd=user,
        env={
            "PYTHONPATH": str(site),
            "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1",
            "PATH": "/usr/bin:/bin",
        },
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_minimal_environment_lacks_what_this_suite_installs(tmp_path: Path) -> None:
    """The site holds the user's packages, and none of the suite's own test or CLI packages."""
    suite_only = {"aioresponses", "hypothesis", "click", "rich", "dotenv", "opentelemetry"}
    expected = {"aiohttp", "attrs", "cattrs", "msgspec", "tenacity", "pytest", "pytest_asyncio"}

    names = {path.name.split(".")[0] for path in minimal_site(tmp_path / "site").iterdir()}

    assert (set(), expected) == (suite_only & names, expected & names)


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_the_plugin_runs_with_only_pytest_and_pytest_asyncio(tmp_path: Path, mode: str) -> None:
    """A user's two tests pass, in either asyncio mode, with nothing else installed."""
    code, output = run_user_tests(tmp_path, mode=mode)

    assert (0, True, True) == (code, "2 passed" in output, "leaked: []" in output), output


def test_a_module_outside_the_minimal_environment_fails_the_run(tmp_path: Path) -> None:
    """The check bites: a conftest importing a package the user lacks fails to load."""
    code, output = run_user_tests(tmp_path, mode="auto", conftest=CONFTEST + "import twine\n")

    assert (True, True) == (code != 0, "No module named 'twine'" in output), output
