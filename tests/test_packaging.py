"""
The release artefacts: an sdist that builds the wheel, both complete and nothing stray.

The project is copied as a fresh clone would have it: the files git knows
(tracked, or new and not ignored) in a checkout, or, in an unpacked sdist,
the tree without caches and build output. Its sdist is built there, and the
wheel is built from the unpacked sdist, so a file the wheel needs but the
sdist leaves out fails here. Both are built offline (``--no-isolation``: the
running environment has the build backend) and checked with
``twine check --strict``. Nothing is written into the working tree.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import email.parser
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from email.message import Message
from pathlib import Path, PurePosixPath

import attrs
import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
VERSION: str = PYPROJECT["version"]
DIST = f"signalwire_orders-{VERSION}"
#: What a fresh clone does not have, where git cannot tell (an unpacked sdist).
NOT_IN_A_CLONE = (
    ".git",
    ".venv*",
    ".venvs",
    "*.egg-info",
    "build",
    "dist",
    "site",
    "__pycache__",
    "*.py[cod]",
    ".*_cache",
    ".hypothesis",
    ".coverage",
    "htmlcov",
    ".env",
    "results",
)
#: The folders the sdist carries whole: the package, and what its tests, examples,
#: benchmarks and docs need.
CARRIED = ("signalwire_orders", "tests", "examples", "benchmarks", "docs")
#: The sdist's top level: what it carries, and what setuptools writes.
SDIST_TOP = {
    *CARRIED,
    "signalwire_orders.egg-info",
    "CHANGELOG.md",
    "LICENSE",
    "MANIFEST.in",
    "PKG-INFO",
    "README.md",
    "mkdocs.yml",
    "pyproject.toml",
    "setup.cfg",
}
#: The wheel's metadata files; everything else in it is the package.
WHEEL_INFO = {
    "METADATA",
    "RECORD",
    "WHEEL",
    "entry_points.txt",
    "top_level.txt",
    "licenses/LICENSE",
}


@attrs.frozen
class Built:
    """The two artefacts, and the tree they came from."""

    clone: Path
    sdist: Path
    wheel: Path

    def sdist_names(self) -> list[str]:
        """Member paths of the sdist, without its ``signalwire_orders-X.Y.Z/`` prefix."""
        with tarfile.open(self.sdist) as tar:
            return [
                str(PurePosixPath(*PurePosixPath(m.name).parts[1:]))
                for m in tar.getmembers()
                if m.isfile()
            ]

    def wheel_names(self) -> list[str]:
        """Member paths of the wheel."""
        with zipfile.ZipFile(self.wheel) as wheel:
            return wheel.namelist()

    def metadata(self) -> Message:
        """The wheel's METADATA, parsed."""
        with zipfile.ZipFile(self.wheel) as wheel:
            text = wheel.read(f"{DIST}.dist-info/METADATA").decode()
        return email.parser.Parser().parsestr(text)


def _run(*args: str | Path, cwd: Path) -> str:
    done = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [str(a) for a in args], cwd=cwd, capture_output=True, text=True, check=False, timeout=300
    )
    assert 0 == done.returncode, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def _build(kind: str, source: Path, out: Path) -> Path:
    _run(sys.executable, "-m", "build", kind, "--no-isolation", "--outdir", out, source, cwd=source)
    (built,) = out.iterdir()
    return built


def _files_under(root: Path, folder: str) -> set[str]:
    return {p.relative_to(root).as_posix() for p in (root / folder).rglob("*") if p.is_file()}


def _copy_as_cloned(clone: Path) -> None:
    """Copy the project into ``clone`` as a fresh clone (or the unpacked sdist) has it."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        shutil.copytree(ROOT, clone, ignore=shutil.ignore_patterns(*NOT_IN_A_CLONE))
        return
    listed = _run("git", "ls-files", "--cached", "--others", "--exclude-standard", "-z", cwd=ROOT)
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # not a file deleted but not yet committed
            (clone / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, clone / name)


def _unpack(sdist: Path, into: Path) -> None:
    with tarfile.open(sdist) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.11.4 and later
            tar.extractall(into, filter="data")
        else:  # before 3.11.4; the sdist is the one this module just built
            tar.extractall(into)  # noqa: S202


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Build the sdist in a clean copy of the project, then the wheel from the sdist."""
    work = tmp_path_factory.mktemp("packaging")
    clone = work / "clone"
    _copy_as_cloned(clone)
    sdist = _build("--sdist", clone, work / "sdist")
    _unpack(sdist, work / "unpacked")
    wheel = _build("--wheel", work / "unpacked" / DIST, work / "wheel")
    return Built(clone=clone, sdist=sdist, wheel=wheel)


