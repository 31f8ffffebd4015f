"""
`TrackedStore`: the records, and what moves the created ones on: polls, time, observers.

A created brand, campaign or order is tracked until it reaches its final
state: each poll of its GET route may move it (`Progress.poll`), and so does
`TrackedStore.advance_due` once it is old enough. Each move changes the
record, moves `revision`, and is handed as a `StateChange` to every observer
(`TrackedStore.observe`): the fake server's status callbacks.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable

from ._lifecycle import BRAND, CAMPAIGN, ORDER, Progress, StateChange
from ._records import CampaignRecord, CreatedBrand, CreatedOrder
from ._store import RecordStore

__all__ = ["TrackedStore"]

_Moving = CreatedBrand | CampaignRecord | CreatedOrder


class TrackedStore(RecordStore):
    """
    The records of `FakeData`, and how its created ones move on to their final states.

    Example::

        store = TrackedStore(seed=1)
        stop = store.observe(print)
        store.advance_due(0)
    """

    def advance_due(self, after: float, *, now: float | None = None) -> float | None:
        """
        Move every created object ``after`` seconds old or more to its final state.

        The fake server calls this as time passes when its ``advance_after``
        is set. Returns the seconds until the next object is due (``None``:
        every created object is final).

        Args:
            after: The age, in seconds, at which a created object is final.
            now: The time on the `time.monotonic` clock (default: now).

        Example::

            data.advance_due(0)  # everything created is final now
        """
        now = time.monotonic() if now is None else now
        waits = []
        for record, progress in list(self._moving.values()):
            left = progress.due(after, now)
            if left <= 0:
                self._move(record, progress, progress.final)
            else:
                waits.append(left)
        return min(waits, default=None)

    def observe(self, observer: Callable[[StateChange], None]) -> Callable[[], None]:
        """
        Call ``observer`` with each `StateChange` from now on; return the function that stops it.

        The observer is called where the change happens (a request's handler, a
        test's call), so it must return quickly and not raise.

        Example::

            changes: list[StateChange] = []
            stop = data.observe(changes.append)
            ...
            stop()
        """
        self._observers.append(observer)

        def stop() -> None:
            with contextlib.suppress(ValueError):  # already stopped
                self._observers.remove(observer)

        return stop

    def _created_one(self, record: _Moving, progress: Progress) -> None:
        self._moving[record.id] = (record, progress)
        self._revision += 1

    def _poll(self, record: _Moving, progress: Progress, after_polls: int | None) -> None:
        new_state = progress.poll(record.state, after_polls)
        if new_state is not None:
            self._move(record, progress, new_state)

    def _move(self, record: _Moving, progress: Progress, new_state: str) -> None:
        old_state, now = record.state, int(time.time())
        record.state, record.updated = new_state, now
        if new_state == progress.final:
            self._moving.pop(record.id, None)
        if isinstance(record, CreatedOrder):
            record.processed = now if new_state == "processed" else None
        self._revision += 1
        change = self._change(record, old_state)
        for observer in list(self._observers):
            observer(change)

    def _change(self, record: _Moving, old_state: str) -> StateChange:
        if isinstance(record, CreatedBrand):
            url = record.fields.get("status_callback_url")
            return StateChange(BRAND, old_state, record.state, record.id, status_callback_url=url)
        if isinstance(record, CampaignRecord):
            brand_id = self._brands[record.brand].id
            url = (record.fields or {}).get("status_callback_url")
            return StateChange(CAMPAIGN, old_state, record.state, brand_id, record.id, None, url)
        campaign = self._campaigns[record.campaign]
        brand_id = self._brands[campaign.brand].id
        return StateChange(
            ORDER,
            old_state,
            record.state,
            brand_id,
            campaign.id,
            record.id,
            record.status_callback_url,
        )
