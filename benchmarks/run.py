"""
Benchmark signalwire-orders against a hand-written aiohttp loop and the latency floor.

    python benchmarks/run.py             # every scenario, 3 alternating repeats (a few minutes)
    python benchmarks/run.py --quick     # tiny sizes, one repeat: proves it runs
    python benchmarks/run.py --scenario latency --repeat 5

The embedded fake server runs in its own process (``python -m
signalwire_orders.testing``), and every measured run is a fresh worker process
(``benchmarks/_worker.py``), so the client's CPU and memory are measured alone.
Library and baseline runs alternate; medians are reported with the ratio
library / baseline. Results also go to ``benchmarks/results/latest.json``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp

from signalwire_orders.testing import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeData

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_worker.py"
RESULTS = HERE / "results"


@contextlib.contextmanager
def fake_server(
    *, brands: int, campaigns_per_brand: int, orders_per_campaign: int, latency: float = 0.0
) -> Iterator[str]:
    """Run the fake in a child process; yield its base URL."""
    command = [
        sys.executable,
        "-m",
        "signalwire_orders.testing",
        "--port=0",
        "--no-record",
        "--seed=1",
        f"--brands={brands}",
        f"--campaigns-per-brand={campaigns_per_brand}",
        f"--orders-per-campaign={orders_per_campaign}",
        "--numbers-per-campaign=0",
        f"--latency={latency}",
    ]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        try:
            assert proc.stdout is not None  # noqa: S101  # stdout=PIPE above
            match = re.search(r"https?://[\w.\-]+:\d+", proc.stdout.readline())
            if match is None:
                msg = "the fake server did not print its URL"
                raise RuntimeError(msg)
            yield match.group(0)
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def campaign_ids(brands: int, campaigns_per_brand: int, orders_per_campaign: int) -> list[str]:
    """The fake's campaign ids for these sizes (seed 1), as the server generates them."""
    data = FakeData.generate(
        seed=1,
        brands=brands,
        campaigns_per_brand=campaigns_per_brand,
        orders_per_campaign=orders_per_campaign,
        numbers_per_campaign=0,
    )
    return [str(cid) for cid in data.campaign_ids()]


