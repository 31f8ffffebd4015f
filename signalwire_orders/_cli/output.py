"""
How the CLI shows what it fetched: rows, tables, the row writer, progress.

Rows are built here from the public models by one function (`row`): ids and
enums as ``str``, times in ISO 8601, ``None`` kept. Tables (rich) go to stdout
for people; ``json``, ``jsonl`` and ``csv`` write plain rows and nothing else,
in the same lines as an ``export`` file (a test pins it); progress bars go to
stderr, and only when it is a terminal. Files are not written here: ``export``
goes through `signalwire_orders.export_orders`.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Final, Self, TextIO, TypeVar, cast
from uuid import UUID

import attrs
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

from signalwire_orders import Order

__all__ = [
    "BRAND_FIELDS",
    "CAMPAIGN_FIELDS",
    "NUMBER_FIELDS",
    "ORDER_FIELDS",
    "RowWriter",
    "current_stdout",
    "plural",
    "print_one",
    "print_rows",
    "progress_bar",
    "row",
    "show_orders",
    "stdout_console",
]

T = TypeVar("T")

# The columns of one order on its own (``orders get``).
_ONE_ORDER_FIELDS: Final = (
    "id",
    "state",
    "created_at",
    "updated_at",
    "processed_at",
    "status_callback_url",
)
#: The columns of an order listing: its campaign after its id. They are those of
#: an ``export`` file, which the CLI cannot import; a test pins that the lines match.
ORDER_FIELDS: Final = ("id", "campaign_id", *_ONE_ORDER_FIELDS[1:])
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
#: The columns of a number assignment listing: its phone number in place of the nested object.
NUMBER_FIELDS: Final = ("id", "state", "number", "campaign_id", "created_at", "updated_at")
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


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)  # UUIDs, str enums (their value), strings


def plural(count: int, noun: str) -> str:
    """``"1 campaign"``, ``"2 campaigns"``, ``"1,000 orders"``."""
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def _native(value: object) -> object:
    # For one object shown as JSON: booleans and lists stay themselves.
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, tuple | list):
        return [_native(item) for item in value]
    if attrs.has(type(value)):
        return _record(value)
    return _text(value)


def _record(item: object) -> dict[str, object]:
    model = cast("type[attrs.AttrsInstance]", type(item))  # one of the public models
    fields = [f.name for f in attrs.fields(model) if f.name != "extra"]
    record = {name: _native(getattr(item, name)) for name in fields}
    extra = getattr(item, "extra", None)
    if extra:
        record["extra"] = dict(extra)
    return record


def row(item: object, fields: Sequence[str], **given: object) -> dict[str, str | None]:
    """
    Flatten a model for JSON or CSV: ids and enums as ``str``, times in ISO 8601, ``None`` kept.

    ``given`` supplies fields the model lacks, such as an order's ``campaign_id``.
    """
    return {
        field: _text(given[field] if field in given else getattr(item, field)) for field in fields
    }


class RowWriter:
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

    def write(self, flat: Mapping[str, str | None]) -> None:
        if self._fmt == "json":
            self._stream.write(("[\n  " if self.count == 0 else ",\n  ") + json.dumps(flat))
        elif self._fmt == "jsonl":
            self._stream.write(json.dumps(flat) + "\n")
        else:  # csv writes None as an empty field
            self._csv.writerow([flat.get(field) for field in self._fields])
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
    text = _text(state)
    return Text(text or "-", style=_STATE_STYLES.get(text or "", "dim"))


def _by_state(states: Iterable[object]) -> str:
    counts = Counter(_text(state) or "no state" for state in states)
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
    breakdown = _by_state(order.state for _, order in rows)
    caption = plural(len(rows), "order") + (f": {breakdown}" if rows else "")
    _show(table, title=title, caption=caption)


def _cell(value: object) -> Text:
    if isinstance(value, tuple | list):
        return Text(", ".join(map(str, value)) or "-")
    if isinstance(value, dict):
        return Text(json.dumps(value) if value else "-")
    return Text("-" if value is None else str(value))


def _detail_table(record: Mapping[str, object]) -> Table:
    table = Table(show_header=False)
    table.add_column(style="bold")
    table.add_column()
    for field, value in record.items():
        table.add_row(field, _state_text(value) if field == "state" else _cell(value))
    return table


def print_one(item: object, fmt: str) -> None:
    """Print one model (an order, campaign, brand...) as a two-column table or a JSON object."""
    record = _record(item)
    if fmt == "table":
        stdout_console().print(_detail_table(record))
    else:
        click.echo(json.dumps(record, indent=2))


def print_rows(
    items: Sequence[T],
    fields: Sequence[str],
    *,
    fmt: str,
    title: str,
    given: Callable[[T], Mapping[str, object]] | None = None,
) -> None:
    """Print models as a table of ``fields`` with a count by state, or write them as rows."""
    rows = [row(item, fields, **(given(item) if given else {})) for item in items]
    if fmt != "table":
        with RowWriter(current_stdout(), fmt, fields) as writer:
            for flat in rows:
                writer.write(flat)
        return
    table = Table()
    for field in fields:
        table.add_column(field.replace("_", " "), no_wrap=field == "id" or field.endswith("_at"))
    for item, flat in zip(items, rows, strict=True):
        cells = [
            _when(getattr(item, field, None))
            if field.endswith("_at")
            else _state_text(flat[field])
            if field == "state"
            else Text(flat[field] or "-")
            for field in fields
        ]
        table.add_row(*cells)
    breakdown = _by_state(flat["state"] for flat in rows)
    _show(table, title=title, caption=f"{len(rows):,} total" + (f": {breakdown}" if rows else ""))


# -- progress ---------------------------------------------------------------------------------


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
