"""
The benchmark still runs: ``benchmarks/run.py --quick``, once, at a tiny size.

Speed itself is never checked here (SPEC section 7: only the benchmark measures
it); this proves the entry point, the fake in its own process, both workers and
the report keep working, and that library and baseline fetch the same items.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "benchmarks" / "run.py"


@pytest.mark.slow
def test_quick_benchmark_runs_every_scenario(tmp_path: Path) -> None:
    """--quick runs all four scenarios and writes a report with their figures."""
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
    assert {"machine", "latency", "cpu", "memory", "scale"} <= report.keys()
    assert report["quick"] is True
    latency, cpu = report["latency"], report["cpu"]
    assert latency["library_wall_s"] >= latency["floor_s"] > 0
    assert cpu["orders"] == 4000
    assert cpu["library_cpu_us_per_order"] > 0
    assert cpu["baseline_cpu_us_per_order"] > 0
    assert report["memory"]["library_peak_rss_mb_at_10000"] > 0
    assert report["scale"]["library_campaigns_per_s_at_200"] > 0
    assert "library_vs_floor" in done.stdout
