"""
The sync client's engine: one private event loop in one daemon thread.

``LoopThread`` starts the loop on first use, opens the async client inside
it (``async with``), hands calls over with ``asyncio.run_coroutine_threadsafe`` and raises
their errors in the calling thread; ``close()`` winds everything down.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import sys
import threading
import warnings
import weakref
from collections.abc import (
    AsyncGenerator,
    AsyncIterator,
    Awaitable,
    Callable,
)
from typing import Any, Final, TypeVar

import attrs

from ._client import Client as _AsyncClient
from ._engine import Stats
from ._models import (
    RateLimit,
)

__all__ = ["End", "LoopThread", "next_or_end", "now"]

T = TypeVar("T")

_NEW: Final = "new"
_RUNNING: Final = "running"
_CLOSED: Final = "closed"


def _refuse_own_thread(started: _Started | None) -> None:
    # From another thread's running loop (a Jupyter cell) a call just blocks
    # that loop, as any blocking call does; from the client's own loop thread
    # (a hook) it would wait for itself forever.
    if started is not None and threading.current_thread() is started.thread:
        msg = (
            "signalwire_orders.sync.Client was called on its own loop thread (from a hook?), "
            "where it would deadlock: use the async signalwire_orders.Client there"
        )
        raise RuntimeError(msg)


def _in_running_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


async def now(value: T) -> T:
    return value


class End:
    __slots__ = ()


END: Final = End()


async def next_or_end(agen: AsyncIterator[T]) -> T | End:
    try:
        return await anext(agen)
    except StopAsyncIteration:
        return END


@attrs.frozen
class _Started:
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread
    client: _AsyncClient
    stop: asyncio.Event


class LoopThread:
    """One private event loop in one daemon thread, running one async client."""

    def __init__(self, client: _AsyncClient) -> None:
        self._client = client
        self._lock = threading.Lock()
        self._state: str = _NEW
        self._started: _Started | None = None
        # Only touched on the loop thread:
        self._calls: set[asyncio.Task[Any]] = set()
        self._listings: weakref.WeakSet[AsyncGenerator[Any, None]] = weakref.WeakSet()
        self._failure: BaseException | None = None
        self.final_stats = Stats()
        self.final_rate_limit: RateLimit | None = None

    @property
    def closed(self) -> bool:
        return self._state == _CLOSED

    def run(
        self,
        call: Callable[[_AsyncClient], Awaitable[T]],
        *,
        if_closed: Callable[[], T] | None = None,
    ) -> T:
        """Run ``call(client)`` on the loop; block for its result; raise its error here."""
        _refuse_own_thread(self._started)
        final: Callable[[], T] | None = None
        with self._lock:  # no close() between the state check and the submission
            if self._state == _CLOSED and if_closed is not None:
                final, ending = if_closed, self._started
            else:
                started = self._start()
                coro = self._tracked(call, started.client)
                try:
                    future = asyncio.run_coroutine_threadsafe(coro, started.loop)
                except BaseException:
                    coro.close()
                    raise
        if final is not None:
            if ending is not None and threading.current_thread() is not ending.thread:
                ending.thread.join()  # another thread's close() may still be winding down
            return final()
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            if self.closed:
                msg = "the sync Client was closed while this call was running"
                raise RuntimeError(msg) from None
            raise
        except BaseException:
            future.cancel()  # a no-op once done; on KeyboardInterrupt it stops the call
            raise

    def close_listing(self, agen: AsyncGenerator[Any, None]) -> None:
        """Close an unfinished listing now; a closed client has closed it already."""
        with self._lock:
            if self._state != _RUNNING or self._started is None:
                return
            loop = self._started.loop
        if _in_running_loop() or sys.is_finalizing():
            # Collected inside a loop (maybe our own thread): ask, do not wait.
            coro = agen.aclose()
            try:
                asyncio.run_coroutine_threadsafe(coro, loop)
            except RuntimeError:  # the loop has just closed, and closed the listing
                coro.close()
            return
        try:
            self.run(lambda _client: agen.aclose())
        except RuntimeError:
            if not self.closed:
                raise

    def close(self) -> None:
        """Stop the loop thread after closing the async client; idempotent."""
        with self._lock:
            state, self._state = self._state, _CLOSED
            started = self._started
        if state != _RUNNING or started is None:
            return
        with contextlib.suppress(RuntimeError):  # the loop is already closed
            started.loop.call_soon_threadsafe(started.stop.set)
        if threading.current_thread() is not started.thread:
            started.thread.join()
        failure, self._failure = self._failure, None
        if failure is not None:
            raise failure

    def abandon(self) -> None:
        """The sync client was collected unclosed: warn, and stop the thread without waiting."""
        with self._lock:
            state, self._state = self._state, _CLOSED
            started = self._started
        if state != _RUNNING or started is None:
            return
        msg = "unclosed signalwire_orders.sync.Client: use 'with Client() as client:' or close()"
        warnings.warn(msg, ResourceWarning, stacklevel=2)
        with contextlib.suppress(RuntimeError):
            started.loop.call_soon_threadsafe(started.stop.set)

    # -- on the caller's thread, with the lock held -------------------------------------------

    def _start(self) -> _Started:
        if self._state == _CLOSED:
            msg = "the sync Client is closed"
            raise RuntimeError(msg)
        if self._started is not None:
            return self._started
        ready: concurrent.futures.Future[_Started] = concurrent.futures.Future()
        thread = threading.Thread(
            target=self._main, args=(ready,), name="signalwire_orders.sync", daemon=True
        )
        thread.start()
        try:
            started = ready.result()
        except BaseException:
            if ready.done():  # opening the async client failed: the thread is ending
                thread.join()
            raise
        self._started = started
        self._state = _RUNNING
        return started

    # -- on the loop thread -------------------------------------------------------------------

    def _main(self, ready: concurrent.futures.Future[_Started]) -> None:
        try:
            asyncio.run(self._serve(ready))
        except BaseException as exc:  # noqa: BLE001  # handed to the caller of _start or close
            if ready.done():
                self._failure = exc
            else:
                ready.set_exception(exc)

    async def _serve(self, ready: concurrent.futures.Future[_Started]) -> None:
        client = self._client
        stop = asyncio.Event()
        async with client:
            started = _Started(asyncio.get_running_loop(), threading.current_thread(), client, stop)
            ready.set_result(started)
            await stop.wait()
            # Calls in flight first (they use the session), then unfinished
            # listings one by one, outermost first: each closes what it wraps
            # (list_many its workers); shutdown_asyncgens gets any left over.
            calls = list(self._calls)
            for task in calls:
                task.cancel()
            await asyncio.gather(*calls, return_exceptions=True)
            for agen in list(self._listings):
                await agen.aclose()
            await asyncio.get_running_loop().shutdown_asyncgens()
        self.final_stats = client.stats
        self.final_rate_limit = client.rate_limit

    async def _tracked(
        self, call: Callable[[_AsyncClient], Awaitable[T]], client: _AsyncClient
    ) -> T:
        task = asyncio.current_task()
        if task is None:  # pragma: no cover - run_coroutine_threadsafe always makes a task
            return await call(client)
        self._calls.add(task)
        try:
            return await call(client)
        finally:
            self._calls.discard(task)

    async def adopt(self, agen: AsyncGenerator[T, None]) -> AsyncGenerator[T, None]:
        """Remember a listing (on the loop thread) so that closing the client closes it."""
        self._listings.add(agen)
        return agen
