"""
The CLI commands that need no account: ``fake-server`` serves the embedded fake, ``demo`` uses it.

Defined as free-standing click commands; ``__init__`` attaches them to the root group.
"""

from __future__ import annotations

import asyncio
import contextlib

import click

from signalwire_orders.testing import FakeServer

from .common import CONCURRENCY_OPTION, EXIT_ERROR, CliSettings, CommandError, run
from .demo import DemoOptions, render_report, run_demo
from .output import progress_bar, stdout_console

__all__ = ["demo", "fake_server"]


@click.command("fake-server")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option(
    "--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="0: any."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the data.")
@click.option("--brands", type=click.IntRange(min=0), default=3, show_default=True)
@click.option("--campaigns-per-brand", type=click.IntRange(min=0), default=4, show_default=True)
@click.option("--orders-per-campaign", type=click.IntRange(min=0), default=120, show_default=True)
@click.option(
    "--latency",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    metavar="S",
    help="Seconds added to every request.",
)
def fake_server(
    *,
    host: str,
    port: int,
    seed: int,
    brands: int,
    campaigns_per_brand: int,
    orders_per_campaign: int,
    latency: float,
) -> None:
    """
    Serve the embedded fake Campaign Registry API until Ctrl-C.

    It prints the variables that point this CLI (or the library) at it. Its
    credentials are fixed test values, not secrets.
    """
    server = FakeServer(
        seed=seed,
        brands=brands,
        campaigns_per_brand=campaigns_per_brand,
        orders_per_campaign=orders_per_campaign,
        host=host,
        port=port,
    )

    async def serve() -> None:
        await server.start()
        server.faults.latency = latency
        campaigns = len(server.data.campaign_ids())
        click.echo(
            f"Fake SignalWire Campaign Registry API on {server.base_url} ({brands} brands, "
            f"{campaigns} campaigns, {server.data.count_orders():,} orders; seed {seed})"
        )
        click.echo("Point the client at it with:")
        for name, value in server.env.items():
            click.echo(f"  export {name}={value}")
        click.echo("then try: signalwire-orders campaigns list")
        click.echo("Press Ctrl+C to stop.")
        await server.serve_forever()

    with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how this command ends
        asyncio.run(serve())
    click.echo("stopped", err=True)


@click.command(short_help="Try it all against a faulty in-process fake: no account needed.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of data and faults.")
@click.option("--brands", type=click.IntRange(min=1), default=3, show_default=True)
@click.option("--campaigns-per-brand", type=click.IntRange(min=1), default=10, show_default=True)
@click.option(
    "--orders-per-campaign",
    type=click.IntRange(min=1),
    default=200,
    show_default=True,
    help="About this many (between 3/4 and 5/4 of it).",
)
@CONCURRENCY_OPTION
@click.pass_obj
def demo(
    settings: CliSettings,
    *,
    seed: int,
    brands: int,
    campaigns_per_brand: int,
    orders_per_campaign: int,
    concurrency: int,
) -> None:
    """
    See the client at work, with no account: bulk-fetch orders from a faulty fake.

    Starts the embedded fake server in-process with latency, 5% of 500s and a
    429 switched on, discovers every campaign through the brands, fetches all
    their orders concurrently and prints what it took. Your own SIGNALWIRE_*
    settings are ignored. Deterministic for a given --seed (but the time).
    """
    options = DemoOptions(
        seed=seed,
        brands=brands,
        campaigns_per_brand=campaigns_per_brand,
        orders_per_campaign=orders_per_campaign,
        concurrency=concurrency,
        max_concurrency=settings.max_concurrency,
    )
    with progress_bar() as progress:
        report = run(settings, run_demo(options, progress=progress))
    stdout_console().print(render_report(report))
    if not report.consistent:
        msg = f"fetched {report.orders} orders, the server holds {report.expected_orders}"
        raise CommandError(msg, EXIT_ERROR)
