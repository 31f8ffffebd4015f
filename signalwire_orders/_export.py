"""
Resumable export: every order of many campaigns to JSON Lines or CSV.

Each finished campaign is appended to the output and fsynced, then recorded
in a checkpoint file beside it (``<out>.checkpoint``) with the output's size
at that point, and fsynced too. A run killed at any moment (even SIGKILL)
therefore leaves an output whose recorded prefix is whole; ``resume=True``
cuts off anything written after the last checkpoint, skips the campaigns the
checkpoint lists and fetches the rest, so no order is lost or duplicated.
The checkpoint is removed when every campaign has been exported.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal
from uuid import UUID

import attrs

from ._errors import SignalWireError
from ._models import CampaignResult, Order, OrderState
from ._protocol import path_id

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["FIELDS", "ExportSummary", "export_orders", "header_line", "order_record", "row_line"]

#: The columns of an export, in order (the CLI's listings use the same).
FIELDS: Final = (
    "id",
    "campaign_id",
    "state",
    "created_at",
    "updated_at",
    "processed_at",
    "status_callback_url",
)
Format = Literal["jsonl", "csv"]
_CHECKPOINT_VERSION: Final = 1


@attrs.frozen
class ExportSummary:
    """
    What an export did.

    Attributes:
        path: The output file.
        campaigns: Campaigns in the output, this run and earlier ones.
        orders: Orders written by this run.
        skipped: Campaigns already in the output from an earlier run (resume).
        failed: Campaigns that could not be fetched, with their errors; a
            later ``resume=True`` run tries them again.

    Example::

        summary = await export_orders(client, ids, "orders.jsonl", resume=True)
        print(summary.orders, len(summary.failed))
    """

    path: Path
    campaigns: int
    orders: int
    skipped: int
    failed: tuple[tuple[UUID, SignalWireError], ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every campaign is in the output."""
        return not self.failed


def order_record(order: Order, campaign_id: UUID | None = None) -> dict[str, str | None]:
    """
    One order as an export row: ids as strings, times in ISO 8601, absent fields as None.

    Without ``campaign_id`` the row has no ``campaign_id`` key.

    Example::

        order_record(order, campaign_id)["state"]  # "processed"
    """

    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    row: dict[str, str | None] = {"id": str(order.id)}
    if campaign_id is not None:
        row["campaign_id"] = str(campaign_id)
    return row | {
        "state": None if order.state is None else str(order.state),
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "processed_at": iso(order.processed_at),
        "status_callback_url": order.status_callback_url,
    }


def row_line(row: Mapping[str, str | None], fmt: str, fields: Sequence[str] = FIELDS) -> str:
    """
    One row as a line of JSON Lines (``fmt="jsonl"``) or CSV (``None`` as empty).

    Example::

        row_line(order_record(order, campaign_id), "csv")
    """
    if fmt == "jsonl":
        return json.dumps(row) + "\n"
    return _csv_line(["" if row.get(field) is None else row.get(field) for field in fields])


def header_line(fmt: str, fields: Sequence[str] = FIELDS) -> str:
    """
    The first line of a file: the CSV header, or nothing for JSON Lines.

    Example::

        header_line("csv")  # "id,campaign_id,state,...\\n"
    """
    return _csv_line(fields) if fmt == "csv" else ""


