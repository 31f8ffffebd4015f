"""
The ``signalwire-orders`` command line (SPEC section 6): click for arguments, rich for people.

The only module that prints (STYLE.md). Each command builds a `Client` from the
environment merged with a ``.env`` file (credentials never come from an
argument, which would show in ``ps``), runs one ``asyncio.run``, and maps what
went wrong to an exit code that scripts can test (see ``EXIT_*``). Tables go to
stdout for people; ``--format json|jsonl|csv`` writes plain data and nothing
else; progress bars go to stderr, and only when it is a terminal.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import errno
import json
import logging
import os
import re
import sys
import tempfile
import time
import traceback
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Callable,
    Coroutine,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final, NoReturn, Self, TextIO, TypeVar
from uuid import UUID

import attrs
import click
from dotenv import dotenv_values
from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from . import (
    AuthenticationError,
    Brand,
    BrandState,
    Campaign,
    CampaignResult,
    CampaignState,
    Client,
    ConfigurationError,
    NotFoundError,
    Order,
    OrderState,
    PermissionDeniedError,
    SignalWireError,
    __version__,
    export_orders,
)
from ._demo import DemoOptions, render_report, run_demo
from .testing import FakeServer

__all__ = [
    "BRAND_FIELDS",
    "CAMPAIGN_FIELDS",
    "EXIT_AUTH",
    "EXIT_CONFIG",
    "EXIT_ERROR",
    "EXIT_INTERRUPTED",
    "EXIT_NOT_FOUND",
    "EXIT_OK",
    "EXIT_PARTIAL",
    "EXIT_USAGE",
    "ORDER_FIELDS",
    "cli",
    "exit_code_of",
    "main",
]

T = TypeVar("T")

EXIT_OK: Final = 0
EXIT_ERROR: Final = 1  # any other SignalWireError (network, 5xx, bad body...)
EXIT_USAGE: Final = 2  # click's own code for a usage error
EXIT_CONFIG: Final = 3  # ConfigurationError: missing or malformed settings
EXIT_AUTH: Final = 4  # 401 or 403
EXIT_NOT_FOUND: Final = 5  # 404
EXIT_PARTIAL: Final = 6  # some campaigns failed; the others were output
EXIT_INTERRUPTED: Final = 130  # Ctrl-C

FORMATS: Final = ("table", "json", "jsonl", "csv")
ORDER_FIELDS: Final = (
    "id",
    "campaign_id",
    "state",
    "created_at",
    "updated_at",
    "processed_at",
    "status_callback_url",
)
CAMPAIGN_FIELDS: Final = ("id", "name", "state", "sms_use_case", "created_at", "updated_at")
BRAND_FIELDS: Final = (
    "id",
    "name",
    "company_name",
    "state",
    "company_vertical",
    "created_at",
    "updated_at",
)
DEFAULT_BULK_CONCURRENCY: Final = 16
_CREDENTIALS: Final = ("SIGNALWIRE_PROJECT_ID", "SIGNALWIRE_API_TOKEN")
_E164: Final = re.compile(r"\+[1-9]\d{1,14}")
_MAX_FAILURE_LINES: Final = 10
_MIN_SECRET_LENGTH: Final = 4  # redacting a 1-character "token" would mangle every message
_PIPE_TABLE_WIDTH: Final = 200  # tables piped to a file are not squeezed to 80 columns
_STATE_STYLES: Final = {
    "processed": "green",
    "completed": "green",
    "active": "green",
    "processing": "cyan",
    "pending": "yellow",
    "failed": "red",
    "unverified": "red",
    "inactive": "dim",
}

_EPILOG = """\b
Exit codes:
  0    success
  1    any other error (network, 5xx, unexpected response, wait timeout)
  2    usage error (bad option or argument, e.g. a campaign id that is not a UUID)
  3    configuration error (missing or malformed settings or credentials)
  4    authentication or permission denied (401, 403)
  5    not found (404)
  6    partial failure: some campaigns failed, the others were output
  130  interrupted (Ctrl-C)

