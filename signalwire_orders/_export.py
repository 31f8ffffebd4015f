"""
Export: every order of many campaigns to JSON Lines or CSV, resumably or atomically.

One loop (`export_orders`) fetches the campaigns and turns each finished one
into lines; where those lines go is an output with two kinds:

* resumable (the default, `_Checkpoint`): each finished campaign is appended
  to the output and fsynced, then recorded in a checkpoint file beside it
  (``<out>.checkpoint``) with the output's size at that point, and fsynced
  too. A run killed at any moment (even SIGKILL) therefore leaves an output
  whose recorded prefix is whole; ``resume=True`` cuts off anything written
  after the last checkpoint, skips the campaigns the checkpoint lists and
  fetches the rest, so no order is lost or duplicated. The checkpoint also
  records the export's filters (format, state, page size), and a resume
  under other ones is refused rather than mixing two exports in one file.
  When every campaign is in, a fresh export's checkpoint is removed; a
  resumed one's stays, marked complete, so that resuming again fetches only
  campaigns that are not in the file yet (none: it is complete, and says so).
* atomic (``atomic=True``, `_Replacement`; the CLI's plain ``export``): the
  whole export goes to a temporary file beside the output
  (``.<out name>.<random>.part``), which is fsynced and moved over the output
  when the export ends. A run that raises, is cancelled, or in which every
  campaign failed leaves the output as it was and nothing beside it.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import os
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Final, Literal, Protocol
from uuid import UUID

import attrs

from ._errors import SignalWireError
from ._models import CampaignResult, Order, OrderState, OrderStateValue
from ._protocol import path_id, state_filter

if TYPE_CHECKING:
    from ._client import Client

__all__ = ["ExportSummary", "export_orders"]

# The columns of an export, in order (the CLI's listings use the same: a test pins it).
_FIELDS: Final = (
    "id",
    "campaign_id",
    "state",
    "created_at",
    "updated_at",
    "processed_at",
    "status_callback_url",
)
Format = Literal["jsonl", "csv"]
_CHECKPOINT_VERSION: Final = 2  # 2: the filters are recorded, and completion


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
            later ``resume=True`` run tries them again (not after ``atomic=True``).

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


def _record(order: Order, campaign_id: UUID) -> dict[str, str | None]:
    # Ids as strings, times in ISO 8601, absent fields as None.
    def iso(value: datetime | None) -> str | None:
        return None if value is None else value.isoformat()

    return {
        "id": str(order.id),
        "campaign_id": str(campaign_id),
        "state": None if order.state is None else str(order.state),
        "created_at": iso(order.created_at),
        "updated_at": iso(order.updated_at),
        "processed_at": iso(order.processed_at),
        "status_callback_url": order.status_callback_url,
    }


def _line(row: Mapping[str, str | None], fmt: Format) -> str:
    if fmt == "jsonl":
        return json.dumps(row) + "\n"
    return _csv_line(["" if row.get(field) is None else row.get(field) for field in _FIELDS])


def _header(fmt: Format) -> str:
    return _csv_line(_FIELDS) if fmt == "csv" else ""


def _csv_line(values: Iterable[str | None]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def _file_mode() -> int:
    # What open() would give a new file: 0o666 less the umask (mkstemp's 0o600 is not).
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _append(path: Path, data: bytes, *, sync: bool) -> int:
    with path.open("ab") as handle:
        handle.write(data)
        handle.flush()
        if sync:
            os.fsync(handle.fileno())
        return handle.tell()


class _Output(Protocol):
    """Where an export's lines go; every method blocks (run in a thread) but ``abandon``."""

    done: set[UUID]

    def start(self) -> None: ...
    def append(self, campaign_id: UUID, data: bytes) -> None: ...
    def finish(self, *, failed: int) -> None: ...
    def abandon(self) -> None: ...


