"""
The ``export`` command of the CLI: every order of some campaigns to a JSON Lines or CSV file.

Both ways go through `signalwire_orders.export_orders`, the one writer of
export files: without ``--resume`` atomically (``atomic=True``: the file is
written whole beside its target and replaces it when the export ends), with
it campaign by campaign behind a checkpoint (``resume=True``).

Defined as a free-standing click command; ``__init__`` attaches it to the root group.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from uuid import UUID

import click

from signalwire_orders import (
    AuthenticationError,
    CampaignResult,
    ExportSummary,
    OrderState,
    PermissionDeniedError,
    export_orders,
)

from .bulk import (
    CAMPAIGNS_FROM_OPTION,
    Bulk,
    check_failures,
    fetching_progress,
    pick_campaigns,
    resolve_campaigns,
    stopped_by,
)
from .common import (
    ALL_CAMPAIGNS_OPTION,
    CAMPAIGN_IDS_ARGUMENT,
    CONCURRENCY_OPTION,
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_TERMINATED,
    ORDER_STATE_OPTION,
    PAGE_SIZE_OPTION,
    CliSettings,
    CommandError,
    Terminated,
    run,
)
from .output import plural, progress_bar

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
@CAMPAIGNS_FROM_OPTION
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
    campaigns_from: tuple[UUID, ...] | None,
    all_campaigns: bool,
    fmt: str | None,
    state: OrderState | None,
    concurrency: int,
    page_size: int | None,
    resume: bool,
) -> None:
    """
    Write every order of some campaigns (arguments, --campaigns-from), or of --all-campaigns.

    One JSON object per line (id, campaign_id, state, created_at, updated_at,
    processed_at, status_callback_url; ISO 8601 times, null when absent) or
    CSV with a header row. The file appears only when the export ends: a
    failed run leaves nothing behind. Campaigns that fail are reported, the
    others are still written (exit code 6).

    With --resume, each finished campaign is appended and checkpointed
    instead: a run that was killed, or had failures, carries on where it
    stopped when run again with --resume, losing and repeating no order.
    """
    ids = pick_campaigns(campaign_ids, campaigns_from, all_campaigns=all_campaigns)
    chosen = fmt or ("csv" if out.suffix.lower() == ".csv" else "jsonl")
    bulk = Bulk(state=state, concurrency=concurrency, page_size=page_size)
    job = _export(
        settings,
        ids=ids,
        all_campaigns=all_campaigns,
        bulk=bulk,
        out=out,
        fmt="csv" if chosen == "csv" else "jsonl",
        resume=resume,
    )
    try:
        run(settings, job)
    except (KeyboardInterrupt, Terminated) as exc:
        if resume:
            how = f"the campaigns finished so far are in {out}: run the same command to carry on"
        else:
            how = f"{out} was left as it was (nothing was written): run the command again"
        click.echo(f"interrupted: {how}", err=True)
        code = EXIT_TERMINATED if isinstance(exc, Terminated) else EXIT_INTERRUPTED
        raise click.exceptions.Exit(code) from None


async def _export(
    settings: CliSettings,
    *,
    ids: Sequence[UUID],
    all_campaigns: bool,
    bulk: Bulk,
    out: Path,
    fmt: Literal["jsonl", "csv"],
    resume: bool,
) -> None:
    started = time.monotonic()
    async with settings.client() as client:
        with progress_bar() as progress:
            ids = await resolve_campaigns(
                client, ids, all_campaigns=all_campaigns, progress=progress
            )
            # A resume skips the campaigns already there: no count to show progress of.
            advance = None if resume else fetching_progress(progress, len(ids))
            done = 0

            def on_result(result: CampaignResult) -> None:
                nonlocal done
                done += 1
                if advance is not None:
                    advance(result)

            try:
                summary = await export_orders(
                    client,
                    ids,
                    out,
                    fmt=fmt,
                    state=bulk.state,
                    concurrency=bulk.concurrency,
                    page_size=bulk.page_size,
                    resume=resume,
                    atomic=not resume,
                    on_result=on_result,
                )
            except (AuthenticationError, PermissionDeniedError) as exc:
                raise stopped_by(exc, done, len(ids)) from exc
            except (OSError, ValueError) as exc:
                raise CommandError(_cannot_write(out, exc), EXIT_ERROR) from exc
    failed = [CampaignResult(campaign_id=cid, error=err) for cid, err in summary.failed]
    every_one_failed = bool(failed) and len(failed) == len(ids)
    if resume or not every_one_failed:  # else no file was written: nothing to sum up
        click.echo(
            _summary_line(summary, elapsed=time.monotonic() - started, resume=resume), err=True
        )
    check_failures(failed, len(ids), settings.secrets)


def _cannot_write(out: Path, exc: OSError | ValueError) -> str:
    if isinstance(exc, OSError) and exc.strerror:  # the system's reason, not its errno dump
        return f"cannot write {out}: {exc.strerror}"
    return str(exc)  # our own message (an unfinished checkpoint, another format...)


def _summary_line(summary: ExportSummary, *, elapsed: float, resume: bool) -> str:
    failed = len(summary.failed)
    if resume:
        done = summary.campaigns - summary.skipped
        where = f"{summary.path} ({summary.skipped:,} already there)"
        after = f"; {plural(failed, 'campaign')} failed: run again" if failed else ""
        if summary.complete and done == 0:
            after = (
                "; the export was already complete, so nothing was fetched "
                "(delete the file and its .checkpoint to export again)"
            )
    else:
        done, where = summary.campaigns, str(summary.path)
        after = f"; {plural(failed, 'campaign')} failed" if failed else ""
    return (
        f"wrote {plural(summary.orders, 'order')} of {plural(done, 'campaign')} to {where} "
        f"in {elapsed:.2f}s" + after
    )