\b
Settings come from the environment, or a .env file (which wins over it):
  SIGNALWIRE_PROJECT_ID, SIGNALWIRE_API_TOKEN   credentials (never an option)
  SIGNALWIRE_SPACE                              e.g. "example" (example.signalwire.com)
  SIGNALWIRE_REST_BASE_URL                      a full base URL instead, e.g. a fake server
"""


class _CommandError(Exception):
    """An error the CLI reports itself: one line and an exit code."""

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@attrs.frozen
class _Settings:
    """What the global options and the environment say; builds the client."""

    env: Mapping[str, str] = attrs.field(repr=False)
    space: str | None
    base_url: str | None
    max_concurrency: int | None
    debug: bool

    @property
    def secrets(self) -> list[str]:
        """Values that must never be shown (the API token)."""
        return _secrets(self.env)

    def client(self) -> Client:
        """A client for these settings (credentials from ``env`` only)."""
        missing = [name for name in _CREDENTIALS if not self.env.get(name, "").strip()]
        if missing:  # said here, as the library's message suggests arguments the CLI lacks
            where = "the environment or a .env file (see --env-file)"
            msg = f"missing credentials: set {' and '.join(missing)} in {where}"
            raise _CommandError(msg, EXIT_CONFIG)
        if self.max_concurrency is None:
            return Client(space=self.space, base_url=self.base_url, env=self.env)
        return Client(
            space=self.space,
            base_url=self.base_url,
            env=self.env,
            max_concurrency=self.max_concurrency,
        )


def _secrets(env: Mapping[str, str]) -> list[str]:
    tokens = {env.get("SIGNALWIRE_API_TOKEN", ""), os.environ.get("SIGNALWIRE_API_TOKEN", "")}
    return sorted((t for t in tokens if len(t) >= _MIN_SECRET_LENGTH), key=len, reverse=True)


def _redact(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def exit_code_of(exc: BaseException) -> int:
    """
    Return the documented exit code for an exception.

    Example::

        assert exit_code_of(NotFoundError("x", status=404, method="GET", url="u")) == 5
    """
    if isinstance(exc, _CommandError):
        return exc.exit_code
    if isinstance(exc, ConfigurationError):
        return EXIT_CONFIG
    if isinstance(exc, AuthenticationError | PermissionDeniedError):
        return EXIT_AUTH
    if isinstance(exc, NotFoundError):
        return EXIT_NOT_FOUND
    return EXIT_ERROR


def _message(exc: BaseException) -> str:
    if isinstance(exc, SignalWireError | _CommandError | OSError):
        text = str(exc) or type(exc).__name__
    else:  # a bug: say so, and where to see more
        text = f"unexpected {type(exc).__name__}: {exc} (run with --debug for the traceback)"
    return " ".join(text.split())  # one line, whatever the message holds


def _error(line: str, secrets: Iterable[str]) -> None:
    click.echo(f"error: {_redact(line, secrets)}", err=True)


class _Group(click.Group):
    """The root group: turns every error of a command into one line and an exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            raise click.exceptions.Exit(EXIT_INTERRUPTED) from None
        except OSError as exc:
            if exc.errno == errno.EPIPE:
                raise  # click quiets a closed pipe (``| head``) itself
            self._report(ctx, exc)
        except Exception as exc:  # noqa: BLE001  # every failure becomes one line and a code
            self._report(ctx, exc)

    @staticmethod
    def _report(ctx: click.Context, exc: Exception) -> NoReturn:
        settings = ctx.obj if isinstance(ctx.obj, _Settings) else None
        secrets = settings.secrets if settings is not None else _secrets({})
        if settings is not None and settings.debug:
            trace = "".join(traceback.format_exception(exc))
            click.echo(_redact(trace, secrets), err=True, nl=False)
        _error(_message(exc), secrets)
        raise click.exceptions.Exit(exit_code_of(exc)) from None


