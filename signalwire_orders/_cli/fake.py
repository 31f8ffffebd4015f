"""
The CLI commands that need no account: ``fake-server`` serves the embedded fake, ``demo`` uses it.

``fake-server`` builds its click options from the fake's own option table
(``signalwire_orders.testing._options``, also behind ``python -m
signalwire_orders.testing``), so the two command lines cannot drift apart.

Defined as free-standing click commands; ``__init__`` attaches them to the root group.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any, TypeVar

import click

from signalwire_orders.testing import (
    COMMAND_LINE_OPTIONS,
    ServerOption,
    server_banner,
    server_from_options,
)

from .common import CONCURRENCY_OPTION, EXIT_ERROR, CliSettings, CommandError, run
from .demo import DemoOptions, render_report, run_demo
from .output import progress_bar, stdout_console

__all__ = ["demo", "fake_server"]

F = TypeVar("F", bound=Callable[..., Any])


def _click_option(option: ServerOption) -> Callable[[F], F]:
    """The click option for one row of the fake server's option table."""
    if option.is_flag:
        return click.option(option.name, is_flag=True, help=option.help)
    bounds = (option.minimum, option.maximum)
    kind: object = option.type  # click takes int, float and str as they are
    if bounds != (None, None):
        kind = click.IntRange(*bounds) if option.type is int else click.FloatRange(*bounds)
    return click.option(
        option.name,
        type=kind,
        default=option.default,
        show_default=True,
        metavar=option.metavar,
        help=option.help,
    )


def _fake_server_options(command: F) -> F:
    """Every option of ``python -m signalwire_orders.testing``, from the same table."""
    # Decorators apply bottom up: reversed, the options show in the table's order.
    for option in reversed(COMMAND_LINE_OPTIONS):
        command = _click_option(option)(command)
    return command


@click.command("fake-server")
@_fake_server_options
def fake_server(**values: object) -> None:
    """
    Serve the embedded fake Campaign Registry API until Ctrl-C.

    It prints the variables that point this CLI (or the library) at it. Its
    credentials are fixed test values, not secrets. The options are those of
    python -m signalwire_orders.testing.
    """
    server = server_from_options(values)

    async def serve() -> None:
        await server.start()
        click.echo(server_banner(server), nl=False)
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
