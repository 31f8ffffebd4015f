"""The fan-out engine: bounded, streaming, lazy over its keys, and leaving no task behind."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncGenerator, AsyncIterator, Iterator
from typing import TypeVar, cast

import pytest

from signalwire_orders._bulk import stream_bounded

T = TypeVar("T")


def closing(stream: AsyncIterator[T]) -> contextlib.aclosing[AsyncGenerator[T, None]]:
    """``contextlib.aclosing`` for a stream that is an async generator at run time."""
    # stream_bounded is annotated AsyncIterator (no aclose) though it is an async generator.
    return contextlib.aclosing(cast("AsyncGenerator[T, None]", stream))


async def echo(key: int) -> int:
    """A fetch that yields to the loop once and returns its key."""
    await asyncio.sleep(0)
    return key


class Blocking:
    """Fetches that wait on a gate that never opens, except for keys listed as fast."""

    def __init__(self, *fast: int) -> None:
        self.fast = set(fast)
        self.started: list[int] = []
        self.cancelled: list[int] = []
        self.gate = asyncio.Event()

    async def __call__(self, key: int) -> int:
        self.started.append(key)
        if key in self.fast:
            return key
        try:
            await self.gate.wait()
        except asyncio.CancelledError:
            self.cancelled.append(key)
            raise
        return key


class CountingKeys:
    """A key generator that counts how many keys were pulled from it."""

    def __init__(self, count: int | None = None) -> None:
        self.count = count
        self.pulled = 0

    def __iter__(self) -> Iterator[int]:
        numbers = itertools.count() if self.count is None else range(self.count)
        for key in numbers:
            self.pulled += 1
            yield key


class TestStreamBounded:
    async def test_yields_one_result_per_key(self) -> None:
        """Every key gives exactly one result."""
        expected = list(range(50))

        actual = sorted([r async for r in stream_bounded(range(50), echo, concurrency=4)])

        assert expected == actual

    async def test_no_keys_yield_nothing(self) -> None:
        """An empty input is an empty stream."""
        expected: list[int] = []

        actual = [r async for r in stream_bounded([], echo, concurrency=4)]

        assert expected == actual

    async def test_results_come_in_completion_order(self) -> None:
        """A fast key's result comes before a slow key's, whatever the input order."""
        delays = {"slow": 0.06, "fast": 0.0, "medium": 0.03}

        async def fetch(key: str) -> str:
            await asyncio.sleep(delays[key])
            return key

        expected = ["fast", "medium", "slow"]

        actual = [r async for r in stream_bounded(delays, fetch, concurrency=3)]

        assert expected == actual

    async def test_results_stream_before_the_slowest_finishes(self) -> None:
        """A finished result is yielded while another fetch is still blocked."""
        fetch = Blocking(2)

        async with closing(stream_bounded([1, 2], fetch, concurrency=2)) as results:
            first = await anext(results)  # key 1 is blocked on a gate that is still shut
            fetch.gate.set()
            rest = [r async for r in results]
        expected = (2, [1])

        actual = (first, rest)

        assert expected == actual

    async def test_never_more_than_concurrency_in_flight(self) -> None:
        """With 200 keys and concurrency 7, at most (and at some point exactly) 7 run at once."""
        in_flight = 0
        peak = 0

        async def fetch(key: int) -> int:
            nonlocal in_flight, peak
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.001 * (key % 3))
            in_flight -= 1
            return key

        expected = (7, 200)

        results = [r async for r in stream_bounded(range(200), fetch, concurrency=7)]
        actual = (peak, len(results))

        assert expected == actual

    async def test_concurrency_one_runs_keys_one_at_a_time(self) -> None:
        """With concurrency 1 the keys run one after another, in input order."""
        expected = list(range(10))

        actual = [r async for r in stream_bounded(range(10), echo, concurrency=1)]

        assert expected == actual

    async def test_keys_are_pulled_lazily_from_a_generator(self) -> None:
        """At most ``2 * concurrency + 1`` keys are pulled ahead of the results consumed."""
        keys = CountingKeys(10_000)
        ahead: list[int] = []
        consumed = 0

        async with closing(stream_bounded(keys, echo, concurrency=5)) as results:
            async for _ in results:
                consumed += 1
                await asyncio.sleep(0.001)  # a slow consumer lets workers run ahead
                ahead.append(keys.pulled - consumed)
                if consumed == 30:
                    break

        # In flight, waiting in the queue, and the one a stalled worker holds.
        assert max(ahead) <= 2 * 5 + 1

    async def test_endless_generator_is_not_materialised(self) -> None:
        """An endless key generator works: the stream pulls keys only as it goes."""
        keys = CountingKeys()

        async with closing(stream_bounded(keys, echo, concurrency=3)) as results:
            async for result in results:
                if result >= 20:
                    break

        assert keys.pulled < 100

    @pytest.mark.parametrize("concurrency", [0, -1, True, False, 1.5])
    async def test_bad_concurrency_is_a_value_error(self, concurrency: object) -> None:
        """Concurrency must be an int of at least 1 (a bool is not), checked when called."""
        with pytest.raises(ValueError, match="concurrency"):
            stream_bounded([1], echo, concurrency=concurrency)  # type: ignore[arg-type]  # the mistake under test

    async def test_fetch_bug_reaches_the_consumer(self) -> None:
        """An exception escaping a fetch is raised to the consumer as itself."""
        bug = RuntimeError("bug in fetch")

        async def fetch(key: int) -> int:
            await asyncio.sleep(0)
            if key == 3:
                raise bug
            return key

        with pytest.raises(RuntimeError) as info:
            _ = [r async for r in stream_bounded(range(10), fetch, concurrency=2)]

        assert info.value is bug

    async def test_fetch_bug_cancels_the_other_fetches(self) -> None:
        """When one fetch raises, the fetches still running are cancelled."""
        blocking = Blocking()

        async def fetch(key: int) -> int:
            if key == 0:
                await asyncio.sleep(0.01)
                msg = "bug in fetch"
                raise RuntimeError(msg)
            return await blocking(key)

        with pytest.raises(RuntimeError):
            _ = [r async for r in stream_bounded([0, 1, 2], fetch, concurrency=3)]
        expected = [1, 2]

        actual = sorted(blocking.cancelled)

        assert expected == actual

    async def test_fetch_bug_leaves_no_task(self) -> None:
        """After a fetch bug is raised, no task of the stream remains."""
        before = asyncio.all_tasks()

        blocking = Blocking(0, 1)

        async def fetch(key: int) -> int:
            if key == 2:
                await asyncio.sleep(0.01)
                msg = "bug in fetch"
                raise RuntimeError(msg)
            return await blocking(key)

        with pytest.raises(RuntimeError):
            _ = [r async for r in stream_bounded(range(5), fetch, concurrency=3)]
        expected = before

        actual = asyncio.all_tasks()

        assert expected == actual

    async def test_break_inside_aclosing_cancels_in_flight_fetches(self) -> None:
        """Leaving the loop early cancels every fetch still running."""
        fetch = Blocking(0)

        async with closing(stream_bounded(range(4), fetch, concurrency=4)) as results:
            async for _ in results:
                break
        expected = [1, 2, 3]

        actual = sorted(fetch.cancelled)

        assert expected == actual

    async def test_break_inside_aclosing_leaves_no_task(self) -> None:
        """Once ``aclosing`` exits, no task of the stream remains."""
        before = asyncio.all_tasks()
        fetch = Blocking(0)

        async with closing(stream_bounded(range(100), fetch, concurrency=8)) as results:
            async for _ in results:
                break
        expected = before

        actual = asyncio.all_tasks()

        assert expected == actual

    async def test_break_pulls_no_more_keys(self) -> None:
        """After closing, no further key is taken from the generator."""
        keys = CountingKeys(1000)
        fetch = Blocking(0)

        async with closing(stream_bounded(keys, fetch, concurrency=4)) as results:
            async for _ in results:
                break
        pulled_at_close = keys.pulled
        await asyncio.sleep(0.01)

        assert keys.pulled == pulled_at_close

    async def test_cancelling_the_consumer_cancels_every_fetch(self) -> None:
        """Cancelling the consuming task cancels all running fetches."""
        fetch = Blocking(0)
        first = asyncio.Event()

        async def consume() -> None:
            async for _ in stream_bounded(range(6), fetch, concurrency=6):
                first.set()

        consumer = asyncio.create_task(consume())
        await first.wait()
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
        expected = [1, 2, 3, 4, 5]

        actual = sorted(fetch.cancelled)

        assert expected == actual

    async def test_cancelling_the_consumer_leaves_no_task(self) -> None:
        """After the consumer is cancelled, no task of the stream remains."""
        before = asyncio.all_tasks()
        fetch = Blocking(0)
        first = asyncio.Event()

        async def consume() -> None:
            async for _ in stream_bounded(range(50), fetch, concurrency=5):
                first.set()

        consumer = asyncio.create_task(consume())
        await first.wait()
        consumer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await consumer
        expected = before

        actual = asyncio.all_tasks()

        assert expected == actual

    async def test_normal_completion_leaves_no_task(self) -> None:
        """A stream read to the end leaves no task behind."""
        before = asyncio.all_tasks()

        _ = [r async for r in stream_bounded(range(20), echo, concurrency=4)]
        expected = before

        actual = asyncio.all_tasks()

        assert expected == actual