@contextlib.contextmanager
def _debug_logging(enabled: bool, secrets: Sequence[str]) -> Iterator[None]:
    """Send the library's DEBUG logs to stderr for the duration of a command."""
    if not enabled:
        yield
        return
    logger = logging.getLogger("signalwire_orders")
    handler = RichHandler(console=Console(stderr=True), show_path=False, rich_tracebacks=False)

    def redact(record: logging.LogRecord) -> bool:
        record.msg = _redact(record.getMessage(), secrets)
        record.args = None
        return True

    handler.addFilter(redact)
    previous = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        yield
    finally:
        logger.removeHandler(handler)
        logger.setLevel(previous)


def _run(settings: _Settings, main: Coroutine[Any, Any, T]) -> T:
    """Run one command's coroutine in a fresh event loop."""
    with _debug_logging(settings.debug, settings.secrets):
        return asyncio.run(main)


# -- output -----------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _str(value: object) -> str | None:
    return None if value is None else str(value)


def _order_row(order: Order, campaign_id: UUID | None = None) -> dict[str, str | None]:
    """Flatten an order for JSON or CSV: ISO 8601 times, ``None`` for missing fields."""
    row: dict[str, str | None] = {"id": str(order.id)}
    if campaign_id is not None:
        row["campaign_id"] = str(campaign_id)
    row["state"] = _str(order.state)
    row["created_at"] = _iso(order.created_at)
    row["updated_at"] = _iso(order.updated_at)
    row["processed_at"] = _iso(order.processed_at)
    row["status_callback_url"] = order.status_callback_url
    return row


def _campaign_row(campaign: Campaign) -> dict[str, str | None]:
    return {
        "id": str(campaign.id),
        "name": campaign.name,
        "state": _str(campaign.state),
        "sms_use_case": campaign.sms_use_case,
        "created_at": _iso(campaign.created_at),
        "updated_at": _iso(campaign.updated_at),
    }


def _brand_row(brand: Brand) -> dict[str, str | None]:
    return {
        "id": str(brand.id),
        "name": brand.name,
        "company_name": brand.company_name,
        "state": _str(brand.state),
        "company_vertical": brand.company_vertical,
        "created_at": _iso(brand.created_at),
        "updated_at": _iso(brand.updated_at),
    }


class _RowWriter:
    """Writes rows as one JSON array, JSON Lines or CSV with a header, streaming."""

    def __init__(self, stream: TextIO, fmt: str, fields: Sequence[str]) -> None:
        self._stream = stream
        self._fmt = fmt
        self._fields = fields
        self._csv = csv.writer(stream, lineterminator="\n")
        self.count = 0

    def __enter__(self) -> Self:
        if self._fmt == "csv":
            self._csv.writerow(self._fields)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None and self._fmt == "json":
            self._stream.write("[]\n" if self.count == 0 else "\n]\n")
        self._stream.flush()

    def write(self, row: Mapping[str, str | None]) -> None:
        if self._fmt == "csv":
            values = ["" if row.get(field) is None else row.get(field) for field in self._fields]
            self._csv.writerow(values)
        elif self._fmt == "json":
            self._stream.write(("[\n  " if self.count == 0 else ",\n  ") + json.dumps(row))
        else:
            self._stream.write(json.dumps(row) + "\n")
        self.count += 1


def _stdout() -> TextIO:
    return sys.stdout  # looked up per call: click's CliRunner swaps it


def _console() -> Console:
    console = Console(highlight=False)
    if not console.is_terminal:
        console.width = max(console.width, _PIPE_TABLE_WIDTH)
    return console