class _Checkpoint:
    """The output file, appended to, and its checkpoint (resumable mode)."""

    def __init__(
        self, out: Path, fmt: Format, *, resume: bool, filters: Mapping[str, object]
    ) -> None:
        self.out = out
        self.path = out.with_name(out.name + ".checkpoint")
        self.fmt = fmt
        self.resume = resume
        self.filters = dict(filters)
        self.done: set[UUID] = set()
        self.complete = False

    def start(self) -> None:
        if self.resume and self.path.exists():
            size = self._load()
            with self.out.open("r+b") as handle:  # drop what a killed run wrote after it
                handle.truncate(size)
                handle.flush()
                os.fsync(handle.fileno())
            return
        if self.path.exists():
            if not _is_complete(self.path):  # unfinished work: never thrown away unasked
                msg = (
                    f"{self.path} exists: an earlier export of {self.out} did not finish; "
                    "resume it (resume=True, --resume) or delete the checkpoint"
                )
                raise FileExistsError(msg)
            self.path.unlink()  # a finished export: starting afresh loses nothing
        header = _header(self.fmt).encode()
        with self.out.open("wb") as handle:
            handle.write(header)
            handle.flush()
            os.fsync(handle.fileno())
        first = {"version": _CHECKPOINT_VERSION, "format": self.fmt, **self.filters}
        self._record({**first, "size": len(header)})

    def _load(self) -> int:
        size = 0
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                break  # a line torn by a kill: everything before it stands
            if "format" in entry:
                self._check_filters(entry)
            if "campaign_id" in entry:
                self.done.add(UUID(entry["campaign_id"]))
            self.complete = bool(entry.get("complete"))  # until a later entry says otherwise
            size = int(entry["size"])
        if not self.out.exists():
            msg = f"{self.path} exists but {self.out} does not: cannot resume"
            raise FileNotFoundError(msg)
        return size

    def _check_filters(self, first: Mapping[str, object]) -> None:
        if first["format"] != self.fmt:
            msg = f"{self.path} is for a {first['format']} export, not {self.fmt}"
            raise ValueError(msg)
        recorded = {name: first.get(name) for name in self.filters}
        if recorded != self.filters:
            msg = (
                f"{self.path} is for an export with {_options(recorded)}; resuming it with "
                f"{_options(self.filters)} would mix two exports in {self.out}: resume with "
                "the same options, or delete both files to start again"
            )
            raise ValueError(msg)

    def append(self, campaign_id: UUID, data: bytes) -> None:
        size = _append(self.out, data, sync=True)
        self._record({"campaign_id": str(campaign_id), "size": size})
        self.done.add(campaign_id)

    def _record(self, entry: dict[str, object]) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def finish(self, *, failed: int) -> None:
        # Failures: the checkpoint stays for a resume. None: a fresh export's goes;
        # a resumed one's stays, marked complete, so that resuming it again says
        # so (and fetches only campaigns added since) instead of redoing it.
        if failed:
            return
        if not self.resume:
            self.path.unlink()
        elif not self.complete:
            self._record({"complete": True, "size": self.out.stat().st_size})
            self.complete = True

    def abandon(self) -> None:
        """Keep what is written: the checkpoint says how much of it stands."""


def _is_complete(checkpoint: Path) -> bool:
    complete = False
    for line in checkpoint.read_text(encoding="utf-8").splitlines():
        try:
            complete = bool(json.loads(line).get("complete"))
        except (ValueError, AttributeError):
            break
    return complete


def _options(filters: Mapping[str, object]) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in filters.items())


class _Replacement:
    """A temporary file beside the output, moved over it when the export ends (atomic mode)."""

    def __init__(self, out: Path, fmt: Format) -> None:
        self.out = out
        self.fmt = fmt
        self.done: set[UUID] = set()
        self._part: Path | None = None
        # ``abandon`` runs on the event loop while a cancelled ``append`` may still be
        # writing in its thread: the lock orders them, so no part file outlives the export.
        self._lock = threading.Lock()
        self._abandoned = False

    def start(self) -> None:
        with self._lock:
            if self._abandoned:
                return
            fd, name = tempfile.mkstemp(
                dir=self.out.parent, prefix=f".{self.out.name}.", suffix=".part"
            )
            self._part = Path(name)
            with os.fdopen(fd, "wb") as handle:
                handle.write(_header(self.fmt).encode())

    def append(self, campaign_id: UUID, data: bytes) -> None:
        with self._lock:
            if self._part is not None and not self._abandoned:
                _append(self._part, data, sync=False)
                self.done.add(campaign_id)

    def finish(self, *, failed: int) -> None:
        if failed and not self.done:  # every campaign failed: keep the output as it was
            self.abandon()
            return
        with self._lock:
            if self._part is None or self._abandoned:
                return
            _append(self._part, b"", sync=True)
            self._part.chmod(_file_mode())
            self._part.replace(self.out)
            self._part = None

    def abandon(self) -> None:
        with self._lock:
            self._abandoned = True
            if self._part is not None:
                with contextlib.suppress(OSError):
                    self._part.unlink()


