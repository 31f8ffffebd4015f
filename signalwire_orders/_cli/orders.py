"""
The ``orders`` commands of the CLI: list (one, many or all campaigns), get, wait and create.

Defined as a free-standing click group; ``__init__`` attaches it to the root group.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Sequence
from typing import Final
from uuid import UUID

import click
from rich.console import Console

from signalwire_orders import CampaignResult, Order, OrderState

from .bulk import (
    CAMPAIGNS_FROM_OPTION,
    Bulk,
    check_failures,
    pick_campaigns,
    resolve_campaigns,
    results,
)
from .common import (
    ALL_CAMPAIGNS_OPTION,
    CAMPAIGN_IDS_ARGUMENT,
    CONCURRENCY_OPTION,
    FORMAT_OPTION,
    ONE_FORMAT_OPTION,
    ORDER_STATE_OPTION,
    PAGE_SIZE_OPTION,
    CliSettings,
    run,
    with_client,
)
from .output import (
    ORDER_FIELDS,
    RowWriter,
    current_stdout,
    plural,
    print_one,
    progress_bar,
    row,
    show_orders,
)

__all__ = ["orders"]

_E164: Final = re.compile(r"\+[1-9]\d{1,14}")


@click.group(short_help="List, get, create and wait for orders.")
def orders() -> None:
    """List, get, create and wait for orders (phone number assignment orders)."""


@orders.command("list")
@CAMPAIGN_IDS_ARGUMENT
@CAMPAIGNS_FROM_OPTION
@ALL_CAMPAIGNS_OPTION
@ORDER_STATE_OPTION
@CONCURRENCY_OPTION
@PAGE_SIZE_OPTION
@FORMAT_OPTION
@click.pass_obj
def orders_list(
    settings: CliSettings,
    *,
    campaign_ids: tuple[UUID, ...],
    campaigns_from: tuple[UUID, ...] | None,
    all_campaigns: bool,
    state: OrderState | None,
    concurrency: int,
    page_size: int | None,
    fmt: str,
) -> None:
    """
    List the orders of one or more campaigns (arguments, --campaigns-from), or of --all-campaigns.

    Every row carries its campaign id. With several campaigns they are fetched
    concurrently; json, jsonl and csv stream each campaign's orders as it
    completes, the table lists campaigns in the order given. A campaign that
    fails is reported on stderr, the others are still output (exit code 6).
    """
    chosen = pick_campaigns(campaign_ids, campaigns_from, all_campaigns=all_campaigns)
    bulk = Bulk(state=state, concurrency=concurrency, page_size=page_size)
    if len(chosen) == 1:
        run(settings, _list_one(settings, chosen[0], bulk, fmt))
    else:
        run(settings, _list_many(settings, chosen, bulk, fmt, all_campaigns=all_campaigns))


async def _list_one(settings: CliSettings, campaign_id: UUID, bulk: Bulk, fmt: str) -> None:
    async with settings.client() as client:
        listing = client.orders.list(campaign_id, state=bulk.state, page_size=bulk.page_size)
        if fmt == "table":
            rows = [(campaign_id, order) async for order in listing]
            title = f"Orders of campaign {campaign_id}"
            show_orders(rows, title=title, many=False)
            return
        with RowWriter(current_stdout(), fmt, ORDER_FIELDS) as writer:
            async for order in listing:
                writer.write(row(order, ORDER_FIELDS, campaign_id=campaign_id))


async def _list_many(
    settings: CliSettings, ids: Sequence[UUID], bulk: Bulk, fmt: str, *, all_campaigns: bool
) -> None:
    failed: list[CampaignResult] = []
    done: dict[UUID, tuple[Order, ...]] = {}
    async with settings.client() as client:
        with (
            progress_bar(streaming_to_stdout=fmt != "table") as progress,
            contextlib.ExitStack() as stack,
        ):
            ids = await resolve_campaigns(
                client, ids, all_campaigns=all_campaigns, progress=progress
            )
            writer = None
            if fmt != "table":
                writer = stack.enter_context(RowWriter(current_stdout(), fmt, ORDER_FIELDS))
            async for result in results(client, ids, bulk, progress):
                if result.error is not None:
                    failed.append(result)
                elif writer is None:
                    done[result.campaign_id] = result.orders
                else:
                    for order in result.orders:
                        writer.write(row(order, ORDER_FIELDS, campaign_id=result.campaign_id))
    if fmt == "table" and not (failed and len(failed) == len(ids)):
        rows = [(cid, order) for cid in ids if cid in done for order in done[cid]]
        title = f"Orders of {plural(len(done), 'campaign')}" + (
            f" ({len(failed)} failed)" if failed else ""
        )
        show_orders(rows, title=title, many=True)
    check_failures(failed, len(ids), settings.secrets)


@orders.command("get")
@click.argument("order_id", type=click.UUID)
@ONE_FORMAT_OPTION
@click.pass_obj
def orders_get(settings: CliSettings, order_id: UUID, fmt: str) -> None:
    """Show one order."""
    print_one(with_client(settings, lambda c: c.orders.get(order_id)), fmt)


@orders.command("wait")
@click.argument("order_id", type=click.UUID)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=300.0,
    show_default=True,
    metavar="S",
    help="Give up (exit 1) after this many seconds.",
)
@click.option(
    "--poll-interval",
    type=click.FloatRange(min=0),
    default=2.0,
    show_default=True,
    metavar="S",
    help="Seconds before the second poll; later polls back off 1.5x, up to 30 s.",
)
@ONE_FORMAT_OPTION
@click.pass_obj
def orders_wait(
    settings: CliSettings, order_id: UUID, timeout: float, poll_interval: float, fmt: str
) -> None:
    """
    Poll an order until it is processed or failed, then show it.

    The exit code is 0 whichever final state the order reached: read its state.
    """

    started = time.monotonic()
    polls: list[Order] = []

    def progress() -> str:
        state = (polls[-1].state or "no state") if polls else "not polled yet"
        elapsed = time.monotonic() - started
        return f"order {order_id}: {state} after {elapsed:.1f}s and {plural(len(polls), 'poll')}"

    async def wait() -> Order:
        async with settings.client() as client:
            with Console(stderr=True).status(progress()) as status:

                def on_poll(order: Order) -> None:
                    polls.append(order)
                    status.update(progress())

                return await client.orders.wait(
                    order_id,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max(30.0, poll_interval),
                    on_poll=on_poll,
                )

    order = run(settings, wait())
    click.echo(progress(), err=True)  # the status line vanishes (and shows only on a terminal)
    print_one(order, fmt)


def _e164(_ctx: click.Context, _param: click.Parameter, numbers: tuple[str, ...]) -> list[str]:
    bad = [number for number in numbers if not _E164.fullmatch(number)]
    if bad:
        msg = f"not E.164 phone numbers (like +15558675309): {', '.join(bad)}"
        raise click.BadParameter(msg)
    return list(numbers)


@orders.command("create")
@click.argument("campaign_id", type=click.UUID)
@click.argument("numbers", metavar="NUMBER...", nargs=-1, required=True, callback=_e164)
@click.option("--status-callback-url", metavar="URL", help="Where SignalWire posts 10DLC events.")
@ONE_FORMAT_OPTION
@click.pass_obj
def orders_create(
    settings: CliSettings,
    campaign_id: UUID,
    numbers: list[str],
    status_callback_url: str | None,
    fmt: str,
) -> None:
    """
    Create an order assigning phone numbers (E.164) to a campaign.

    A create whose answer is lost is never retried (you would get an error
    saying so): list the campaign's orders before trying again.
    """

    created = with_client(
        settings,
        lambda c: c.orders.create(campaign_id, numbers, status_callback_url=status_callback_url),
    )
    print_one(created, fmt)