class TestSdist:
    def test_it_is_named_for_the_version(self, built: Built) -> None:
        """``signalwire_orders-<version>.tar.gz``, the version of pyproject.toml."""
        assert f"{DIST}.tar.gz" == built.sdist.name

    def test_its_top_level_holds_nothing_stray(self, built: Built) -> None:
        """No Makefile, CI scripts, dotfiles, virtual environments or build output."""
        actual = {PurePosixPath(name).parts[0] for name in built.sdist_names()}

        assert SDIST_TOP == actual

    @pytest.mark.parametrize("folder", CARRIED)
    def test_it_carries_every_file_of(self, built: Built, folder: str) -> None:
        """The package, tests (with their samples), examples, benchmarks and docs, whole."""
        names = set(built.sdist_names())

        assert _files_under(built.clone, folder) == {n for n in names if n.startswith(f"{folder}/")}

    def test_it_carries_no_compiled_files_or_caches(self, built: Built) -> None:
        """Nothing that a run leaves behind (``__pycache__``, ``.pyc``, benchmark results)."""
        stray = re.compile(r"(^|/)(__pycache__|results)/|\.py[cod]$")

        assert [] == [n for n in built.sdist_names() if stray.search(n)]

    def test_it_carries_the_licence_and_the_changelog(self, built: Built) -> None:
        """LICENSE and CHANGELOG.md, as in the repository."""
        with tarfile.open(built.sdist) as tar:
            for name in ("LICENSE", "CHANGELOG.md"):
                member = tar.extractfile(f"{DIST}/{name}")
                assert member is not None
                assert (ROOT / name).read_bytes() == member.read()


class TestWheel:
    def test_it_is_pure_python_for_the_version(self, built: Built) -> None:
        """``signalwire_orders-<version>-py3-none-any.whl``."""
        assert f"{DIST}-py3-none-any.whl" == built.wheel.name

    def test_it_holds_the_package_and_its_metadata_only(self, built: Built) -> None:
        """Every file of the package (``py.typed`` included) and the dist-info, nothing else."""
        package = _files_under(built.clone, "signalwire_orders")
        info = {f"{DIST}.dist-info/{name}" for name in WHEEL_INFO}

        assert package | info == set(built.wheel_names())
        assert "signalwire_orders/py.typed" in package

    def test_its_licence_is_the_repository_s(self, built: Built) -> None:
        """The MIT licence text, under ``.dist-info/licenses/``."""
        with zipfile.ZipFile(built.wheel) as wheel:
            actual = wheel.read(f"{DIST}.dist-info/licenses/LICENSE")

        assert (ROOT / "LICENSE").read_bytes() == actual
        assert actual.startswith(b"MIT License")

    def test_its_metadata_names_licence_urls_and_dependencies(self, built: Built) -> None:
        """What an index shows: licence, project URLs, runtime dependencies, extras, readme."""
        meta = built.metadata()

        assert ("signalwire-orders", VERSION) == (meta["Name"], meta["Version"])
        assert ("MIT", "LICENSE") == (meta["License-Expression"], meta["License-File"])
        assert {
            "Homepage",
            "Documentation",
            "Changelog",
            "Source",
            "Issues",
        } == {url.split(",")[0] for url in meta.get_all("Project-URL", [])}
        assert set(PYPROJECT["dependencies"]) == {
            dep for dep in meta.get_all("Requires-Dist", []) if "extra ==" not in dep
        }
        assert {"cli", "otel", "test", "docs", "dev"} == set(meta.get_all("Provides-Extra", []))
        assert "text/markdown" == meta["Description-Content-Type"]
        assert (ROOT / "README.md").read_text(encoding="utf-8").strip() == (
            str(meta.get_payload()).strip()
        )

    def test_it_installs_and_imports_on_its_own(self, built: Built, tmp_path: Path) -> None:
        """Unpacked alone on ``sys.path``, it imports and knows its own version."""
        target = tmp_path / "site"
        with zipfile.ZipFile(built.wheel) as wheel:
            wheel.extractall(target)  # noqa: S202 - the wheel this module just built
        code = "import signalwire_orders as s; print(s.__file__); print(s.__version__)"

        out = _run(
            sys.executable,
            "-I",
            "-c",
            f"import sys; sys.path.insert(0, {str(target)!r}); {code}",
            cwd=tmp_path,
        )

        assert [str(target / "signalwire_orders" / "__init__.py"), VERSION] == out.split()


def test_twine_accepts_both(built: Built) -> None:
    """``twine check --strict``: the metadata and the README render on the index."""
    out = _run(
        sys.executable,
        "-m",
        "twine",
        "check",
        "--strict",
        built.sdist,
        built.wheel,
        cwd=built.clone,
    )

    assert 2 == out.count("PASSED")


def test_the_changelog_dates_the_version_it_releases() -> None:
    """CHANGELOG.md has ``## [<version>] - YYYY-MM-DD`` and the link reference for it."""
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")

    assert re.search(rf"^## \[{re.escape(VERSION)}\] - \d{{4}}-\d\d-\d\d$", text, re.MULTILINE)
    assert re.search(rf"^\[{re.escape(VERSION)}\]: https://\S+$", text, re.MULTILINE)
    assert re.search(r"^## \[Unreleased\]$", text, re.MULTILINE)
