"""
Fan-out: run one fetch per key, at most ``concurrency`` at once, stream results.

Workers pull keys from one shared source, so no more than ``concurrency``
tasks ever exist, however many keys there are, and results are handed over
through a queue of ``concurrency`` slots as each key finishes (SPEC section 4,
Concurrency). Keys may come from an iterable, all known at once, or from an
async iterable, fetched as they arrive (``campaigns.list_all()`` can feed it).
The fetch callable reports per-key failures in its result; an exception it
lets escape (a fatal error such as a 401, or a bug) stops the whole fan-out:
the other workers are cancelled and the consumer gets that exception, once,
after the results already handed over.

`ResultStream` is what the consumer holds: an async generator that is also
an async context manager, so that ``async with ... as results:`` cancels all
work when the block is left, however it is left.
"""

from __future__ import annotations

import asyncio
from collections.abc import (
    AsyncGenerator,
    AsyncIterable,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
)
from types import TracebackType
from typing import Generic, Self, TypeVar

__all__ = ["ResultStream", "stream_bounded"]

K = TypeVar("K")
R = TypeVar("R")


class _Done(Generic[R]):
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class _End:
    __slots__ = ()


_END = _End()


class ResultStream(AsyncGenerator[R, None]):
    """
    The results of a fan-out, as they finish: iterate it, ideally inside ``async with``.

    Leaving the ``async with`` block (a ``break``, an error, a return)
    cancels every fetch still running at once and waits for them, so no task
    or connection outlives it. It is an async generator too: ``aclose()``
    does the same, and ``contextlib.aclosing`` works as for any other.

    Example::

        async with client.orders.list_many(campaign_ids, concurrency=32) as results:
            async for result in results:
                print(result.campaign_id, len(result.orders), result.error)
    """

    __slots__ = ("__weakref__", "_agen")

    def __init__(self, agen: AsyncGenerator[R, None]) -> None:
        self._agen = agen

    def __repr__(self) -> str:
        return "<ResultStream>"

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> R:
        return await self._agen.__anext__()

    async def asend(self, value: None) -> R:
        """Send into the generator (as ``anext``: the stream takes no values)."""
        return await self._agen.asend(value)

    async def athrow(
        self,
        typ: type[BaseException] | BaseException,
        val: object = None,
        tb: TracebackType | None = None,
    ) -> R:
        """Throw into the generator, as into any async generator."""
        if val is None and tb is None:
            return await self._agen.athrow(typ)
        return await self._agen.athrow(typ, val, tb)  # type: ignore[arg-type]  # the old form, passed on

    async def aclose(self) -> None:
        """Cancel every fetch still running and wait for them."""
        await self._agen.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _work(
    pending: Iterator[K] | asyncio.Queue[K | _End],
    fetch: Callable[[K], Awaitable[R]],
    results: asyncio.Queue[R | _Done[R]],
) -> None:
    while True:
        if isinstance(pending, asyncio.Queue):
            key = await pending.get()
            if isinstance(key, _End):
                pending.put_nowait(key)  # for the next worker
                return
        else:
            key = next(pending, _END)
            if isinstance(key, _End):
                return
        result = await fetch(key)
        if results.full():  # the consumer is behind: wait for a slot
            await results.put(result)
        else:  # no coroutine for a put that cannot wait
            results.put_nowait(result)
        # Handed over: held through the next fetch, it would keep a whole
        # campaign's orders alive for the GC to traverse (benchmarks/, kept).
        del result


async def _feed(keys: AsyncIterable[K], pending: asyncio.Queue[K | _End]) -> None:
    async for key in keys:
        await pending.put(key)  # at most ``concurrency`` keys read ahead
    await pending.put(_END)


def _first_error(group: BaseExceptionGroup[Exception]) -> BaseException:
    # A fatal error (a 401 in each of several workers) is raised once; a
    # mixture, which would mean a bug beside it, is raised whole.
    kinds = {type(exc) for exc in group.exceptions}
    return group.exceptions[0] if len(kinds) == 1 else group


async def _stream(
    keys: Iterable[K] | AsyncIterable[K],
    fetch: Callable[[K], Awaitable[R]],
    concurrency: int,
) -> AsyncGenerator[R, None]:
    # Bounded: a slow consumer stalls the workers once ``concurrency`` finished
    # results wait, instead of letting them pile up. A single slot would bound
    # them tighter, but hand results over one per event-loop turn: with small
    # campaigns that cost a fifth of the CPU per campaign (benchmarks/, scale).
    results: asyncio.Queue[R | _Done[R]] = asyncio.Queue(maxsize=concurrency)

    async def run() -> None:
        error: BaseException | None = None
        try:
            async with asyncio.TaskGroup() as group:
                pending: Iterator[K] | asyncio.Queue[K | _End]
                if isinstance(keys, AsyncIterable):
                    pending = asyncio.Queue(maxsize=concurrency)
                    group.create_task(_feed(keys, pending))
                else:
                    pending = iter(keys)
                for _ in range(concurrency):
                    group.create_task(_work(pending, fetch, results))
        except* Exception as group:  # noqa: BLE001  # a fatal error: handed to the consumer
            error = _first_error(group)
        await results.put(_Done(error))

    runner = asyncio.create_task(run(), name="signalwire_orders.list_many")
    try:
        while True:
            # A result already waiting is taken without a coroutine.
            item = results.get_nowait() if results.qsize() else await results.get()
            if isinstance(item, _Done):
                break
            yield item
            del item  # the consumer has it: not kept while the next one is awaited
        if item.error is not None:
            raise item.error
    finally:
        if not runner.done():
            runner.cancel()
            # asyncio.wait never raises the runner's CancelledError, so only a
            # cancellation aimed at the consumer itself propagates from here.
            await asyncio.wait({runner})


def stream_bounded(
    keys: Iterable[K] | AsyncIterable[K],
    fetch: Callable[[K], Awaitable[R]],
    *,
    concurrency: int,
) -> ResultStream[R]:
    """
    Yield ``await fetch(key)`` for every key, in completion order.

    Closing or cancelling the consumer cancels every worker and waits for
    them, so no task outlives the iteration.

    Raises:
        ValueError: ``concurrency`` is not a positive int (at once).
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        msg = f"concurrency must be an int >= 1, got {concurrency!r}"
        raise ValueError(msg)
    return ResultStream(_stream(keys, fetch, concurrency))
