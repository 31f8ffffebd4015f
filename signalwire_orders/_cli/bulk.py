"""
Fetching the orders of many campaigns for the CLI: choosing them, fanning out, failures.

Shared by ``orders list`` and ``export``: campaigns come from arguments, a
file (``--campaigns-from``, ``-`` for standard input) or ``--all-campaigns``;
their orders stream from ``client.orders.list_many`` with
a progress bar; campaigns that failed are reported one line each and turned
into an exit code (``EXIT_PARTIAL`` when others succeeded).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from typing import Final, TextIO
from uuid import UUID

import attrs
import click
from rich.progress import Progress

from signalwire_orders import (
    AuthenticationError,
    CampaignResult,
    Client,
    OrderState,
    PermissionDeniedError,
    SignalWireError,
)

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
    "CAMPAIGNS_FROM_OPTION",
    "Bulk",
    "campaign_ids_from",
    "check_failures",
    "fetching_progress",
    "pick_campaigns",
    "resolve_campaigns",
    "results",
    "stopped_by",
]

_MAX_FAILURE_LINES: Final = 10


@attrs.frozen
class Bulk:
    """The options of a listing over many campaigns."""

    state: OrderState | None
    concurrency: int
    page_size: int | None


_MAX_BAD_LINES: Final = 20


def campaign_ids_from(lines: Iterable[str], source: str) -> tuple[UUID, ...]:
    """
    The campaign ids of a file: one UUID per line, in order, each once.

    Blank lines and ``#`` comments (whole lines, or after an id) are ignored;
    an id given twice, in any letter case, counts once.

    Raises:
        click.BadParameter: Any line that is not a UUID, each named with its
            line number (the command exits 2, before any request).
    """
    found: dict[UUID, None] = {}
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        try:
            found[UUID(text)] = None
        except ValueError:
            bad.append(f"line {number}: {text[:60]!r} is not a campaign id (a UUID)")
    if bad:
        more = len(bad) - _MAX_BAD_LINES
        shown = "; ".join(bad[:_MAX_BAD_LINES]) + (
            f"; and {plural(more, 'more line')}" if more > 0 else ""
        )
        msg = f"{source}: {shown}"
        raise click.BadParameter(msg, param_hint="--campaigns-from")
    return tuple(found)


def _read_campaign_ids(
    _ctx: click.Context, _param: click.Parameter, handle: TextIO | None
) -> tuple[UUID, ...] | None:
    if handle is None:
        return None
    name = "standard input" if handle.name == "<stdin>" else handle.name
    with handle:  # closed now, even when a bad line stops the command (stdin is kept open)
        return campaign_ids_from(handle, name)


CAMPAIGNS_FROM_OPTION = click.option(
    "--campaigns-from",
    type=click.File("r", encoding="utf-8"),
    callback=_read_campaign_ids,
    metavar="FILE",
    help="Read campaign ids from FILE ('-' for standard input): one per line; blank lines "
    "and # comments are ignored, duplicates dropped.",
)


def pick_campaigns(
    ids: Sequence[UUID], from_file: Sequence[UUID] | None, *, all_campaigns: bool
) -> tuple[UUID, ...]:
    """
    The campaigns chosen by CAMPAIGN_ID arguments and ``--campaigns-from``, each once.

    Raises:
        click.UsageError: No campaign at all, or ids with ``--all-campaigns``.
    """
    chosen = tuple(dict.fromkeys([*ids, *(from_file or ())]))
    if all_campaigns and (ids or from_file is not None):
        msg = "give CAMPAIGN_ID arguments or --campaigns-from, or --all-campaigns, not both"
        raise click.UsageError(msg)
    if not all_campaigns and not chosen:
        if from_file is not None:
            msg = "--campaigns-from names no campaign (every line is blank or a comment)"
        else:
            msg = "give one or more CAMPAIGN_ID, --campaigns-from FILE or --all-campaigns"
        raise click.UsageError(msg)
    return chosen


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
    """
    Yield each campaign's result as it completes, advancing the progress bar.

    Raises:
        CommandError: A 401 or 403 stopped the fan-out (exit 4): one message,
            with how many campaigns were done before it.
    """
    advance = fetching_progress(progress, len(ids))
    done = 0
    try:
        async with client.orders.list_many(
            ids, state=bulk.state, concurrency=bulk.concurrency, page_size=bulk.page_size
        ) as found:
            async for result in found:
                advance(result)
                done += 1
                yield result
    except (AuthenticationError, PermissionDeniedError) as exc:
        raise stopped_by(exc, done, len(ids)) from exc


def stopped_by(exc: SignalWireError, done: int, total: int) -> CommandError:
    """The one error for a fan-out a 401 or 403 stopped, with what was done before it."""
    msg = f"{message_of(exc)} (stopped after {done:,} of {plural(total, 'campaign')})"
    return CommandError(msg, exit_code_of(exc))


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
