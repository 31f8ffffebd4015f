"""Client-wide limits: the (adaptive) concurrency bound and the request pace."""

from __future__ import annotations

import asyncio

import pytest

from signalwire_orders._limits import ConcurrencyLimit, RateLimiter


async def _hold(limit: ConcurrencyLimit, gate: asyncio.Event, peak: list[int]) -> None:
    await limit.acquire()
    try:
        peak.append(limit.in_flight)
        await gate.wait()
    finally:
        limit.release()


class TestConcurrencyLimit:
    async def test_never_more_holders_than_the_limit(self) -> None:
        """Twenty tasks through a limit of three never have more than three inside."""
        limit = ConcurrencyLimit(3)
        gate = asyncio.Event()
        peak: list[int] = []
        tasks = [asyncio.create_task(_hold(limit, gate, peak)) for _ in range(20)]
        await asyncio.sleep(0)
        gate.set()
        await asyncio.gather(*tasks)

        assert 3 == max(peak)
        assert 0 == limit.in_flight

    async def test_a_cancelled_waiter_takes_no_slot(self) -> None:
        """Cancelling a task that waits for a slot leaves the count unchanged."""
        limit = ConcurrencyLimit(1)
        await limit.acquire()
        waiter = asyncio.create_task(limit.acquire())
        await asyncio.sleep(0)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        limit.release()

        assert 0 == limit.in_flight
        await limit.acquire()
        assert 1 == limit.in_flight

    def test_try_acquire_takes_a_free_slot_without_waiting(self) -> None:
        """try_acquire takes a slot while one is free, and None once all are taken."""
        limit = ConcurrencyLimit(2)

        taken = [limit.try_acquire(), limit.try_acquire(), limit.try_acquire()]

        assert [0, 0, None] == taken
        assert 2 == limit.in_flight

    async def test_try_acquire_never_overtakes_a_waiter(self) -> None:
        """A slot freed while a task waits goes to that task, not to try_acquire."""
        limit = ConcurrencyLimit(1)
        await limit.acquire()
        waiter = asyncio.create_task(limit.acquire())
        await asyncio.sleep(0)
        limit.release()

        overtaken = limit.try_acquire()
        await waiter

        assert overtaken is None
        assert 1 == limit.in_flight

    def test_a_fixed_limit_ignores_429s(self) -> None:
        """Without adaptation, rate limiting leaves the limit at the maximum."""
        limit = ConcurrencyLimit(8)
        limit.rate_limited(0)

        assert 8.0 == limit.limit

    def test_a_429_halves_an_adaptive_limit(self) -> None:
        """Multiplicative decrease: one 429 halves the limit."""
        limit = ConcurrencyLimit(8, adaptive=True)
        limit.rate_limited(0)

        assert 4.0 == limit.limit

    def test_a_burst_of_429s_from_one_window_halves_once(self) -> None:
        """429s from requests started before the last cut do not cut again."""
        limit = ConcurrencyLimit(16, adaptive=True)
        for _ in range(5):
            limit.rate_limited(0)

        assert 8.0 == limit.limit

    def test_the_limit_never_drops_below_one(self) -> None:
        """However many windows see 429s, one request may still run."""
        limit = ConcurrencyLimit(4, adaptive=True)
        for epoch in range(10):
            limit.rate_limited(epoch)

        assert 1.0 == limit.limit

    def test_successes_grow_the_limit_back_to_the_maximum_only(self) -> None:
        """Additive increase: successes restore the limit, never past the maximum."""
        limit = ConcurrencyLimit(4, adaptive=True)
        limit.rate_limited(0)
        for _ in range(100):
            limit.succeeded()

        assert 4.0 == limit.limit

    def test_growth_is_slow(self) -> None:
        """After a halving to 4, four successes add about one slot, not four."""
        limit = ConcurrencyLimit(8, adaptive=True)
        limit.rate_limited(0)
        for _ in range(4):
            limit.succeeded()

        assert 4.9 < limit.limit < 5.1


class TestRateLimiter:
    async def test_starts_are_spaced_across_tasks(self) -> None:
        """Ten tasks sharing a 100/s limiter start about 10 ms apart."""
        sleeps: list[float] = []

        async def record(seconds: float) -> None:
            sleeps.append(seconds)

        pace = RateLimiter(100.0, sleep=record)
        await asyncio.gather(*(pace.wait() for _ in range(10)))

        assert 9 == len(sleeps)
        assert sorted(sleeps) == pytest.approx([0.01 * i for i in range(1, 10)], abs=0.005)

    @pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
    def test_a_non_positive_rate_is_refused(self, rate: float) -> None:
        """A rate of zero, a negative one or NaN is a ValueError."""

        async def nap(_: float) -> None:
            return None

        with pytest.raises(ValueError, match="requests_per_second"):
            RateLimiter(rate, sleep=nap)
