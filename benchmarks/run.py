"""
Benchmark signalwire-orders against a raw aiohttp loop, a typed peer and the latency floor.

    make bench                                   # a default install in .venv-bench, every scenario
    python benchmarks/run.py --quick             # tiny sizes, one repeat: proves it runs
    python benchmarks/run.py --scenario kept --repeat 7
    python benchmarks/run.py --gc-off            # diagnostic: each impl also with the GC off

Five scenarios, one per target of SPEC section 7. Each runs three
implementations in the same run: the library, ``raw`` (aiohttp and
``json.loads`` into dicts, by hand) and ``pydantic`` (the same hand-written
fetching, pages validated into pydantic v2 models), skipped with a note when
pydantic is not installed. Every measurement is a fresh worker process
(``benchmarks/_worker.py``); implementations alternate in a rotating order
after one unmeasured warm-up; figures are medians over the repeats, and every
run must fetch exactly the expected number of orders. The server
(``benchmarks/_server.py``) serves the fake's pages from memory in its own
process. Results also go to ``benchmarks/results/latest.json``.

``--gc-off`` is a diagnostic, never the default: it adds a run of each
implementation with the cyclic GC disabled inside that worker process only,
alternated with the normal runs, to show what the GC costs. The targets are
judged on the normal runs.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import importlib.util
import json
import math
import platform
import re
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORKER = HERE / "_worker.py"
SERVER = HERE / "_server.py"
RESULTS = HERE / "results"
DISTRIBUTION = "signalwire-orders"
PROJECT_ID = "00000000-0000-4000-8000-000000000001"  # the fake's fixed test credentials
API_TOKEN = "PTfake-token-0000000000000000000000000000"
LIBRARY, RAW, PEER = "library", "raw", "pydantic"

#: Sizes: groups of campaigns the server renders, and each scenario's shape.
FULL: dict[str, dict[str, Any]] = {
    "kept": {"campaigns": 50, "orders": 20_000, "page_size": 1000, "concurrency": 4},
    "stream": {"orders": 1_000_000, "page_size": 1000},
    # A run of this one is short (0.4 s of CPU), so more of them: twice the repeats.
    "small": {"campaigns": 2000, "orders": 20, "concurrency": 32, "repeat_factor": 2},
    "latency": {"campaigns": 500, "pages": 4, "latency": 0.05, "concurrency": 32},
    "memory": {"small": 100_000, "large": 1_000_000, "page_size": 1000},
}
QUICK: dict[str, dict[str, Any]] = {
    "kept": {"campaigns": 2, "orders": 2000, "page_size": 1000, "concurrency": 2},
    "stream": {"orders": 5000, "page_size": 1000},
    "small": {"campaigns": 64, "orders": 20, "concurrency": 32},
    "latency": {"campaigns": 16, "pages": 2, "latency": 0.05, "concurrency": 8},
    "memory": {"small": 2000, "large": 10_000, "page_size": 1000},
}
#: The fake's default page size: the latency scenario's pages.
DEFAULT_PAGE_SIZE = 50
#: "No growth" from the small to the large streamed count, in MB of peak RSS.
FLAT_MB = 1.0


# -- processes --------------------------------------------------------------------------------


@contextlib.contextmanager
def replay_server(groups: list[dict[str, Any]]) -> Iterator[tuple[str, list[list[str]]]]:
    """Run ``_server.py`` over these groups; yield its URL and each group's campaign ids."""
    command = [sys.executable, str(SERVER), json.dumps(groups)]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as proc:  # noqa: S603
        try:
            assert proc.stdout is not None  # noqa: S101  # stdout=PIPE above
            line = proc.stdout.readline()
            if not line:
                msg = "the benchmark server exited before serving"
                raise RuntimeError(msg)
            ready = json.loads(line)
            yield ready["url"], ready["ids"]
        finally:
            proc.terminate()
            proc.wait(timeout=10)


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


def has_pydantic() -> bool:
    """Whether the typed peer can run here."""
    return importlib.util.find_spec("pydantic") is not None


class Runner:
    """Alternates the implementations of one run; every job goes through it."""

    def __init__(self, *, repeat: int, warm_up: bool, gc_off: bool) -> None:
        self.repeat = repeat
        self.warm_up = warm_up
        self.impls = [LIBRARY, RAW, PEER] if has_pydantic() else [LIBRARY, RAW]
        # Each variant is (impl, gc_off): the diagnostic runs alternate with the normal ones.
        self.variants = [(impl, False) for impl in self.impls]
        if gc_off:
            self.variants += [(impl, True) for impl in self.impls]

    def alternate(
        self, job: dict[str, Any], expected: int, factor: int = 1
    ) -> dict[str, list[dict[str, float]]]:
        """
        Run every variant ``repeat`` (times ``factor``) times, rotating the order each repeat.

        One unmeasured run first (the raw loop) warms the server's sockets and
        the OS's caches, so that no measured run pays for being first.
        """
        if self.warm_up:
            measure({**job, "impl": RAW})
        runs: dict[str, list[dict[str, float]]] = {name(*v): [] for v in self.variants}
        for i in range(self.repeat * factor):
            shift = i % len(self.variants)
            for impl, gc_off in self.variants[shift:] + self.variants[:shift]:
                figures = measure({**job, "impl": impl, "gc_off": gc_off})
                if figures["items"] != expected:
                    msg = f"{name(impl, gc_off)} fetched {figures['items']} orders, not {expected}"
                    raise RuntimeError(msg)
                runs[name(impl, gc_off)].append(figures)
        return runs