async def export_orders(
    client: Client,
    campaign_ids: Sequence[UUID | str],
    out: str | os.PathLike[str],
    *,
    fmt: Format = "jsonl",
    state: OrderState | OrderStateValue | None = None,
    concurrency: int = 16,
    page_size: int | None = None,
    resume: bool = False,
    atomic: bool = False,
    on_result: Callable[[CampaignResult], object] | None = None,
) -> ExportSummary:
    """
    Write every order of the campaigns to ``out``, a campaign at a time, resumably or atomically.

    Args:
        client: An open client.
        campaign_ids: The campaigns to export.
        out: The output file (JSON Lines or CSV).
        fmt: ``"jsonl"`` or ``"csv"`` (columns: ``id``, ``campaign_id``,
            ``state``, ``created_at``, ``updated_at``, ``processed_at``,
            ``status_callback_url``).
        state: Only orders in this state.
        concurrency: Campaigns fetched at once.
        page_size: Orders per page requested (the API's default when ``None``).
        resume: Carry on an export that was interrupted or had failures,
            from its checkpoint (with the same ``fmt``, ``state`` and
            ``page_size``), fetching only the campaigns not in ``out`` yet;
            without it an existing checkpoint is an error.
        atomic: Write the whole export to a temporary file beside ``out``
            (``.<name>.<random>.part``), fsync it and move it over ``out``
            only when the export ends, with no checkpoint. If it raises, is
            cancelled, or every campaign fails, ``out`` is left as it was
            and nothing is left beside it; if some fail, the others are
            written (see ``failed``). Such a run cannot be resumed.
        on_result: Called with each campaign's result once its orders are
            written (or it failed), e.g. to show progress.

    Raises:
        ValueError: A campaign id is not a UUID, ``state`` is not an order
            state, the checkpoint is for another format, state or page size,
            or both ``resume`` and ``atomic`` are true (all before any request).
        FileExistsError: A checkpoint exists and neither ``resume`` nor
            ``atomic`` is true.
        OSError: ``out`` cannot be written (e.g. its directory is missing).

    Example::

        async with Client() as client:
            ids = [c.id async for c in client.campaigns.list_all()]
            summary = await export_orders(client, ids, "orders.jsonl", resume=True)
            # Or all at once, with a line per campaign as it is written:
            summary = await export_orders(
                client, ids, "orders.csv", fmt="csv", atomic=True,
                on_result=lambda result: print(result.campaign_id, len(result.orders)),
            )
    """
    if fmt not in ("jsonl", "csv"):
        msg = f"fmt must be 'jsonl' or 'csv', got {fmt!r}"
        raise ValueError(msg)
    if resume and atomic:
        msg = "resume and atomic exclude each other: an atomic export keeps no checkpoint"
        raise ValueError(msg)
    ids = list(dict.fromkeys(UUID(path_id(cid, "campaign_id")) for cid in campaign_ids))
    # A typo in state= fails below, before any file is touched.
    path = Path(out)
    filters = {"state": state_filter(state, OrderState), "page_size": page_size}
    output: _Output = (
        _Replacement(path, fmt)
        if atomic
        else _Checkpoint(path, fmt, resume=resume, filters=filters)
    )
    failed: list[tuple[UUID, SignalWireError]] = []
    written = 0
    try:
        await asyncio.to_thread(output.start)
        todo = [cid for cid in ids if cid not in output.done]
        async with client.orders.list_many(
            todo, state=state, concurrency=concurrency, page_size=page_size
        ) as results:
            async for result in results:
                written += await _write(output, fmt, result, failed)
                if on_result is not None:
                    on_result(result)
        await asyncio.to_thread(output.finish, failed=len(failed))
    except BaseException:
        output.abandon()  # not in a thread: it must run even while being cancelled
        raise
    return ExportSummary(
        path=path,
        campaigns=len(output.done & set(ids)),
        orders=written,
        skipped=len(ids) - len(todo),
        failed=tuple(failed),
    )


async def _write(
    output: _Output,
    fmt: Format,
    result: CampaignResult,
    failed: list[tuple[UUID, SignalWireError]],
) -> int:
    if result.error is not None:
        failed.append((result.campaign_id, result.error))
        return 0
    lines = (_line(_record(o, result.campaign_id), fmt) for o in result.orders)
    data = "".join(lines).encode()
    # The append and its checkpoint entry run to completion even if this task
    # is cancelled meanwhile, so a campaign is either recorded whole or not at all.
    await asyncio.shield(asyncio.to_thread(output.append, result.campaign_id, data))
    return len(result.orders)
