"""
The benchmark still runs: ``benchmarks/run.py --quick``, once, at a tiny size.

Speed itself is never checked here (SPEC section 7: only the benchmark measures
it); this proves the entry point, the fake in its own process, both workers and
the report keep working, and that library and baseline fetch the same items.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run.py"


@pytest.mark.slow
def test_quick_benchmark_runs_every_scenario(tmp_path: Path) -> None:
    """--quick runs all five scenarios and writes a report with their figures and verdicts."""
    out = tmp_path / "latest.json"

    done = subprocess.run(  # noqa: S603  # our own script, fixed arguments
        [sys.executable, str(RUN), "--quick", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=tmp_path,  # results land where --out says, not in the checkout
    )
    report = json.loads(out.read_text()) if out.exists() else {}

    assert done.returncode == 0, done.stderr[-2000:]
    assert report["quick"] is True
    scenarios = report["scenarios"]
    assert {"kept", "stream", "small", "latency", "memory"} == scenarios.keys()
    assert {"library", "raw"} <= set(report["implementations"])
    assert scenarios["kept"]["orders"] == 4000
    for name in ("kept", "stream", "small"):
        medians = scenarios[name]["verdict"]["medians"]
        assert medians["library"] > 0
        assert medians["raw"] > 0
    latency = scenarios["latency"]
    assert latency["verdict"]["medians"]["library"] >= latency["floor"] > 0
    assert scenarios["memory"]["verdict"]["growth_mb"] >= 0
    assert "library / floor" in done.stdout
    assert ("PASS" in done.stdout) or ("FAIL" in done.stdout)


@pytest.mark.slow
def test_quick_benchmark_skips_the_typed_peer_without_pydantic(tmp_path: Path) -> None:
    """Without pydantic the quick run still works, and says that the peer was skipped."""
    out = tmp_path / "latest.json"
    blocker = tmp_path / "no_pydantic"
    blocker.mkdir()
    # Run at start-up in every process: pydantic is then not importable, installed or not.
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['pydantic'] = None\n")

    done = subprocess.run(  # noqa: S603  # our own script, fixed arguments
        [sys.executable, str(RUN), "--quick", "--scenario", "kept", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(blocker)},
    )
    report = json.loads(out.read_text()) if out.exists() else {}

    assert done.returncode == 0, done.stderr[-2000:]
    assert ["library", "raw"] == report["implementations"]
    assert "typed peer is skipped" in done.stdout