def name(impl: str, gc_off: bool) -> str:
    """A variant's name in the report."""
    return f"{impl} (GC off)" if gc_off else impl


# -- scenarios --------------------------------------------------------------------------------


def groups_for(scenario: str, size: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The campaigns a scenario needs rendered, by group name."""
    if scenario == "kept":
        return {"kept": {k: size[k] for k in ("campaigns", "orders", "page_size")}}
    if scenario == "stream":
        return {f"one_{size['orders']}": _one(size["orders"], size["page_size"])}
    if scenario == "small":
        return {"small": {"campaigns": size["campaigns"], "orders": size["orders"]}}
    if scenario == "latency":
        orders = size["pages"] * DEFAULT_PAGE_SIZE
        group = {"campaigns": size["campaigns"], "orders": orders, "latency": size["latency"]}
        return {"latency": group}
    counts = (size["small"], size["large"])
    return {f"one_{count}": _one(count, size["page_size"]) for count in counts}


def _one(orders: int, page_size: int) -> dict[str, Any]:
    return {"campaigns": 1, "orders": orders, "page_size": page_size}


class Context:
    """What a scenario needs: the server, the campaign ids of each group, the runner."""

    def __init__(self, url: str, ids: dict[str, list[str]], runner: Runner) -> None:
        self.url = url
        self.ids = ids
        self.runner = runner
        self._stack = contextlib.ExitStack()

    def job(self, **fields: Any) -> dict[str, Any]:
        """A worker job against the server."""
        return {"base_url": self.url, "project_id": PROJECT_ID, "api_token": API_TOKEN, **fields}

    def bulk(self, group: str, concurrency: int, page_size: int | None) -> dict[str, Any]:
        """A ``list_many`` job over every campaign of a group."""
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115  # closed now, removed by close()
            "w", suffix=".json", delete=False
        )
        with handle:
            json.dump(self.ids[group], handle)
        self._stack.callback(Path(handle.name).unlink)
        return self.job(
            mode="bulk", ids_file=handle.name, concurrency=concurrency, page_size=page_size
        )

    def stream(self, group: str, page_size: int) -> dict[str, Any]:
        """An ``orders.list`` job over a group's one campaign."""
        return self.job(
            mode="stream", campaign_id=self.ids[group][0], concurrency=1, page_size=page_size
        )

    def close(self) -> None:
        """Remove the id files."""
        self._stack.close()


def cpu_per(runs: dict[str, list[dict[str, float]]], count: int, unit: float) -> Figures:
    """Median CPU per item of each variant, in ``unit`` seconds."""
    return {v: [run["cpu"] / count / unit for run in vruns] for v, vruns in runs.items()}


Figures = dict[str, list[float]]


def _cpu_scenario(
    ctx: Context,
    job: dict[str, Any],
    *,
    orders: int,
    per: int,
    what: str,
    target: float,
    factor: int = 1,
) -> dict[str, Any]:
    """Client CPU per order (or per campaign: ``per`` of them), against the raw loop."""
    runs = ctx.runner.alternate(job, orders, factor)
    return {
        "what": what,
        "unit": "us CPU/order" if per == orders else "us CPU/campaign",
        "figures": cpu_per(runs, per, 1e-6),
        "target": target,
        "against": RAW,
        "orders": orders,
    }


def scenario_kept(ctx: Context, size: dict[str, Any]) -> dict[str, Any]:
    """CPU per order, list_many keeping each campaign's orders (pages of 1,000)."""
    orders = size["campaigns"] * size["orders"]
    what = (
        f"list_many, {size['campaigns']} campaigns x {size['orders']:,} orders kept, "
        f"pages of {size['page_size']:,}, {size['concurrency']} in flight"
    )
    job = ctx.bulk("kept", size["concurrency"], size["page_size"])
    return _cpu_scenario(ctx, job, orders=orders, per=orders, what=what, target=2.0)


def scenario_stream(ctx: Context, size: dict[str, Any]) -> dict[str, Any]:
    """CPU per order, orders.list streaming one campaign without keeping."""
    orders = size["orders"]
    what = f"orders.list, one campaign of {orders:,} orders streamed, pages of 1,000"
    job = ctx.stream(f"one_{orders}", size["page_size"])
    return _cpu_scenario(ctx, job, orders=orders, per=orders, what=what, target=1.3)


def scenario_small(ctx: Context, size: dict[str, Any]) -> dict[str, Any]:
    """CPU per small campaign (one page of 20 orders) in list_many."""
    campaigns = size["campaigns"]
    what = (
        f"list_many, {campaigns:,} campaigns of one {size['orders']}-order page, "
        f"{size['concurrency']} in flight"
    )
    job = ctx.bulk("small", size["concurrency"], None)
    orders = campaigns * size["orders"]
    factor = size.get("repeat_factor", 1)
    return _cpu_scenario(
        ctx, job, orders=orders, per=campaigns, what=what, target=1.2, factor=factor
    )


def scenario_latency(ctx: Context, size: dict[str, Any]) -> dict[str, Any]:
    """Latency-bound list_many: wall time against the floor."""
    campaigns, pages, latency = size["campaigns"], size["pages"], size["latency"]
    concurrency = size["concurrency"]
    orders = campaigns * pages * DEFAULT_PAGE_SIZE
    runs = ctx.runner.alternate(ctx.bulk("latency", concurrency, None), orders)
    # No client can do better: each wave of `concurrency` campaigns waits
    # `pages` round trips of `latency`, one after the other.
    floor = math.ceil(campaigns / concurrency) * pages * latency
    return {
        "what": (
            f"list_many, {campaigns} campaigns x {pages} pages x {latency * 1e3:g} ms, "
            f"concurrency {concurrency}"
        ),
        "unit": "s wall",
        "figures": {v: [run["wall"] for run in vruns] for v, vruns in runs.items()},
        "floor": floor,
        "target": 1.05,
        "against": "floor",
        "orders": orders,
    }


def scenario_memory(ctx: Context, size: dict[str, Any]) -> dict[str, Any]:
    """Peak RSS streaming a small and a large campaign: growth and flatness."""
    result: dict[str, Any] = {"unit": "MB", "target": 30.0, "against": "flat", "sizes": {}}
    for count in (size["small"], size["large"]):
        runs = ctx.runner.alternate(ctx.stream(f"one_{count}", size["page_size"]), count)
        result["sizes"][count] = {
            v: {
                "peak_rss_mb": [run["peak_rss_mb"] for run in vruns],
                "growth_mb": [run["peak_rss_mb"] - run["rss_before_mb"] for run in vruns],
            }
            for v, vruns in runs.items()
        }
    result["what"] = (
        f"orders.list streaming {size['small']:,} then {size['large']:,} orders: "
        "peak RSS growth over the RSS before the walk"
    )
    return result


SCENARIOS: dict[str, Callable[[Context, dict[str, Any]], dict[str, Any]]] = {
    "kept": scenario_kept,
    "stream": scenario_stream,
    "small": scenario_small,
    "latency": scenario_latency,
    "memory": scenario_memory,
}


# -- the report -------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    """The median of a list of figures."""
    return statistics.median(values)


def spread(values: list[float]) -> float:
    """(max - min) / median: how far the repeats of one figure were apart."""
    mid = median(values)
    return (max(values) - min(values)) / mid if mid else 0.0


def verdict(result: dict[str, Any]) -> dict[str, Any]:
    """Medians, ratios and PASS/FAIL of one scenario's result."""
    if result["against"] == "flat":
        return _memory_verdict(result)
    figures = result["figures"]
    medians = {v: median(values) for v, values in figures.items()}
    base = result["floor"] if result["against"] == "floor" else medians[RAW]
    ratio = medians[LIBRARY] / base
    out: dict[str, Any] = {
        "medians": medians,
        "spread": {v: spread(values) for v, values in figures.items()},
        "ratio": ratio,
        "raw_vs_floor" if result["against"] == "floor" else "raw": medians[RAW] / base,
        "pass": ratio <= result["target"],
    }
    if PEER in medians:
        out["library_vs_pydantic"] = medians[LIBRARY] / medians[PEER]
    return out


def _memory_verdict(result: dict[str, Any]) -> dict[str, Any]:
    small, large = sorted(result["sizes"])
    by_size = result["sizes"]
    lib_small, lib_large = by_size[small][LIBRARY], by_size[large][LIBRARY]
    growth = median(lib_large["growth_mb"])
    flat = median(lib_large["peak_rss_mb"]) - median(lib_small["peak_rss_mb"])
    return {
        "medians": {
            f"{v} growth at {count:,}": median(by_size[count][v]["growth_mb"])
            for count in (small, large)
            for v in by_size[count]
        },
        "growth_mb": growth,
        "peak_small_to_large_mb": flat,
        "pass": growth < result["target"] and flat <= FLAT_MB,
    }


def print_report(report: dict[str, Any], gc_off: bool) -> None:
    """The table of every scenario, with PASS/FAIL against its target."""
    print()
    if gc_off:
        print("DIAGNOSTIC run (--gc-off): the '(GC off)' figures disable the GC in their worker")
        print("process only; they are never the default, and no target is judged on them.")
    if not has_pydantic():
        print("pydantic is not installed: the typed peer is skipped (`make bench` installs it).")
    for scenario, result in report["scenarios"].items():
        judged = result["verdict"]
        mark = "PASS" if judged["pass"] else "FAIL"
        print(f"\n== {scenario}: {result['what']}")
        if result["against"] == "flat":
            for label, value in judged["medians"].items():
                print(f"  {label:<34} {value:8.2f} MB")
            print(
                f"  library: growth {judged['growth_mb']:.1f} MB (target < {result['target']:g}),"
                f" peak {judged['peak_small_to_large_mb']:+.2f} MB from small to large"
                f" (target <= {FLAT_MB:g})  {mark}"
            )
            continue
        for variant, value in judged["medians"].items():
            noise = judged["spread"][variant]
            print(f"  {variant:<20} {value:10.3f} {result['unit']}   (spread {noise:.0%})")
        against = f"floor {result['floor']:.2f} s" if result["against"] == "floor" else "raw"
        line = f"  library / {against}: {judged['ratio']:.2f}x (target <= {result['target']}x)"
        if "library_vs_pydantic" in judged:
            line += f"; library / pydantic: {judged['library_vs_pydantic']:.2f}x"
        if "raw_vs_floor" in judged:
            line += f"; raw / floor: {judged['raw_vs_floor']:.2f}x"
        print(f"{line}  {mark}")


def machine() -> dict[str, Any]:
    """What the figures were measured on and with: versions, and whether any extra is installed."""
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    names = [DISTRIBUTION, "aiohttp", "msgspec", "attrs", "cattrs", "tenacity", "yarl"]
    names += ["multidict", "pydantic", "pydantic-core"]
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": model or platform.processor(),
        "versions": {n: _version(n) for n in names},
        "extras_installed": extras_installed(),
    }