def _when(value: datetime | None) -> Text:
    if value is None:
        return Text("-", style="dim")
    return Text(value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"))


def _state_text(state: object) -> Text:
    text = _str(state)
    return Text(text or "-", style=_STATE_STYLES.get(text or "", "dim"))


def _by_state(states: Iterable[object]) -> str:
    counts = Counter(_str(state) or "no state" for state in states)
    return ", ".join(f"{n:,} {state}" for state, n in counts.most_common())


def _show(table: Table, *, title: str, caption: str) -> None:
    # Title and caption outside the table: rich would pad them to its width with spaces.
    console = _console()
    console.print(Text(title, style="bold"))
    console.print(table)
    console.print(Text(caption))


def _show_orders(rows: Sequence[tuple[UUID, Order]], *, title: str, many: bool) -> None:
    table = Table()
    if many:
        table.add_column("campaign", no_wrap=True)
    table.add_column("order id", no_wrap=True)
    table.add_column("state")
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("processed (UTC)", no_wrap=True)
    table.add_column("updated (UTC)", no_wrap=True)
    for campaign_id, order in rows:
        cells = [Text(str(campaign_id))] if many else []
        cells += [
            Text(str(order.id)),
            _state_text(order.state),
            _when(order.created_at),
            _when(order.processed_at),
            _when(order.updated_at),
        ]
        table.add_row(*cells)
    noun = "order" if len(rows) == 1 else "orders"
    breakdown = _by_state(order.state for _, order in rows)
    _show(table, title=title, caption=f"{len(rows):,} {noun}" + (f": {breakdown}" if rows else ""))


def _order_table(order: Order) -> Table:
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for field, value in _order_row(order).items():
        cell = _state_text(value) if field == "state" else Text(value or "-")
        table.add_row(field, cell)
    return table


def _print_one(order: Order, fmt: str) -> None:
    if fmt == "table":
        _console().print(_order_table(order))
    else:
        click.echo(json.dumps(_order_row(order), indent=2))


def _progress(*, streaming_to_stdout: bool = False) -> Progress:
    """A progress bar on stderr, shown only when stderr is a terminal (and not fighting stdout)."""
    console = Console(stderr=True)
    shown = console.is_terminal and not (streaming_to_stdout and _stdout().isatty())
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[orders]:,} orders"),
        TimeElapsedColumn(),
        console=console,
        disable=not shown,
        transient=True,
        redirect_stdout=False,  # rows on stdout must never be diverted to stderr
        redirect_stderr=False,
    )


# -- bulk work ----------------------------------------------------------------------------


@attrs.frozen
class _Bulk:
    """The options of a listing over many campaigns."""

    state: str | None
    concurrency: int
    page_size: int | None


async def _campaign_ids(
    client: Client, ids: Sequence[UUID], *, all_campaigns: bool, progress: Progress
) -> list[UUID]:
    if not all_campaigns:
        return list(dict.fromkeys(ids))  # each campaign once, in the order given
    task = progress.add_task("Finding campaigns", total=None, orders=0)
    found: list[UUID] = []
    async for campaign in client.campaigns.list_all():
        found.append(campaign.id)
        progress.update(task, description=f"Finding campaigns: {len(found):,}")
    progress.remove_task(task)
    return found


async def _results(
    client: Client, ids: Sequence[UUID], bulk: _Bulk, progress: Progress
) -> AsyncIterator[CampaignResult]:
    task = progress.add_task("Fetching orders", total=len(ids), orders=0)
    fetched = 0
    results = client.orders.list_many(
        ids, state=bulk.state, concurrency=bulk.concurrency, page_size=bulk.page_size
    )
    async with contextlib.aclosing(results):
        async for result in results:
            fetched += len(result.orders)
            progress.update(task, advance=1, orders=fetched)
            yield result


def _check_failures(failed: Sequence[CampaignResult], total: int, secrets: Sequence[str]) -> None:
    """Report failed campaigns, one line each; raise the exit code they call for."""
    if not failed:
        return
    for result in failed[:_MAX_FAILURE_LINES]:
        _error(f"campaign {result.campaign_id}: {_message(result.error or Exception())}", secrets)
    if len(failed) > _MAX_FAILURE_LINES:
        _error(f"... and {len(failed) - _MAX_FAILURE_LINES} more failed campaigns", secrets)
    if len(failed) == total:
        codes = {exit_code_of(result.error) for result in failed if result.error is not None}
        code = codes.pop() if len(codes) == 1 else EXIT_ERROR
        msg = f"all {total} campaigns failed" if total > 1 else "the campaign failed"
        raise _CommandError(msg, code)
    others = total - len(failed)
    msg = f"{len(failed)} of {total} campaigns failed; the orders of the other {others} were output"
    raise _CommandError(msg, EXIT_PARTIAL)


