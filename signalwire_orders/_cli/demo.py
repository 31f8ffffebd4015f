"""
The ``signalwire-orders demo``: the client against the embedded fake, with faults on.

It starts a `FakeServer` in-process, turns on a little latency, a rate of 500s
on ``list_orders`` and one scripted 429 with ``Retry-After: 1``, then does what
a bulk job does: discover every campaign through the brands and fetch all their
orders with ``client.orders.list_many``. The report compares the result with
the server's own records (SPEC section 5). Nothing here prints: progress goes
through the `Progress` passed in, and `render_report` returns a renderable.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Mapping
from typing import Final
from uuid import UUID

import attrs
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.progress import Progress
from rich.table import Table
from rich.text import Text

from signalwire_orders import Client
from signalwire_orders.testing import FakeServer

from .common import client_limits

__all__ = ["DemoOptions", "render_report", "run_demo"]

#: Seconds of latency the fake adds to every request.
DEMO_LATENCY: Final = 0.01
#: Share of ``list_orders`` requests answered with a 500.
DEMO_ERROR_RATE: Final = 0.05
#: The ``Retry-After`` of the one scripted 429.
DEMO_RETRY_AFTER: Final = "1"
_STATE_ORDER: Final = ("processed", "processing", "pending", "failed")


@attrs.frozen
class DemoOptions:
    """
    The size of the fake's data and how hard the client works.

    ``max_concurrency=None`` (the default) leaves the client's own bound
    on requests in flight.

    Example::

        options = DemoOptions(seed=1, brands=2, campaigns_per_brand=5)
    """

    seed: int = 0
    brands: int = 3
    campaigns_per_brand: int = 10
    orders_per_campaign: int = 200
    concurrency: int = 16
    max_concurrency: int | None = None


@attrs.frozen
class DemoReport:
    """
    What the demo did: counts from the client and the server's own view.

    Example::

        report = await run_demo(DemoOptions(), progress=progress)
        assert report.orders == report.expected_orders
    """

    options: DemoOptions
    base_url: str
    brands: int
    campaigns: int
    orders: int
    expected_orders: int
    by_state: Mapping[str, int]
    failed: tuple[tuple[UUID, str], ...]
    client_requests: int
    server_requests: int
    retries: int
    retry_reasons: Mapping[str, int]
    rate_limited: int
    elapsed: float

    @property
    def consistent(self) -> bool:
        """Whether every campaign fetched yielded exactly the server's orders."""
        return self.orders == self.expected_orders


def _sizes(orders_per_campaign: int) -> tuple[int, int]:
    # "About n" orders per campaign, so that campaigns end on different pages.
    return (orders_per_campaign * 3 // 4, orders_per_campaign * 5 // 4)


async def run_demo(options: DemoOptions, *, progress: Progress) -> DemoReport:
    """
    Serve a fake with faults on, fetch every order of every campaign, report.

    Args:
        options: Data sizes, seed and concurrency.
        progress: Where to show progress (disabled when not on a terminal).

    Example::

        with Progress(disable=True) as progress:
            report = asyncio.run(run_demo(DemoOptions(seed=3), progress=progress))
    """
    server = FakeServer(
        seed=options.seed,
        brands=options.brands,
        campaigns_per_brand=options.campaigns_per_brand,
        orders_per_campaign=_sizes(options.orders_per_campaign),
    )
    loop = asyncio.get_running_loop()
    async with server:
        base_url = server.base_url
        server.faults.latency = DEMO_LATENCY
        list_orders = server.faults.route("list_orders")
        list_orders.error_rate = DEMO_ERROR_RATE
        list_orders.retry_after = DEMO_RETRY_AFTER
        server.faults.script("list_orders", ["429"])
        started = loop.time()
        async with Client(
            project_id=server.project_id,
            api_token=server.api_token,
            base_url=base_url,
            env={},  # the user's real SIGNALWIRE_* settings play no part
            **client_limits(options.max_concurrency),
        ) as client:
            finding = progress.add_task("Finding campaigns", total=None, orders=0)
            brands = [brand async for brand in client.brands.list()]
            campaign_ids = [campaign.id async for campaign in client.campaigns.list_all()]
            progress.remove_task(finding)
            fetching = progress.add_task("Fetching orders", total=len(campaign_ids), orders=0)
            by_state: Counter[str] = Counter()
            failed: list[tuple[UUID, str]] = []
            fetched = expected = 0
            listing = client.orders.list_many(campaign_ids, concurrency=options.concurrency)
            async with listing as results:
                async for result in results:
                    if result.error is not None:
                        failed.append((result.campaign_id, str(result.error)))
                    else:
                        fetched += len(result.orders)
                        expected += server.data.count_orders(str(result.campaign_id))
                        by_state.update(str(order.state) for order in result.orders)
                    progress.update(fetching, advance=1, orders=fetched)
            stats = client.stats
        elapsed = loop.time() - started
        server_requests = server.count()
    return DemoReport(
        options=options,
        base_url=base_url,
        brands=len(brands),
        campaigns=len(campaign_ids),
        orders=fetched,
        expected_orders=expected,
        by_state=dict(by_state),
        failed=tuple(failed),
        client_requests=stats.requests,
        server_requests=server_requests,
        retries=stats.retries,
        retry_reasons=dict(stats.retry_reasons),
        rate_limited=stats.rate_limited,
        elapsed=elapsed,
    )


def render_report(report: DemoReport) -> RenderableType:
    """
    Build the summary a person reads: a panel of counts, by state, with the server's view.

    Example::

        Console().print(render_report(report))
    """
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    faults = (
        f"{DEMO_LATENCY * 1000:g} ms latency, {DEMO_ERROR_RATE:.0%} of list_orders answered 500, "
        f"one 429 with Retry-After: {DEMO_RETRY_AFTER}"
    )
    grid.add_row("Fake API", Text(f"{report.base_url} (in-process, seed {report.options.seed})"))
    grid.add_row("Faults", Text(faults))
    grid.add_row("Brands", f"{report.brands:,}")
    grid.add_row("Campaigns", f"{report.campaigns:,} ({len(report.failed)} failed)")
    check = (
        Text(f" (= the server's {report.expected_orders:,})", style="green")
        if report.consistent
        else Text(f" (!= the server's {report.expected_orders:,})", style="bold red")
    )
    grid.add_row("Orders", Text(f"{report.orders:,}") + check)
    ordered = [s for s in _STATE_ORDER if s in report.by_state]
    ordered += sorted(s for s in report.by_state if s not in _STATE_ORDER)
    for state in ordered:
        grid.add_row(Text(f"  {state}", style="dim"), f"{report.by_state[state]:,}")
    grid.add_row(
        "Requests",
        f"{report.client_requests:,} sent by the client, {report.server_requests:,} seen "
        "by the server",
    )
    reasons = ", ".join(f"{reason}: {n}" for reason, n in sorted(report.retry_reasons.items()))
    grid.add_row("Retries", f"{report.retries:,}" + (f" ({reasons})" if reasons else ""))
    grid.add_row(
        "Rate limited",
        f"{report.rate_limited:,} x 429; the whole client paused for its Retry-After",
    )
    grid.add_row("Elapsed", f"{report.elapsed:.2f} s")
    parts: list[RenderableType] = [grid]
    for campaign_id, message in report.failed:
        parts.append(Text(f"failed: campaign {campaign_id}: {message}", style="red"))
    title = "signalwire-orders demo: every order of every campaign, through faults"
    return Panel(Group(*parts), title=title, title_align="left", expand=False)
