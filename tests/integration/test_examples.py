"""Every example runs against the embedded fake server and exits 0."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Arguments that make each example run once, briefly, against the fake.
ARGS: dict[str, list[str]] = {
    "aiohttp_service.py": ["--fake", "--self-test"],
    "bot.py": ["--fake", "--rounds", "2", "--every", "0.01"],
    "bulk_export.py": ["--fake", "orders.jsonl"],
    "bulk_fetch.py": ["--fake"],
    "list_orders.py": ["--fake"],
    "onboarding.py": ["--fake"],
    "wait_for_order.py": ["--fake"],
    "webhook_receiver.py": ["--fake", "--self-test"],
}
SCRIPTS = sorted(p.name for p in EXAMPLES.glob("*.py") if not p.name.startswith("_"))


def test_every_example_has_arguments() -> None:
    """No example is left out of the run below."""

    assert set(SCRIPTS) <= set(ARGS)


@pytest.mark.parametrize("script", SCRIPTS)
def test_example_runs(script: str, tmp_path: Path) -> None:
    """The example exits 0 with some output, using no real credentials."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIGNALWIRE_")}
    done = subprocess.run(  # noqa: S603  # our own example scripts
        [sys.executable, str(EXAMPLES / script), *ARGS[script]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert 0 == done.returncode, done.stderr
    assert done.stdout.strip()