# -- the root group -------------------------------------------------------------------------


def _load_env(env_file: Path | None) -> dict[str, str]:
    """``os.environ`` with the ``.env`` file's values over it; ``os.environ`` is not touched."""
    if env_file is None:
        default = Path(".env")
        env_file = default if default.is_file() else None
    merged = dict(os.environ)
    if env_file is not None:
        values = dotenv_values(env_file)
        merged.update({name: value for name, value in values.items() if value is not None})
    return merged


@click.group(name="signalwire-orders", cls=_Group, epilog=_EPILOG)
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this .env file (default: ./.env if present); it wins over the "
    "environment.",
)
@click.option("--base-url", metavar="URL", help="API origin, e.g. a fake server's (not secret).")
@click.option("--space", metavar="NAME", help="SignalWire space, e.g. 'example'.")
@click.option("--debug", is_flag=True, help="Show tracebacks and DEBUG logs on stderr.")
@click.option(
    "--max-concurrency",
    type=click.IntRange(min=1),
    metavar="N",
    help="Requests in flight across the whole client (default 32).",
)
@click.version_option(__version__, prog_name="signalwire-orders")
@click.pass_context
def cli(
    ctx: click.Context,
    *,
    env_file: Path | None,
    base_url: str | None,
    space: str | None,
    debug: bool,
    max_concurrency: int | None,
) -> None:
    """
    Phone number assignment orders of SignalWire's Campaign Registry (10DLC).

    List orders of one, many or all campaigns, get, create and wait for
    orders, list campaigns and brands, export to JSON Lines or CSV, or try it
    all against the embedded fake server with no account: `signalwire-orders demo`.
    """
    ctx.obj = _Settings(
        env=_load_env(env_file),
        space=space,
        base_url=base_url,
        max_concurrency=max_concurrency,
        debug=debug,
    )


def main(argv: Sequence[str] | None = None) -> None:
    """
    Run the CLI (the ``signalwire-orders`` console script); exits with the command's code.

    Example::

        main(["orders", "list", "--all-campaigns", "--format", "jsonl"])
    """
    cli.main(args=list(argv) if argv is not None else None)


# -- shared options -----------------------------------------------------------------------

_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="table",
    show_default=True,
    help="table for people; json (one array), jsonl or csv for machines.",
)
_ONE_FORMAT = click.option(
    "--format",
    "fmt",
    type=click.Choice(("table", "json")),
    default="table",
    show_default=True,
    help="table for people; json (one object) for machines.",
)
_ORDER_STATE = click.option(
    "--state", type=click.Choice([s.value for s in OrderState]), help="Only orders in this state."
)
_CONCURRENCY = click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=DEFAULT_BULK_CONCURRENCY,
    show_default=True,
    metavar="N",
    help="Campaigns fetched at once.",
)
_PAGE_SIZE = click.option(
    "--page-size", type=click.IntRange(1, 1000), metavar="N", help="Items per page (1..1000)."
)
_ALL_CAMPAIGNS = click.option(
    "--all-campaigns", is_flag=True, help="Every campaign of every brand, instead of ids."
)
_CAMPAIGN_IDS = click.argument(
    "campaign_ids", metavar="[CAMPAIGN_ID]...", nargs=-1, type=click.UUID
)
_NAME = click.option("--name", help="Only those whose name contains this (any case).")


def _pick_campaigns(ids: Sequence[UUID], all_campaigns: bool) -> None:
    if all_campaigns == bool(ids):
        msg = "give one or more CAMPAIGN_ID or --all-campaigns (not both)"
        raise click.UsageError(msg)


# -- orders ---------------------------------------------------------------------------------