def _version(distribution: str) -> str | None:
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return None


def extras_installed() -> list[str]:
    """The project's extras whose every requirement is installed here (a default install: none)."""
    requires = importlib.metadata.requires(DISTRIBUTION) or []
    by_extra: dict[str, list[str]] = {}
    for requirement in requires:
        found = re.search(r"""extra\s*==\s*["']([^"']+)["']""", requirement)
        if found:
            own = re.match(r"[A-Za-z0-9._-]+", requirement)
            if own is not None and own.group(0) != DISTRIBUTION:
                by_extra.setdefault(found.group(1), []).append(own.group(0))
    return sorted(
        extra
        for extra, needed in by_extra.items()
        if all(_version(requirement) is not None for requirement in needed)
    )


def main(argv: list[str] | None = None) -> int:
    """Run the chosen scenarios; print and save the figures."""
    parser = argparse.ArgumentParser(description="Benchmark signalwire-orders.")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, one repeat, no warm-up")
    parser.add_argument("--repeat", type=int, default=None, help="rotating repeats (default 5)")
    parser.add_argument(
        "--scenario", action="append", choices=sorted(SCENARIOS), help="default: all"
    )
    parser.add_argument(
        "--gc-off", action="store_true", help="diagnostic: also run each impl with the GC off"
    )
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    sizes = QUICK if args.quick else FULL
    chosen = args.scenario or list(SCENARIOS)
    runner = Runner(
        repeat=args.repeat or (1 if args.quick else 5), warm_up=not args.quick, gc_off=args.gc_off
    )
    report: dict[str, Any] = {
        "machine": machine(),
        "repeat": runner.repeat,
        "quick": args.quick,
        "gc_off_diagnostic": args.gc_off,
        "implementations": runner.impls,
        "scenarios": {},
    }
    groups: dict[str, dict[str, Any]] = {}
    for scenario in chosen:
        groups.update(groups_for(scenario, sizes[scenario]))
    print(f"rendering {len(groups)} groups of pages ...", file=sys.stderr, flush=True)
    with replay_server(list(groups.values())) as (url, ids):
        ctx = Context(url, dict(zip(groups, ids, strict=True)), runner)
        try:
            for scenario in chosen:
                print(f"== {scenario} ...", file=sys.stderr, flush=True)
                result = SCENARIOS[scenario](ctx, sizes[scenario])
                result["verdict"] = verdict(result)
                report["scenarios"][scenario] = result
        finally:
            ctx.close()
    print(json.dumps(report["machine"], indent=2))
    print_report(report, args.gc_off)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"saved {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