def measure(job: dict[str, Any]) -> dict[str, float]:
    """Run one job in a fresh worker process and return its figures."""
    out = subprocess.run(  # noqa: S603  # our own worker script
        [sys.executable, str(WORKER), json.dumps(job)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def alternate(
    job: dict[str, Any], repeat: int, *, warm_up: bool = True
) -> dict[str, list[dict[str, float]]]:
    """
    Run library and baseline alternately ``repeat`` times each.

    One unmeasured run first fills the fake's page cache, so that neither
    side pays for the fake's first rendering of a page.
    """
    if warm_up:
        measure({**job, "impl": "baseline"})
    runs: dict[str, list[dict[str, float]]] = {"library": [], "baseline": []}
    for i in range(repeat):
        order = ("library", "baseline") if i % 2 == 0 else ("baseline", "library")
        for impl in order:
            runs[impl].append(measure({**job, "impl": impl}))
    counts = {run["items"] for impl_runs in runs.values() for run in impl_runs}
    if len(counts) != 1:
        msg = f"library and baseline disagree on the item count: {sorted(counts)}"
        raise RuntimeError(msg)
    return runs


def median(runs: list[dict[str, float]], key: str) -> float:
    """The median of one figure over runs."""
    return statistics.median(run[key] for run in runs)


def _job(base_url: str, **extra: Any) -> dict[str, Any]:
    return {
        "base_url": base_url,
        "project_id": DEFAULT_PROJECT_ID,
        "api_token": DEFAULT_API_TOKEN,
        **extra,
    }


def _ids_file(ids: list[str]) -> str:
    handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # removed by the caller's ExitStack
        "w", suffix=".json", delete=False
    )
    with handle:
        json.dump(ids, handle)
    return handle.name


def scenario_latency(size: dict[str, int], repeat: int) -> dict[str, Any]:
    """Latency-bound bulk fetch: wall time against the floor and the baseline."""
    campaigns, pages, latency, concurrency = (
        size["campaigns"],
        size["pages"],
        0.05,
        size["concurrency"],
    )
    brands = max(1, campaigns // 50)
    per_brand = campaigns // brands
    ids = campaign_ids(brands, per_brand, pages * 50)
    ids_path = _ids_file(ids)
    try:
        with fake_server(
            brands=brands,
            campaigns_per_brand=per_brand,
            orders_per_campaign=pages * 50,
            latency=latency,
        ) as url:
            job = _job(url, mode="bulk", ids_file=ids_path, concurrency=concurrency)
            runs = alternate(job, repeat)
    finally:
        Path(ids_path).unlink()
    floor = math.ceil(len(ids) / concurrency) * pages * latency
    lib, base = median(runs["library"], "wall"), median(runs["baseline"], "wall")
    return {
        "campaigns": len(ids),
        "pages_per_campaign": pages,
        "latency_s": latency,
        "concurrency": concurrency,
        "floor_s": floor,
        "library_wall_s": lib,
        "baseline_wall_s": base,
        "library_vs_floor": lib / floor,
        "library_vs_baseline": lib / base,
        "target": "library_vs_floor <= 1.10 and library_vs_baseline <= 1.0 (+noise)",
    }


def scenario_cpu(size: dict[str, int], repeat: int) -> dict[str, Any]:
    """CPU-bound decode: client CPU per order, typed models against dicts."""
    campaigns, per_campaign = size["campaigns"], size["orders"]
    brands = max(1, campaigns // 100)
    per_brand = campaigns // brands
    ids = campaign_ids(brands, per_brand, per_campaign)
    ids_path = _ids_file(ids)
    try:
        with fake_server(
            brands=brands, campaigns_per_brand=per_brand, orders_per_campaign=per_campaign
        ) as url:
            job = _job(url, mode="bulk", ids_file=ids_path, concurrency=8, page_size=1000)
            runs = alternate(job, repeat)
    finally:
        Path(ids_path).unlink()
    orders = runs["library"][0]["items"]
    lib = median(runs["library"], "cpu") / orders * 1e6
    base = median(runs["baseline"], "cpu") / orders * 1e6
    return {
        "orders": orders,
        "page_size": 1000,
        "library_cpu_us_per_order": lib,
        "baseline_cpu_us_per_order": base,
        "library_vs_baseline": lib / base,
        "target": "library_vs_baseline <= 1.5",
    }


def scenario_memory(size: dict[str, int], repeat: int) -> dict[str, Any]:
    """Streaming: peak RSS of orders.list over a small and a large campaign."""
    result: dict[str, Any] = {"page_size": 1000}
    for count in (size["small"], size["large"]):
        ids = campaign_ids(1, 1, count)
        with fake_server(brands=1, campaigns_per_brand=1, orders_per_campaign=count) as url:
            job = _job(url, mode="stream", campaign_id=ids[0], concurrency=1, page_size=1000)
            runs = alternate(job, repeat, warm_up=False)  # RSS only: no timing to protect
        result[f"library_peak_rss_mb_at_{count}"] = median(runs["library"], "peak_rss_mb")
        result[f"baseline_peak_rss_mb_at_{count}"] = median(runs["baseline"], "peak_rss_mb")
    small, large = size["small"], size["large"]
    result["library_growth_mb"] = (
        result[f"library_peak_rss_mb_at_{large}"] - result[f"library_peak_rss_mb_at_{small}"]
    )
    # No time here: a 1M-order walk outgrows the fake's page cache, so its time
    # is the fake rendering pages (the cpu scenario measures the client's time).
    result["target"] = "library_growth_mb ~ 0 (flat with the count)"
    return result


def scenario_scale(size: dict[str, int], repeat: int) -> dict[str, Any]:
    """list_many over many campaigns: throughput and memory stay flat."""
    result: dict[str, Any] = {"orders_per_campaign": 20, "concurrency": 32}
    total = size["large"]
    brands = max(1, total // 100)
    ids = campaign_ids(brands, total // brands, 20)
    with fake_server(
        brands=brands, campaigns_per_brand=total // brands, orders_per_campaign=20
    ) as url:
        for count in (size["small"], total):
            ids_path = _ids_file(ids[:count])
            try:
                job = _job(url, mode="bulk", ids_file=ids_path, concurrency=32)
                runs = alternate(job, repeat)
            finally:
                Path(ids_path).unlink()
            lib_wall = median(runs["library"], "wall")
            result[f"library_campaigns_per_s_at_{count}"] = count / lib_wall
            result[f"baseline_campaigns_per_s_at_{count}"] = count / median(
                runs["baseline"], "wall"
            )
            result[f"library_peak_rss_mb_at_{count}"] = median(runs["library"], "peak_rss_mb")
    result["target"] = "campaigns/s and peak RSS about equal at both counts"
    return result


SCENARIOS = {
    "latency": scenario_latency,
    "cpu": scenario_cpu,
    "memory": scenario_memory,
    "scale": scenario_scale,
}
FULL = {
    "latency": {"campaigns": 500, "pages": 4, "concurrency": 32},
    "cpu": {"campaigns": 200, "orders": 1000},
    "memory": {"small": 100_000, "large": 1_000_000},
    "scale": {"small": 1000, "large": 5000},
}
QUICK = {
    "latency": {"campaigns": 20, "pages": 2, "concurrency": 8},
    "cpu": {"campaigns": 4, "orders": 1000},
    "memory": {"small": 2000, "large": 10_000},
    "scale": {"small": 50, "large": 200},
}


def machine() -> dict[str, str]:
    """What the figures were measured on."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    try:
        import orjson  # noqa: PLC0415

        json_lib = f"orjson {orjson.__version__}"
    except ImportError:
        json_lib = "json (stdlib)"
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "aiohttp": aiohttp.__version__,
        "json": json_lib,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios; print and save the figures."""
    parser = argparse.ArgumentParser(description="Benchmark signalwire-orders.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat")
    parser.add_argument("--repeat", type=int, default=None, help="alternating repeats")
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="default: all"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    repeat = args.repeat or (1 if args.quick else 3)
    report: dict[str, Any] = {"machine": machine(), "repeat": repeat, "quick": args.quick}
    for name in args.scenario or list(SCENARIOS):
        print(f"== {name} ...", file=sys.stderr, flush=True)
        report[name] = SCENARIOS[name](sizes[name], repeat)
        for key, value in report[name].items():
            shown = f"{value:.3f}" if isinstance(value, float) else value
            print(f"  {key:<40} {shown}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"saved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