@cli.group(short_help="List, get, create and wait for orders.")
def orders() -> None:
    """List, get, create and wait for orders (phone number assignment orders)."""


@orders.command("list")
@_CAMPAIGN_IDS
@_ALL_CAMPAIGNS
@_ORDER_STATE
@_CONCURRENCY
@_PAGE_SIZE
@_FORMAT
@click.pass_obj
def orders_list(
    settings: _Settings,
    *,
    campaign_ids: tuple[UUID, ...],
    all_campaigns: bool,
    state: str | None,
    concurrency: int,
    page_size: int | None,
    fmt: str,
) -> None:
    """
    List the orders of one or more campaigns, or of --all-campaigns.

    Every row carries its campaign id. With several campaigns they are fetched
    concurrently; json, jsonl and csv stream each campaign's orders as it
    completes, the table lists campaigns in the order given. A campaign that
    fails is reported on stderr, the others are still output (exit code 6).
    """
    _pick_campaigns(campaign_ids, all_campaigns)
    bulk = _Bulk(state=state, concurrency=concurrency, page_size=page_size)
    if len(campaign_ids) == 1:
        _run(settings, _list_one(settings, campaign_ids[0], bulk, fmt))
    else:
        _run(settings, _list_many(settings, campaign_ids, all_campaigns, bulk, fmt))


async def _list_one(settings: _Settings, campaign_id: UUID, bulk: _Bulk, fmt: str) -> None:
    async with settings.client() as client:
        listing = client.orders.list(campaign_id, state=bulk.state, page_size=bulk.page_size)
        if fmt == "table":
            rows = [(campaign_id, order) async for order in listing]
            title = f"Orders of campaign {campaign_id}"
            _show_orders(rows, title=title, many=False)
            return
        with _RowWriter(_stdout(), fmt, ORDER_FIELDS) as writer:
            async for order in listing:
                writer.write(_order_row(order, campaign_id))


async def _list_many(
    settings: _Settings, ids: Sequence[UUID], all_campaigns: bool, bulk: _Bulk, fmt: str
) -> None:
    failed: list[CampaignResult] = []
    done: dict[UUID, tuple[Order, ...]] = {}
    async with settings.client() as client:
        with (
            _progress(streaming_to_stdout=fmt != "table") as progress,
            contextlib.ExitStack() as stack,
        ):
            ids = await _campaign_ids(client, ids, all_campaigns=all_campaigns, progress=progress)
            writer = None
            if fmt != "table":
                writer = stack.enter_context(_RowWriter(_stdout(), fmt, ORDER_FIELDS))
            async for result in _results(client, ids, bulk, progress):
                if result.error is not None:
                    failed.append(result)
                elif writer is None:
                    done[result.campaign_id] = result.orders
                else:
                    for order in result.orders:
                        writer.write(_order_row(order, result.campaign_id))
    if fmt == "table" and not (failed and len(failed) == len(ids)):
        rows = [(cid, order) for cid in ids if cid in done for order in done[cid]]
        title = f"Orders of {len(done):,} campaigns" + (
            f" ({len(failed)} failed)" if failed else ""
        )
        _show_orders(rows, title=title, many=True)
    _check_failures(failed, len(ids), settings.secrets)


