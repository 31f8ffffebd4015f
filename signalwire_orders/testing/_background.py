"""
What the fake server does between requests: move created objects on in time, POST callbacks.

`install` runs it for the application's lifetime (from the runner's setup
to its cleanup): a task that calls `FakeData.advance_due` while
``ServerState.advance_after`` is set, and the one `aiohttp.ClientSession`
of `Callbacks`, which POSTs the
documented 10DLC status callback (OpenAPI ``webhooks.tenDlcStatusCallback``)
for each move the webhook tables list, to a ``status_callback_url`` on a
loopback host only: the fake never calls out. Each delivery is a task of its
own, recorded in ``ServerState.callbacks``; on close the deliveries still
running get a moment to finish, then are cancelled, and the session closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from ._lifecycle import StateChange
from ._state import ServerState, StatusCallback
from ._wire import Wire, rfc3339

__all__ = ["install", "is_loopback"]

LOG = logging.getLogger("signalwire_orders.testing")
_TICK = 0.05  # the longest the clock task sleeps: how soon it sees a new advance_after
_DELIVERY_TIMEOUT = aiohttp.ClientTimeout(total=5.0)
_CLOSE_GRACE = 0.5  # how long close() lets deliveries in flight finish
_LOOPBACK_V4 = ipaddress.ip_network("127.0.0.0/8")
_LOOPBACK_V6 = ipaddress.ip_address("::1")


def is_loopback(url: str) -> bool:
    """
    Whether ``url``'s host is on this machine: ``localhost``, 127.0.0.0/8 or ``::1``.

    Example::

        assert is_loopback("http://127.0.0.1:8080/cb") and not is_loopback("https://example.com")
    """
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return False
    if host is None or host == "localhost":  # urlsplit gives the host in lower case
        return host is not None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name other than localhost
        return False
    return address == _LOOPBACK_V6 or (address.version == 4 and address in _LOOPBACK_V4)


def callback_payload(change: StateChange, project_id: str, event_at: int) -> Wire:
    """
    The status callback body of a move (OpenAPI ``TenDlcStatusCallbackPayload``).

    Args:
        change: A move whose ``event_type`` the webhook tables list.
        project_id: The project of the object (the server's).
        event_at: When the move happened, in seconds since the epoch.

    Example::

        body = callback_payload(change, server.project_id, int(time.time()))
    """
    payload: Wire = {
        "project_id": project_id,
        "event_at": rfc3339(event_at),
        "event_category": change.category,
        "event_type": change.event_type,
        "state": change.state,
        "brand_id": change.brand_id,
    }
    if change.campaign_id is not None:
        payload["campaign_id"] = change.campaign_id
    if change.order_id is not None:
        payload["number_assignment_order_id"] = change.order_id
    return payload


class Callbacks:
    """
    Delivers status callbacks for one server: one POST task per callback, one session.

    Create it in the server's event loop; `notify` may be called from any thread.

    Example::

        callbacks = Callbacks(state)
        stop = state.data.observe(callbacks.notify)
        ...
        stop()
        await callbacks.close()
    """

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._loop = asyncio.get_running_loop()
        self._session = aiohttp.ClientSession(timeout=_DELIVERY_TIMEOUT)
        self._tasks: set[asyncio.Task[None]] = set()
        self._closed = False

    def notify(self, change: StateChange) -> None:
        """
        Send the callback of a move, if it has one and may be sent (in the background).

        Example::

            data.observe(callbacks.notify)
        """
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:  # a test's thread, changing the data directly
            here = None
        if here is self._loop:
            self._send(change)
        else:
            self._loop.call_soon_threadsafe(self._send, change)

    def _send(self, change: StateChange) -> None:
        url = change.status_callback_url
        if self._closed or url is None or change.event_type is None:
            return
        if not is_loopback(url):
            LOG.debug("status callback to %s not sent: not a loopback host", url)
            return
        payload = callback_payload(change, self._state.project_id, int(time.time()))
        task = self._loop.create_task(self._deliver(url, payload), name="fake-server-callback")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, url: str, payload: dict[str, Any]) -> None:
        status, error = None, None
        try:
            # Never redirected: a loopback receiver must not send the fake elsewhere.
            async with self._session.post(url, json=payload, allow_redirects=False) as response:
                status = response.status
                await response.read()
        except asyncio.CancelledError:
            error = "cancelled: the server closed"
            raise
        except (aiohttp.ClientError, TimeoutError, OSError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        finally:
            self._record(StatusCallback(url, payload, status, error))

    def _record(self, delivery: StatusCallback) -> None:
        self._state.callbacks.append(delivery)
        if not delivery.ok:
            self._state.callback_failures += 1
            LOG.debug(
                "status callback %s to %s failed: %s",
                delivery.payload["event_type"],
                delivery.url,
                delivery.error or f"HTTP {delivery.status}",
            )

    async def close(self) -> None:
        """
        Let deliveries in flight finish (briefly), cancel the rest, and close the session.

        Example::

            await callbacks.close()
        """
        self._closed = True
        if self._tasks:
            _, late = await asyncio.wait(self._tasks, timeout=_CLOSE_GRACE)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        await self._session.close()


async def _advance(state: ServerState) -> None:
    while True:
        after = state.advance_after
        wait = None if after is None else state.data.advance_due(after)
        await asyncio.sleep(_TICK if wait is None else min(wait, _TICK))


class _Background:
    # The clock task and the callbacks of one application, from its startup to its cleanup.

    def __init__(self, state: ServerState) -> None:
        self._state = state
        self._running: tuple[Callbacks, Callable[[], None], asyncio.Task[None]] | None = None

    async def start(self, _: web.Application) -> None:
        callbacks = Callbacks(self._state)
        stop = self._state.data.observe(callbacks.notify)
        clock = asyncio.create_task(_advance(self._state), name="fake-server-clock")
        self._running = (callbacks, stop, clock)

    async def close(self, _: web.Application) -> None:
        if self._running is None:
            return
        (callbacks, stop, clock), self._running = self._running, None
        clock.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await clock
        stop()
        await callbacks.close()


def install(app: web.Application, state: ServerState) -> None:
    """
    Run the clock and the callbacks of ``state`` from the app's startup to its cleanup.

    Plain startup and cleanup hooks rather than a cleanup context, so no async
    generator of the fake stays open while it runs.

    Example::

        install(app, state)
    """
    background = _Background(state)
    app.on_startup.append(background.start)
    app.on_cleanup.append(background.close)
