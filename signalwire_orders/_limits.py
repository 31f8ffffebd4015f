"""
Client-wide limits on requests: how many in flight, and how many per second.

``ConcurrencyLimit`` is a semaphore whose size can adapt (AIMD): it halves
when 429s arrive and grows back by about one slot per window of successes,
never above ``max_concurrency``. ``RateLimiter`` spaces request starts so
that no more than ``requests_per_second`` begin in any second. Both are
shared by every task of one client, and neither holds anything while a
request waits out a backoff (SPEC section 4).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
from collections.abc import Awaitable, Callable

__all__ = ["ConcurrencyLimit", "RateLimiter"]


class ConcurrencyLimit:
    """At most ``limit`` holders at once; ``limit`` adapts when ``adaptive`` is on."""

    __slots__ = ("_adaptive", "_epoch", "_in_flight", "_limit", "_maximum", "_waiters")

    def __init__(self, maximum: int, *, adaptive: bool = False) -> None:
        self._maximum = maximum
        self._limit = float(maximum)
        self._adaptive = adaptive
        self._in_flight = 0
        self._epoch = 0
        self._waiters: collections.deque[asyncio.Future[None]] = collections.deque()

    @property
    def limit(self) -> float:
        """The current limit (equal to the maximum unless adaptation lowered it)."""
        return self._limit

    @property
    def in_flight(self) -> int:
        """How many holders there are now."""
        return self._in_flight

    def _has_room(self) -> bool:
        return self._in_flight < max(1, int(self._limit))

    def try_acquire(self) -> int | None:
        """Take a slot if one is free now (and nobody waits): its epoch, else ``None``."""
        if self._has_room() and not self._waiters:
            self._in_flight += 1
            return self._epoch
        return None

    async def acquire(self) -> int:
        """Wait for a slot; return the epoch to pass to ``rate_limited``."""
        if (epoch := self.try_acquire()) is not None:
            return epoch
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter.done() and not waiter.cancelled():
                self.release()  # granted just as we were cancelled: give it back
            raise
        finally:
            if not waiter.done() or waiter.cancelled():
                self._discard(waiter)
        return self._epoch

    def _discard(self, waiter: asyncio.Future[None]) -> None:
        with contextlib.suppress(ValueError):  # already handed a slot and removed
            self._waiters.remove(waiter)

    def release(self) -> None:
        """Give a slot back and wake whoever may now run."""
        self._in_flight -= 1
        self._wake()

    def _wake(self) -> None:
        while self._waiters and self._has_room():
            waiter = self._waiters.popleft()
            if not waiter.done():
                self._in_flight += 1
                waiter.set_result(None)

    def succeeded(self) -> None:
        """Additive increase: about one more slot per ``limit`` successes."""
        if self._adaptive and self._limit < self._maximum:
            self._limit = min(float(self._maximum), self._limit + 1.0 / self._limit)
            self._wake()

    def rate_limited(self, epoch: int) -> None:
        """
        Multiplicative decrease: halve the limit, once per window.

        Only a request that started after the last cut may cut again, so a
        burst of 429s from requests already in flight halves the limit once.
        """
        if self._adaptive and epoch == self._epoch:
            self._limit = max(1.0, self._limit / 2)
            self._epoch += 1


class RateLimiter:
    """Spaces request starts ``1 / requests_per_second`` apart, across all tasks."""

    __slots__ = ("_interval", "_next", "_sleep")

    def __init__(
        self, requests_per_second: float, *, sleep: Callable[[float], Awaitable[None]]
    ) -> None:
        if not requests_per_second > 0:
            msg = f"requests_per_second must be > 0, got {requests_per_second!r}"
            raise ValueError(msg)
        self._interval = 1.0 / requests_per_second
        self._next = 0.0
        self._sleep = sleep

    async def wait(self) -> None:
        """Reserve the next start time and sleep until it."""
        now = asyncio.get_running_loop().time()
        start = max(now, self._next)
        self._next = start + self._interval  # reserved before sleeping: fair and race-free
        if start > now:
            await self._sleep(start - now)
