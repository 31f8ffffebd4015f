"""
Fetching the orders of many campaigns for the CLI: choosing them, fanning out, failures.

Shared by ``orders list`` and ``export``: campaigns come from arguments or from
``--all-campaigns``; their orders stream from ``client.orders.list_many`` with
a progress bar; campaigns that failed are reported one line each and turned
into an exit code (``EXIT_PARTIAL`` when others succeeded).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Final
from uuid import UUID

import attrs
import click
from rich.progress import Progress

from signalwire_orders import CampaignResult, Client, OrderState

from .common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    CommandError,
    exit_code_of,
    message_of,
    print_error,
)
from .output import plural

__all__ = [
    "Bulk",
    "check_failures",
    "fetching_progress",
    "pick_campaigns",
    "resolve_campaigns",
    "results",
]

_MAX_FAILURE_LINES: Final = 10


@attrs.frozen
class Bulk:
    """The options of a listing over many campaigns."""

    state: OrderState | None
    concurrency: int
    page_size: int | None


def pick_campaigns(ids: Sequence[UUID], *, all_campaigns: bool) -> None:
    """Refuse both or neither of CAMPAIGN_ID arguments and ``--all-campaigns``."""
    if all_campaigns == bool(ids):
        msg = "give one or more CAMPAIGN_ID or --all-campaigns (not both)"
        raise click.UsageError(msg)


async def resolve_campaigns(
    client: Client, ids: Sequence[UUID], *, all_campaigns: bool, progress: Progress
) -> list[UUID]:
    """The campaigns to fetch: each of ``ids`` once, or every campaign of every brand."""
    if not all_campaigns:
        return list(dict.fromkeys(ids))  # each campaign once, in the order given
    task = progress.add_task("Finding campaigns", total=None, orders=0)
    found: list[UUID] = []
    async for campaign in client.campaigns.list_all():
        found.append(campaign.id)
        progress.update(task, description=f"Finding campaigns: {len(found):,}")
    progress.remove_task(task)
    return found


def fetching_progress(progress: Progress, campaigns: int) -> Callable[[CampaignResult], None]:
    """Add a "Fetching orders" bar; the function returned counts one campaign's result in it."""
    task = progress.add_task("Fetching orders", total=campaigns, orders=0)
    fetched = 0

    def advance(result: CampaignResult) -> None:
        nonlocal fetched
        fetched += len(result.orders)
        progress.update(task, advance=1, orders=fetched)

    return advance


async def results(
    client: Client, ids: Sequence[UUID], bulk: Bulk, progress: Progress
) -> AsyncIterator[CampaignResult]:
    """Yield each campaign's result as it completes, advancing the progress bar."""
    advance = fetching_progress(progress, len(ids))
    found = client.orders.list_many(
        ids, state=bulk.state, concurrency=bulk.concurrency, page_size=bulk.page_size
    )
    async with contextlib.aclosing(found):
        async for result in found:
            advance(result)
            yield result


def check_failures(failed: Sequence[CampaignResult], total: int, secrets: Sequence[str]) -> None:
    """Report failed campaigns, one line each; raise the exit code they call for."""
    if not failed:
        return
    for result in failed[:_MAX_FAILURE_LINES]:
        print_error(
            f"campaign {result.campaign_id}: {message_of(result.error or Exception())}", secrets
        )
    if len(failed) > _MAX_FAILURE_LINES:
        more = plural(len(failed) - _MAX_FAILURE_LINES, "more failed campaign")
        print_error(f"... and {more}", secrets)
    if len(failed) == total:
        codes = {exit_code_of(result.error) for result in failed if result.error is not None}
        code = codes.pop() if len(codes) == 1 else EXIT_ERROR
        msg = f"all {total} campaigns failed" if total > 1 else "the campaign failed"
        raise CommandError(msg, code)
    others = plural(total - len(failed), "campaign")
    msg = (
        f"{len(failed):,} of {plural(total, 'campaign')} failed; "
        f"the orders of the other {others} were output"
    )
    raise CommandError(msg, EXIT_PARTIAL)
