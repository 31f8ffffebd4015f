"""
Fan-out: run one fetch per key, at most ``concurrency`` at once, stream results.

Workers pull keys from one shared iterator, so no more than ``concurrency``
tasks ever exist, however many keys there are, and results are handed over
through a queue of ``concurrency`` slots as each key finishes (SPEC section 4, Concurrency).
The fetch callable reports per-key failures in its result; anything it lets
escape is a bug and is re-raised to the consumer after the others stop.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Iterator
from typing import Generic, TypeVar

__all__ = ["stream_bounded"]

K = TypeVar("K")
R = TypeVar("R")


class _Done(Generic[R]):
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


async def _work(
    pending: Iterator[K], fetch: Callable[[K], Awaitable[R]], results: asyncio.Queue[R | _Done[R]]
) -> None:
    for key in pending:  # shared: each key is taken by exactly one worker
        result = await fetch(key)
        if results.full():  # the consumer is behind: wait for a slot
            await results.put(result)
        else:  # no coroutine for a put that cannot wait
            results.put_nowait(result)
        # Handed over: held through the next fetch, it would keep a whole
        # campaign's orders alive for the GC to traverse (benchmarks/, kept).
        del result


async def stream_bounded(
    keys: Iterable[K], fetch: Callable[[K], Awaitable[R]], *, concurrency: int
) -> AsyncGenerator[R, None]:
    """
    Yield ``await fetch(key)`` for every key, in completion order.

    Closing or cancelling the consumer cancels every worker and waits for
    them, so no task outlives the iteration.

    Raises:
        ValueError: ``concurrency`` is not a positive int.
    """
    if isinstance(concurrency, bool) or not isinstance(concurrency, int) or concurrency < 1:
        msg = f"concurrency must be an int >= 1, got {concurrency!r}"
        raise ValueError(msg)
    pending = iter(keys)
    # Bounded: a slow consumer stalls the workers once ``concurrency`` finished
    # results wait, instead of letting them pile up. A single slot would bound
    # them tighter, but hand results over one per event-loop turn: with small
    # campaigns that cost a fifth of the CPU per campaign (benchmarks/, scale).
    results: asyncio.Queue[R | _Done[R]] = asyncio.Queue(maxsize=concurrency)

    async def run() -> None:
        error: BaseException | None = None
        try:
            async with asyncio.TaskGroup() as group:
                for _ in range(concurrency):
                    group.create_task(_work(pending, fetch, results))
        except* Exception as group:  # noqa: BLE001  # a bug in fetch: handed to the consumer
            error = group.exceptions[0] if len(group.exceptions) == 1 else group
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
