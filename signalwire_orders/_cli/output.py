"""
How the CLI shows and writes what it fetched: rows, tables, the row writer, progress, files.

Tables (rich) go to stdout for people; ``json``, ``jsonl`` and ``csv`` write
plain rows and nothing else; progress bars go to stderr, and only when it is a
terminal. Files are written beside their target and moved over it on success.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Final, Self, TextIO, TypeVar
from uuid import UUID

import click
from rich.console import Console
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

from signalwire_orders import Brand, Campaign, Order
from signalwire_orders._export import FIELDS, header_line, order_record, row_line

from .common import EXIT_ERROR, CommandError

__all__ = [
    "BRAND_FIELDS",
    "CAMPAIGN_FIELDS",
    "ORDER_FIELDS",
    "RowWriter",
    "atomic_file",
    "brand_row",
    "campaign_row",
    "current_stdout",
    "order_row",
    "print_one",
    "print_rows",
    "progress_bar",
    "show_orders",
    "stdout_console",
]

T = TypeVar("T")

ORDER_FIELDS: Final = FIELDS  # one column order for listings and exports
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


# -- rows -------------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _str(value: object) -> str | None:
    return None if value is None else str(value)


order_row: Final = order_record  # flatten an order: ISO 8601 times, None when absent


def campaign_row(campaign: Campaign) -> dict[str, str | None]:
    """Flatten a campaign for JSON or CSV."""
    return {
        "id": str(campaign.id),
        "name": campaign.name,
        "state": _str(campaign.state),
        "sms_use_case": campaign.sms_use_case,
        "created_at": _iso(campaign.created_at),
        "updated_at": _iso(campaign.updated_at),
    }


def brand_row(brand: Brand) -> dict[str, str | None]:
    """Flatten a brand for JSON or CSV."""
    return {
        "id": str(brand.id),
        "name": brand.name,
        "company_name": brand.company_name,
        "state": _str(brand.state),
        "company_vertical": brand.company_vertical,
        "created_at": _iso(brand.created_at),
        "updated_at": _iso(brand.updated_at),
    }


class RowWriter:
    """Writes rows as one JSON array, JSON Lines or CSV with a header, streaming."""

    def __init__(self, stream: TextIO, fmt: str, fields: Sequence[str]) -> None:
        self._stream = stream
        self._fmt = fmt
        self._fields = fields
        self.count = 0

    def __enter__(self) -> Self:
        self._stream.write(header_line(self._fmt, self._fields))
        return self

    def __exit__(self, *exc_info: object) -> None:
        if exc_info[0] is None and self._fmt == "json":
            self._stream.write("[]\n" if self.count == 0 else "\n]\n")
        self._stream.flush()

    def write(self, row: Mapping[str, str | None]) -> None:
        if self._fmt == "json":
            self._stream.write(("[\n  " if self.count == 0 else ",\n  ") + json.dumps(row))
        else:  # the same lines as signalwire_orders.export_orders writes
            self._stream.write(row_line(row, self._fmt, self._fields))
        self.count += 1


def current_stdout() -> TextIO:
    """``sys.stdout``, looked up per call: click's CliRunner swaps it."""
    return sys.stdout


# -- tables -----------------------------------------------------------------------------------


def stdout_console() -> Console:
    """A console on stdout; wide when piped, so tables in a file are not squeezed."""
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
    console = stdout_console()
    console.print(Text(title, style="bold"))
    console.print(table)
    console.print(Text(caption))


def show_orders(rows: Sequence[tuple[UUID, Order]], *, title: str, many: bool) -> None:
    """Print orders as a table, with their campaign when ``many``, and a count by state."""
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
    for field, value in order_row(order).items():
        cell = _state_text(value) if field == "state" else Text(value or "-")
        table.add_row(field, cell)
    return table


def print_one(order: Order, fmt: str) -> None:
    """Print one order as a two-column table or as one JSON object."""
    if fmt == "table":
        stdout_console().print(_order_table(order))
    else:
        click.echo(json.dumps(order_row(order), indent=2))


def print_rows(
    items: Sequence[T],
    to_row: Callable[[T], dict[str, str | None]],
    fields: Sequence[str],
    *,
    fmt: str,
    title: str,
) -> None:
    """Print items as a table with a count by state, or write them as ``fmt`` rows."""
    rows = [to_row(item) for item in items]
    if fmt != "table":
        with RowWriter(current_stdout(), fmt, fields) as writer:
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


# -- progress and files -----------------------------------------------------------------------


def progress_bar(*, streaming_to_stdout: bool = False) -> Progress:
    """A progress bar on stderr, shown only when stderr is a terminal (and not fighting stdout)."""
    console = Console(stderr=True)
    shown = console.is_terminal and not (streaming_to_stdout and current_stdout().isatty())
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


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextlib.contextmanager
def atomic_file(path: Path) -> Iterator[TextIO]:
    """Write a temporary file beside ``path``; move it over ``path`` only on success."""
    try:
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    except OSError as exc:
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise CommandError(msg, EXIT_ERROR) from exc
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
