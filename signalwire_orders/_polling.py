"""
Polling one order until it is final: the one loop behind two public waits.

``client.orders.wait`` polls; ``webhooks.wait_for_order`` polls too, and
also ends early when the order's status callback arrives (``wake``). Both
mean the same by ``timeout``: one deadline for the whole wait, requests
included. Both sleep through the client's injectable ``sleep``, so tests do
not wait.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Final
from uuid import UUID

from ._errors import APITimeoutError
from ._models import Order

__all__ = ["check_poll", "poll_until_final"]

#: Growth of the pause between polls, per poll.
BACKOFF: Final = 1.5


def check_poll(timeout: float, poll_interval: float, max_poll_interval: float) -> None:
    """
    Refuse a deadline or poll intervals that cannot make a wait.

    Raises:
        ValueError: Not ``timeout > 0`` and ``0 <= poll_interval <= max_poll_interval``.
    """
    if not (timeout > 0 and 0 <= poll_interval <= max_poll_interval):  # NaN fails too
        msg = (
            "need timeout > 0 and 0 <= poll_interval <= max_poll_interval, got "
            f"timeout={timeout!r}, poll_interval={poll_interval!r}, "
            f"max_poll_interval={max_poll_interval!r}"
        )
        raise ValueError(msg)


async def poll_until_final(
    get: Callable[[], Awaitable[Order]],
    *,
    order_id: UUID,
    url: str,
    timeout: float,  # noqa: ASYNC109  # one deadline for the whole wait, requests included
    poll_interval: float,
    max_poll_interval: float,
    sleep: Callable[[float], Awaitable[None]],
    wake: asyncio.Future[Any] | None = None,
    on_poll: Callable[[Order], object] | None = None,
) -> Order:
    """
    Poll ``get()`` until the order is ``processed`` or ``failed``; return it.

    The first poll is at once; the pause before the next starts at
    ``poll_interval`` and grows by `BACKOFF` per poll up to
    ``max_poll_interval``. When ``wake`` completes (a callback arrived), the
    order is fetched once more and returned as the API gives it.
    ``on_poll`` is called with the order after each request.

    Raises:
        ValueError: The deadline or intervals are out of range (see `check_poll`).
        APITimeoutError: The order is not final after ``timeout`` seconds.
    """
    check_poll(timeout, poll_interval, max_poll_interval)
    last: Order | None = None
    deadline = asyncio.timeout(timeout)
    try:
        async with deadline:
            interval = poll_interval
            while True:
                last = await _polled(get, on_poll)
                if last.state is not None and last.state.is_final:
                    return last
                if await _nap(sleep, interval, wake):
                    return await _polled(get, on_poll)
                interval = min(interval * BACKOFF, max_poll_interval)
    except TimeoutError as exc:
        if not deadline.expired():
            raise  # a TimeoutError of the request itself, not of this deadline
        if last is None:
            msg = f"order {order_id}: no answer within {timeout:g}s"
        else:
            msg = f"order {order_id} is still {last.state or 'without state'} after {timeout:g}s"
        raise APITimeoutError(msg, method="GET", url=url) from exc


async def _polled(
    get: Callable[[], Awaitable[Order]], on_poll: Callable[[Order], object] | None
) -> Order:
    order = await get()
    if on_poll is not None:
        on_poll(order)
    return order


async def _nap(
    sleep: Callable[[float], Awaitable[None]], seconds: float, wake: asyncio.Future[Any] | None
) -> bool:
    """Sleep ``seconds``; return whether ``wake`` completed first."""
    if wake is None:
        await sleep(seconds)
        return False
    if not wake.done():
        napping = asyncio.ensure_future(sleep(seconds))
        try:
            await asyncio.wait((napping, wake), return_when=asyncio.FIRST_COMPLETED)
        finally:
            napping.cancel()  # woken early, or cancelled: the nap is over either way
    return wake.done() and not wake.cancelled()
