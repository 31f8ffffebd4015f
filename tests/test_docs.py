"""
Every Python block of the README and the docs runs as written, against the fake server.

Each ```` ```python ```` block is a complete script: it is written to an empty
directory and run with ``python``, its environment pointing a `Client()` at a
freshly started `FakeServer` (``SIGNALWIRE_REST_BASE_URL``, ``_PROJECT_ID``,
``_API_TOKEN``) and nothing else of SignalWire's, so a block written for a real
account runs unchanged. It must exit 0 within `TIMEOUT` seconds: a block that
fails, hangs or needs a step the page does not state fails here.

A fenced block with a file name as its title (```` ```toml title="pyproject.toml" ````)
is a file of that page's project instead: the page's files are written in page
order, and a ``test_*.py`` one is then run with pytest. Blocks titled
``signalwire-sdk`` show the official SDK (not installed) and are not run.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from signalwire_orders.testing import FakeServer
from support import in_a_thread

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
TIMEOUT = 60.0
FENCE = re.compile(
    r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)(?P<info>[^\n]*)\n(?P<body>.*?)^(?P=indent)```[ \t]*$",
    re.MULTILINE | re.DOTALL,
)
TITLE = re.compile(r'title="(?P<title>[^"]+)"')
NOT_RUN = "signalwire-sdk"  # the official SDK's side of the migration page


class Block(NamedTuple):
    """One fenced block: where it is, its language, its title (a file name) and its text."""

    page: Path
    line: int
    lang: str
    title: str | None
    code: str

    @property
    def id(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks_of(page: Path) -> list[Block]:
    """The fenced blocks of a page, in order, each dedented to its fence."""
    text = page.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        indent = len(match["indent"])
        code = "".join(line[indent:] for line in match["body"].splitlines(keepends=True))
        title = TITLE.search(match["info"])
        line = text.count("\n", 0, match.start()) + 1
        found.append(Block(page, line, match["lang"], title and title["title"], code))
    return found


BLOCKS = [block for page in PAGES for block in blocks_of(page)]
SCRIPTS = [b for b in BLOCKS if b.lang in {"python", "py"} and b.title is None]
FILES = [b for b in BLOCKS if b.title is not None and not b.title.startswith(NOT_RUN)]
TEST_FILES = [b for b in FILES if Path(b.title or "").name.startswith("test_")]


def _environment(server: FakeServer) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("SIGNALWIRE_", "PYTEST_"))}
    return kept | server.env | {"PYTHONDONTWRITEBYTECODE": "1"}


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(  # noqa: S603  # the docs' own blocks, run as a reader would
            command, cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT, check=False
        )
    except subprocess.TimeoutExpired as exc:
        output = "".join(_text(part) for part in (exc.stdout, exc.stderr))
        pytest.fail(f"still running after {TIMEOUT:.0f} s:\n{output}")


def _text(output: str | bytes | None) -> str:
    # What a timed-out run had written: text, as asked for, except on some platforms.
    if isinstance(output, bytes):
        return output.decode(errors="replace")
    return output or ""


@pytest.fixture
def fake() -> Iterator[FakeServer]:
    """The server a block's `Client()` reaches: fresh for each block, on loopback."""
    server = FakeServer(seed=7)
    with in_a_thread(server):
        yield server


def test_the_docs_have_blocks_to_run() -> None:
    """The extraction finds the blocks (a broken pattern would make every test below vacuous)."""
    pages_with_scripts = {block.page.name for block in SCRIPTS}

    assert {"README.md", "index.md", "getting-started.md"} <= pages_with_scripts
    assert len(SCRIPTS) >= 20


@pytest.mark.parametrize("block", SCRIPTS, ids=[block.id for block in SCRIPTS])
def test_python_block_runs_as_written(block: Block, fake: FakeServer, tmp_path: Path) -> None:
    """The block, alone in an empty directory, exits 0 against the fake server."""
    script = tmp_path / "block.py"
    script.write_text(block.code, encoding="utf-8")

    done = _run([sys.executable, str(script)], tmp_path, _environment(fake))

    assert 0 == done.returncode, f"{block.id} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{block.id} printed nothing: a reader sees nothing happen"


@pytest.mark.parametrize("block", TEST_FILES, ids=[block.id for block in TEST_FILES])
def test_test_file_passes_with_the_page_s_files(
    block: Block, fake: FakeServer, tmp_path: Path
) -> None:
    """The page's files up to this test file, then pytest in that directory: it passes."""
    for earlier in FILES:
        if earlier.page == block.page and earlier.line <= block.line:
            path = tmp_path / (earlier.title or "")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(earlier.code, encoding="utf-8")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)]

    done = _run(command, tmp_path, _environment(fake))

    assert 0 == done.returncode, f"{block.id} failed:\n{done.stdout}\n{done.stderr}"