@orders.command("get")
@click.argument("order_id", type=click.UUID)
@_ONE_FORMAT
@click.pass_obj
def orders_get(settings: _Settings, order_id: UUID, fmt: str) -> None:
    """Show one order."""

    async def get() -> Order:
        async with settings.client() as client:
            return await client.orders.get(order_id)

    _print_one(_run(settings, get()), fmt)


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
@_ONE_FORMAT
@click.pass_obj
def orders_wait(
    settings: _Settings, order_id: UUID, timeout: float, poll_interval: float, fmt: str
) -> None:
    """
    Poll an order until it is processed or failed, then show it.

    The exit code is 0 whichever final state the order reached: read its state.
    """

    async def wait() -> Order:
        async with settings.client() as client:
            with Console(stderr=True).status(f"Waiting for order {order_id}"):
                return await client.orders.wait(
                    order_id,
                    timeout=timeout,
                    poll_interval=poll_interval,
                    max_poll_interval=max(30.0, poll_interval),
                )

    _print_one(_run(settings, wait()), fmt)


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
@_ONE_FORMAT
@click.pass_obj
def orders_create(
    settings: _Settings,
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

    async def create() -> Order:
        async with settings.client() as client:
            return await client.orders.create(
                campaign_id, numbers, status_callback_url=status_callback_url
            )

    _print_one(_run(settings, create()), fmt)


# -- campaigns and brands -------------------------------------------------------------------


def _print_rows(
    items: Sequence[T],
    to_row: Callable[[T], dict[str, str | None]],
    fields: Sequence[str],
    *,
    fmt: str,
    title: str,
) -> None:
    rows = [to_row(item) for item in items]
    if fmt != "table":
        with _RowWriter(_stdout(), fmt, fields) as writer:
            for row in rows:
                writer.write(row)
        return
    table = Table()
    for field in fields:
        table.add_column(field.replace("_", " "), no_wrap=field == "id" or field.endswith("_at"))
    for item, row in zip(items, rows, strict=True):
        cells = [
            _when(getattr(item, field))
            if field.endswith("_at")
            else _state_text(row[field])
            if field == "state"
            else Text(row[field] or "-")
            for field in fields
        ]
        table.add_row(*cells)
    breakdown = _by_state(row["state"] for row in rows)
    _show(table, title=title, caption=f"{len(rows):,} total" + (f": {breakdown}" if rows else ""))


@cli.group()
def campaigns() -> None:
    """List 10DLC campaigns."""


@campaigns.command("list")
@click.option("--brand", "brand_id", type=click.UUID, help="Only this brand's (default: all).")
@click.option("--state", type=click.Choice([s.value for s in CampaignState]))
@_NAME
@_FORMAT
@click.pass_obj
def campaigns_list(
    settings: _Settings, brand_id: UUID | None, state: str | None, name: str | None, fmt: str
) -> None:
    """List the campaigns of one brand, or of every brand."""

    async def fetch() -> list[Campaign]:
        async with settings.client() as client:
            if brand_id is None:
                found = client.campaigns.list_all(name=name, state=state)
            else:
                found = client.campaigns.list(brand_id, name=name, state=state)
            return [campaign async for campaign in found]

    title = "Campaigns" + (f" of brand {brand_id}" if brand_id else " of every brand")
    _print_rows(_run(settings, fetch()), _campaign_row, CAMPAIGN_FIELDS, fmt=fmt, title=title)


@cli.group()
def brands() -> None:
    """List 10DLC brands."""


@brands.command("list")
@click.option("--state", type=click.Choice([s.value for s in BrandState]))
@_NAME
@_FORMAT
@click.pass_obj
def brands_list(settings: _Settings, state: str | None, name: str | None, fmt: str) -> None:
    """List the project's brands."""

    async def fetch() -> list[Brand]:
        async with settings.client() as client:
            return [brand async for brand in client.brands.list(name=name, state=state)]

    _print_rows(_run(settings, fetch()), _brand_row, BRAND_FIELDS, fmt=fmt, title="Brands")


# -- export ---------------------------------------------------------------------------------


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def _atomic_file(path: Path) -> Iterator[TextIO]:
    """Write a temporary file beside ``path``; move it over ``path`` only on success."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise _CommandError(msg, EXIT_ERROR) from exc
    temporary = Path(name)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as stream:
            yield stream
            stream.flush()
            os.fsync(stream.fileno())
        temporary.chmod(_file_mode())  # mkstemp's 0600 is not what a user expects of a file
        temporary.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            temporary.unlink()
        raise


@cli.command(short_help="Write the orders of campaigns to a JSON Lines or CSV file.")
@_CAMPAIGN_IDS
@click.option(
    "--out",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="The file to write (replaced only when the export succeeds).",
)
@_ALL_CAMPAIGNS
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("jsonl", "csv")),
    help="Default: csv if FILE ends in .csv, else jsonl.",
)
@_ORDER_STATE
@_CONCURRENCY
@_PAGE_SIZE
@click.option(
    "--resume",
    is_flag=True,
    help="Write campaign by campaign with a checkpoint (FILE.checkpoint); "
    "run again with --resume after a kill or failures to carry on.",
)
@click.pass_obj
def export(
    settings: _Settings,
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
    _pick_campaigns(campaign_ids, all_campaigns)
    chosen = fmt or ("csv" if out.suffix.lower() == ".csv" else "jsonl")
    bulk = _Bulk(state=state, concurrency=concurrency, page_size=page_size)
    if resume:
        resumable = _export_resumable(
            settings, ids=campaign_ids, all_campaigns=all_campaigns, bulk=bulk, out=out, fmt=chosen
        )
        _run(settings, resumable)
        return
    job = _export(
        settings, ids=campaign_ids, all_campaigns=all_campaigns, bulk=bulk, out=out, fmt=chosen
    )
    _run(settings, job)


async def _export(
    settings: _Settings,
    *,
    ids: Sequence[UUID],
    all_campaigns: bool,
    bulk: _Bulk,
    out: Path,
    fmt: str,
) -> None:
    started = time.monotonic()
    failed: list[CampaignResult] = []
    async with settings.client() as client:
        with _progress() as progress:
            ids = await _campaign_ids(client, ids, all_campaigns=all_campaigns, progress=progress)
            with _atomic_file(out) as stream, _RowWriter(stream, fmt, ORDER_FIELDS) as writer:
                async for result in _results(client, ids, bulk, progress):
                    if result.error is not None:
                        failed.append(result)
                    for order in result.orders:
                        writer.write(_order_row(order, result.campaign_id))
                if failed and len(failed) == len(ids):
                    _check_failures(failed, len(ids), settings.secrets)  # raises: no file
    done = len(ids) - len(failed)
    summary = (
        f"wrote {writer.count:,} orders of {done:,} campaigns to {out} "
        f"in {time.monotonic() - started:.2f}s"
    )
    click.echo(summary + (f"; {len(failed)} campaigns failed" if failed else ""), err=True)
    _check_failures(failed, len(ids), settings.secrets)


async def _export_resumable(
    settings: _Settings,
    *,
    ids: Sequence[UUID],
    all_campaigns: bool,
    bulk: _Bulk,
    out: Path,
    fmt: str,
) -> None:
    started = time.monotonic()
    async with settings.client() as client:
        with _progress() as progress:
            ids = await _campaign_ids(client, ids, all_campaigns=all_campaigns, progress=progress)
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
            raise _CommandError(str(exc), EXIT_ERROR) from exc
    line = (
        f"wrote {summary.orders:,} orders of {summary.campaigns - summary.skipped:,} campaigns "
        f"to {out} ({summary.skipped:,} already there) in {time.monotonic() - started:.2f}s"
    )
    failed = [CampaignResult(campaign_id=cid, error=err) for cid, err in summary.failed]
    click.echo(line + (f"; {len(failed)} campaigns failed: run again" if failed else ""), err=True)
    _check_failures(failed, len(ids), settings.secrets)


# -- the fake server and the demo -----------------------------------------------------------


@cli.command("fake-server")
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


@cli.command(short_help="Try it all against a faulty in-process fake: no account needed.")
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
@_CONCURRENCY
@click.pass_obj
def demo(
    settings: _Settings,
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
    )
    if settings.max_concurrency is not None:
        options = attrs.evolve(options, max_concurrency=settings.max_concurrency)
    with _progress() as progress:
        report = _run(settings, run_demo(options, progress=progress))
    _console().print(render_report(report))
    if not report.consistent:
        msg = f"fetched {report.orders} orders, the server holds {report.expected_orders}"
        raise _CommandError(msg, EXIT_ERROR)
