"""
The ``export`` command of the CLI: every order of some campaigns to a JSON Lines or CSV file.

Without ``--resume`` the file is written whole and replaces its target on success;
with it, `export_orders` appends campaign by campaign behind a checkpoint.

Defined as a free-standing click command; ``__init__`` attaches it to the root group.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from uuid import UUID

import click

from signalwire_orders import CampaignResult, export_orders

from .bulk import Bulk, check_failures, pick_campaigns, resolve_campaigns, results
from .common import (
    ALL_CAMPAIGNS_OPTION,
    CAMPAIGN_IDS_ARGUMENT,
    CONCURRENCY_OPTION,
    EXIT_ERROR,
    ORDER_STATE_OPTION,
    PAGE_SIZE_OPTION,
    CliSettings,
    CommandError,
    run,
)
from .output import ORDER_FIELDS, RowWriter, atomic_file, order_row, progress_bar

__all__ = ["export"]


@click.command(short_help="Write the orders of campaigns to a JSON Lines or CSV file.")
@CAMPAIGN_IDS_ARGUMENT
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The file to write (replaced only when the export succeeds).",
)
@ALL_CAMPAIGNS_OPTION
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("jsonl", "csv")),
    help="Default: csv if FILE ends in .csv, else jsonl.",
)
@ORDER_STATE_OPTION
@CONCURRENCY_OPTION
@PAGE_SIZE_OPTION
@click.option(
    "--resume",
    is_flag=True,
    help="Write campaign by campaign with a checkpoint (FILE.checkpoint); "
    "run again with --resume after a kill or failures to carry on.",
)
@click.pass_obj
def export(
    settings: CliSettings,
    *,
    campaign_ids: tuple[UUID, ...],
    out: Path,
    all_campaigns: bool,
    fmt: str | None,
    state: str | None,
    concurrency: int,
    page_size: int | None,
    resume: bool,
) -> None:
    """
    Write every order of some campaigns, or of --all-campaigns, to a file.

    One JSON object per line (id, campaign_id, state, created_at, updated_at,
    processed_at, status_callback_url; ISO 8601 times, null when absent) or
    CSV with a header row. The file appears only when the export ends: a
    failed run leaves nothing behind. Campaigns that fail are reported, the
    others are still written (exit code 6).

    With --resume, each finished campaign is appended and checkpointed
    instead: a run that was killed, or had failures, carries on where it
    stopped when run again with --resume, losing and repeating no order.
    """
    pick_campaigns(campaign_ids, all_campaigns)
    chosen = fmt or ("csv" if out.suffix.lower() == ".csv" else "jsonl")
    bulk = Bulk(state=state, concurrency=concurrency, page_size=page_size)
    if resume:
        resumable = _export_resumable(
            settings, ids=campaign_ids, all_campaigns=all_campaigns, bulk=bulk, out=out, fmt=chosen
        )
        run(settings, resumable)
        return
    job = _export(
        settings, ids=campaign_ids, all_campaigns=all_campaigns, bulk=bulk, out=out, fmt=chosen
    )
    run(settings, job)


async def _export(
    settings: CliSettings,
    *,
    ids: Sequence[UUID],
    all_campaigns: bool,
    bulk: Bulk,
    out: Path,
    fmt: str,
) -> None:
    started = time.monotonic()
    failed: list[CampaignResult] = []
    async with settings.client() as client:
        with progress_bar() as progress:
            ids = await resolve_campaigns(
                client, ids, all_campaigns=all_campaigns, progress=progress
            )
            with atomic_file(out) as stream, RowWriter(stream, fmt, ORDER_FIELDS) as writer:
                async for result in results(client, ids, bulk, progress):
                    if result.error is not None:
                        failed.append(result)
                    for order in result.orders:
                        writer.write(order_row(order, result.campaign_id))
                if failed and len(failed) == len(ids):
                    check_failures(failed, len(ids), settings.secrets)  # raises: no file
    done = len(ids) - len(failed)
    summary = (
        f"wrote {writer.count:,} orders of {done:,} campaigns to {out} "
        f"in {time.monotonic() - started:.2f}s"
    )
    click.echo(summary + (f"; {len(failed)} campaigns failed" if failed else ""), err=True)
    check_failures(failed, len(ids), settings.secrets)


async def _export_resumable(
    settings: CliSettings,
    *,
    ids: Sequence[UUID],
    all_campaigns: bool,
    bulk: Bulk,
    out: Path,
    fmt: str,
) -> None:
    started = time.monotonic()
    async with settings.client() as client:
        with progress_bar() as progress:
            ids = await resolve_campaigns(
                client, ids, all_campaigns=all_campaigns, progress=progress
            )
        try:
            summary = await export_orders(
                client,
                ids,
                out,
                fmt="csv" if fmt == "csv" else "jsonl",
                state=bulk.state,
                concurrency=bulk.concurrency,
                page_size=bulk.page_size,
                resume=True,
            )
        except (OSError, ValueError) as exc:
            raise CommandError(str(exc), EXIT_ERROR) from exc
    line = (
        f"wrote {summary.orders:,} orders of {summary.campaigns - summary.skipped:,} campaigns "
        f"to {out} ({summary.skipped:,} already there) in {time.monotonic() - started:.2f}s"
    )
    failed = [CampaignResult(campaign_id=cid, error=err) for cid, err in summary.failed]
    click.echo(line + (f"; {len(failed)} campaigns failed: run again" if failed else ""), err=True)
    check_failures(failed, len(ids), settings.secrets)