def _csv_line(values: Iterable[str | None]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


class _Checkpoint:
    """The output file and its checkpoint; every method blocks (run in a thread)."""

    def __init__(self, out: Path, fmt: Format) -> None:
        self.out = out
        self.path = out.with_name(out.name + ".checkpoint")
        self.fmt = fmt
        self.done: set[UUID] = set()

    def start(self, *, resume: bool) -> None:
        if resume and self.path.exists():
            size = self._load()
            with self.out.open("r+b") as handle:  # drop what a killed run wrote after it
                handle.truncate(size)
                handle.flush()
                os.fsync(handle.fileno())
            return
        if self.path.exists() and not resume:
            msg = (
                f"{self.path} exists: an earlier export of {self.out} did not finish; "
                "resume it (resume=True, --resume) or delete the checkpoint"
            )
            raise FileExistsError(msg)
        header = header_line(self.fmt).encode()
        with self.out.open("wb") as handle:
            handle.write(header)
            handle.flush()
            os.fsync(handle.fileno())
        self._record({"version": _CHECKPOINT_VERSION, "format": self.fmt, "size": len(header)})

    def _load(self) -> int:
        size = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                break  # a line torn by a kill: everything before it stands
            if "format" in entry and entry["format"] != self.fmt:
                msg = f"{self.path} is for a {entry['format']} export, not {self.fmt}"
                raise ValueError(msg)
            if "campaign_id" in entry:
                self.done.add(UUID(entry["campaign_id"]))
            size = int(entry["size"])
        if not self.out.exists():
            msg = f"{self.path} exists but {self.out} does not: cannot resume"
            raise FileNotFoundError(msg)
        return size

    def append(self, campaign_id: UUID, data: bytes) -> None:
        with self.out.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            size = handle.tell()
        self._record({"campaign_id": str(campaign_id), "size": size})
        self.done.add(campaign_id)

    def _record(self, entry: dict[str, object]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self) -> None:
        self.path.unlink()


async def export_orders(
    client: Client,
    campaign_ids: Sequence[UUID | str],
    out: str | os.PathLike[str],
    *,
    fmt: Format = "jsonl",
    state: OrderState | str | None = None,
    concurrency: int = 16,
    page_size: int | None = None,
    resume: bool = False,
) -> ExportSummary:
    """
    Write every order of the campaigns to ``out``, one campaign at a time, resumably.

    Args:
        client: An open client.
        campaign_ids: The campaigns to export.
        out: The output file (JSON Lines or CSV).
        fmt: ``"jsonl"`` or ``"csv"`` (columns: :data:`FIELDS`).
        state: Only orders in this state.
        concurrency: Campaigns fetched at once.
        page_size: Orders per page requested (the API's default when ``None``).
        resume: Carry on an export that was interrupted or had failures,
            from its checkpoint; without it an existing checkpoint is an error.

    Raises:
        ValueError: A campaign id is not a UUID, or the checkpoint is for
            another format.
        FileExistsError: A checkpoint exists and ``resume`` is false.

    Example::

        async with Client() as client:
            ids = [c.id async for c in client.campaigns.list_all()]
            summary = await export_orders(client, ids, "orders.jsonl", resume=True)
    """
    if fmt not in ("jsonl", "csv"):
        msg = f"fmt must be 'jsonl' or 'csv', got {fmt!r}"
        raise ValueError(msg)
    ids = list(dict.fromkeys(UUID(path_id(cid, "campaign_id")) for cid in campaign_ids))
    checkpoint = _Checkpoint(Path(out), fmt)
    await asyncio.to_thread(checkpoint.start, resume=resume)
    todo = [cid for cid in ids if cid not in checkpoint.done]
    skipped = len(ids) - len(todo)
    written = 0
    failed: list[tuple[UUID, SignalWireError]] = []
    results = client.orders.list_many(
        todo, state=state, concurrency=concurrency, page_size=page_size
    )
    async with contextlib.aclosing(results):
        async for result in results:
            written += await _write(checkpoint, result, failed)
    if not failed:
        await asyncio.to_thread(checkpoint.finish)
    return ExportSummary(
        path=checkpoint.out,
        campaigns=len(checkpoint.done & set(ids)),
        orders=written,
        skipped=skipped,
        failed=tuple(failed),
    )


async def _write(
    checkpoint: _Checkpoint, result: CampaignResult, failed: list[tuple[UUID, SignalWireError]]
) -> int:
    if result.error is not None:
        failed.append((result.campaign_id, result.error))
        return 0
    lines = (row_line(order_record(o, result.campaign_id), checkpoint.fmt) for o in result.orders)
    data = "".join(lines).encode()
    # The append and its checkpoint entry run to completion even if this task
    # is cancelled meanwhile, so a campaign is either recorded whole or not at all.
    await asyncio.shield(asyncio.to_thread(checkpoint.append, result.campaign_id, data))
    return len(result.orders)
