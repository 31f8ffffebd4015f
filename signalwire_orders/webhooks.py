"""
Receive SignalWire's 10DLC status callbacks: parse them, serve them, wait on them.

SignalWire POSTs a JSON payload to the ``status_callback_url`` of a brand,
campaign or number assignment order whenever its state changes (OpenAPI
``webhooks/tenDlcStatusCallback``). This module turns those POSTs into typed
`StatusEvent` objects:

* `parse_event` decodes one body; it is pure, for use in any web framework.
* `StatusCallbackReceiver` is a ready aiohttp handler and application that
  hands each event to an ``on_event`` callback, to ``async for`` iterators
  and to order waiters.
* `wait_for_order` returns as soon as an order's
  ``number_assignment_order_processed`` event arrives, polling the API
  meanwhile: SignalWire calls callbacks advisory and best-effort, so they may
  come late or never.

Security: SignalWire documents no signature or shared secret for these
callbacks, so none is checked here, and anyone who knows the URL can POST to
it. Serve the receiver over HTTPS on an unguessable path (`secret_path`) or
behind your own authentication middleware, and treat an event as a hint to
confirm with the API (as `wait_for_order` does) before acting on it.

Example::

    from aiohttp import web
    from signalwire_orders.webhooks import StatusCallbackReceiver

    async def on_event(event):
        print(event.event_type, event.state, event.number_assignment_order_id)

    receiver = StatusCallbackReceiver(on_event=on_event, path=settings.callback_path)
    web.run_app(receiver.app(), port=8080)
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Iterator
from typing import Final
from uuid import UUID

from aiohttp import web

from ._client import Client
from ._codec import decode
from ._config import API_PREFIX
from ._errors import ResponseError
from ._events import EventCategory, EventType, StatusEvent
from ._models import Order
from ._polling import poll_until_final
from ._protocol import path_id

__all__ = [
    "DEFAULT_MAX_BODY_SIZE",
    "DEFAULT_QUEUE_SIZE",
    "EventCategory",
    "EventType",
    "StatusCallbackReceiver",
    "StatusEvent",
    "parse_event",
    "secret_path",
    "wait_for_order",
]

#: Largest callback body accepted, in bytes (a real one is about 500).
DEFAULT_MAX_BODY_SIZE: Final = 64 * 1024
#: Events `StatusCallbackReceiver.events` holds before the receiver answers 503.
DEFAULT_QUEUE_SIZE: Final = 1000

LOG: Final = logging.getLogger("signalwire_orders.webhooks")
_WHERE: Final = "10DLC status callback"

# The decoded event, or None: the receiver was closed (wakes every iterator).
_Queue = asyncio.Queue[StatusEvent | None]


def parse_event(body: bytes) -> StatusEvent:
    """
    Decode the body of a 10DLC status callback POST.

    Decoding follows the client's rules: ids become ``UUID``, ``event_at`` a
    timezone-aware ``datetime`` (a time without an offset is taken as UTC),
    unknown ``event_category``/``event_type`` values and unknown fields are
    kept rather than rejected.

    Raises:
        ResponseError: The body is not JSON, or not the documented shape (a
            required field missing, a wrong type, an id that is not a UUID).

    Example::

        event = parse_event(b'{"project_id": "...", "event_type": "brand_activated", ...}')
        event.event_type is EventType.BRAND_ACTIVATED
    """
    try:
        return decode(StatusEvent, body, where=_WHERE, status=None)
    except ResponseError as exc:
        # The codec words it for API responses; say what it is here.
        reason = str(exc).partition("): ")[2] or str(exc)
        msg = f"not a valid {_WHERE}: {reason}"
        raise ResponseError(msg, url=_WHERE, body_snippet=exc.body_snippet) from exc


def secret_path(prefix: str = "/signalwire/10dlc") -> str:
    """
    Return a new unguessable path (``prefix`` plus 256 random bits) for a receiver.

    SignalWire signs nothing, so an unguessable URL is the shared secret:
    generate one once, keep it with your other secrets, and give the same
    path to `StatusCallbackReceiver` and (as part of the public URL) to
    ``status_callback_url``. Access logs record paths: run the app with
    ``access_log=None`` (or a format without the path) to keep it out of logs.

    Example::

        path = secret_path()  # "/signalwire/10dlc/3q2-7wEv..."; store it, don't log it
    """
    return f"{prefix.rstrip('/')}/{secrets.token_urlsafe(32)}"


def _error(status: int, message: str) -> web.Response:
    # The API's own error shape: {"error": "..."} (SPEC section 2).
    return web.json_response({"error": message}, status=status)


class StatusCallbackReceiver:
    """
    An aiohttp endpoint for 10DLC status callbacks, delivering typed events.

    Each valid POST is parsed into a `StatusEvent` and handed to every
    consumer: the waiters of `wait_for_order` (``number_assignment_order_processed``
    events, by order id), the queue read by `events`, then ``on_event``. The
    answer is 200 once they have it; 400 (``{"error": ...}``) for a body that
    is not JSON or not the documented shape; 413 above ``max_body_size``;
    405 for a method other than POST; 500 when ``on_event`` raises; 503 when
    the queue is full or the receiver is closed, so that SignalWire retries
    later instead of the receiver growing without bound.

    Delivery is at least once: SignalWire may send an event twice, and one
    answered 500 or 503 may come again. Keep ``on_event`` short (it runs
    inside the HTTP request) and idempotent.

    Args:
        on_event: Awaited with each event before answering 200.
        path: The route of `app` (default ``/``); prefer a `secret_path`.
        queue_size: Events `events` may hold unread. Default:
            ``DEFAULT_QUEUE_SIZE`` without ``on_event``, none with it.
            ``0``: no queue (`events` raises), e.g. for a receiver that only
            serves `wait_for_order`.
        max_body_size: Largest body accepted, in bytes.

    Raises:
        ValueError: ``path`` does not start with ``/``, or a size is out of range.

    Example::

        receiver = StatusCallbackReceiver(path=config.callback_path)  # a stored secret_path()
        runner = web.AppRunner(receiver.app())
        await runner.setup()
        await web.TCPSite(runner, "0.0.0.0", 8080).start()
        async for event in receiver.events():
            print(event.event_type, event.state)
    """

    __slots__ = ("_closed", "_max_body_size", "_on_event", "_path", "_queue", "_waiters")

    def __init__(
        self,
        on_event: Callable[[StatusEvent], Awaitable[None]] | None = None,
        *,
        path: str = "/",
        queue_size: int | None = None,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
    ) -> None:
        if not path.startswith("/"):
            msg = f"path must start with '/', got {path!r}"
            raise ValueError(msg)
        if queue_size is None:
            queue_size = DEFAULT_QUEUE_SIZE if on_event is None else 0
        if queue_size < 0 or max_body_size < 1:
            msg = "need queue_size >= 0 and max_body_size >= 1"
            raise ValueError(msg)
        self._on_event = on_event
        self._path = path
        self._max_body_size = max_body_size
        # One slot more than the bound: room for the close marker even when full.
        self._queue: _Queue | None = asyncio.Queue(queue_size + 1) if queue_size else None
        self._waiters: dict[UUID, set[asyncio.Future[StatusEvent]]] = {}
        self._closed = False

    def __repr__(self) -> str:
        # Never the path: it may be the only secret guarding the endpoint.
        queued = "no queue" if self._queue is None else f"{self._pending()} queued"
        waiting = sum(len(w) for w in self._waiters.values())
        closed = " closed" if self._closed else ""
        return f"<StatusCallbackReceiver {queued}, {waiting} waiting{closed}>"

    @property
    def path(self) -> str:
        """
        The route `app` serves.

        Example::

            callback_url = "https://hooks.example.com" + receiver.path
        """
        return self._path

    def app(self) -> web.Application:
        """
        Build an aiohttp application serving `handle` on ``POST path``.

        Example::

            web.run_app(StatusCallbackReceiver(on_event=on_event).app(), port=8080)
        """
        app = web.Application()
        app.router.add_post(self._path, self.handle)
        return app

    async def handle(self, request: web.Request) -> web.Response:
        """
        Handle one callback POST; mount it on your own application and route.

        Example::

            app.router.add_post("/hooks/10dlc/" + token, receiver.handle)
        """
        if request.method != "POST":
            raise web.HTTPMethodNotAllowed(request.method, ["POST"])
        if self._closed:
            return _error(503, "the receiver is closed")
        body = await self._read(request)
        if body is None:
            return _error(413, f"the body is larger than {self._max_body_size} bytes")
        try:
            event = parse_event(body)
        except ResponseError as exc:
            LOG.warning("rejected a status callback: %s", exc)
            return _error(400, str(exc))
        self._notify_waiters(event)
        if self._queue is not None:
            # Check and put with no await between: the bound is exact.
            if self._pending() >= self._queue.maxsize - 1:
                LOG.warning("status callback queue full; answering 503 so SignalWire retries")
                return _error(503, "too many events waiting; retry later")
            self._queue.put_nowait(event)
        if self._on_event is not None:
            try:
                await self._on_event(event)
            except Exception:
                LOG.exception("on_event failed for a %s event", event.event_type)
                return _error(500, "the event handler failed")
        return web.json_response({"ok": True})

    def events(self) -> AsyncIterator[StatusEvent]:
        """
        Iterate over received events, oldest first, until the receiver is closed.

        Several iterators share the events (each event goes to one of them).

        Raises:
            RuntimeError: The receiver has no queue (``queue_size=0``, or an
                ``on_event`` without ``queue_size``).

        Example::

            async for event in receiver.events():
                if event.event_type is EventType.CAMPAIGN_DEACTIVATED:
                    await pause_sending(event.campaign_id)
        """
        if self._queue is None:
            msg = "this receiver has no queue: pass queue_size > 0 to use events()"
            raise RuntimeError(msg)
        return self._iterate(self._queue)

    def close(self) -> None:
        """
        Stop accepting callbacks (503 from now on); `events` iterators end once drained.

        Example::

            receiver.close()
            await consumer_task  # its `async for` ends after the last queued event
        """
        if self._closed:
            return
        self._closed = True
        if self._queue is not None:
            self._queue.put_nowait(None)

    @staticmethod
    async def _iterate(queue: _Queue) -> AsyncGenerator[StatusEvent, None]:
        while (event := await queue.get()) is not None:
            yield event
        queue.put_nowait(None)  # leave the close marker for the other iterators

    def _pending(self) -> int:
        return 0 if self._queue is None else self._queue.qsize() - self._closed

    async def _read(self, request: web.Request) -> bytes | None:
        limit = self._max_body_size
        if request.content_length is not None and request.content_length > limit:
            return None
        if request.can_read_body:  # not read yet (by a middleware): read it capped
            request = request.clone(client_max_size=limit)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return None
        return body if len(body) <= limit else None

    def _notify_waiters(self, event: StatusEvent) -> None:
        order_id = event.number_assignment_order_id
        if event.event_type != EventType.NUMBER_ASSIGNMENT_ORDER_PROCESSED or order_id is None:
            return
        for future in self._waiters.get(order_id, ()):
            if not future.done():
                future.set_result(event)

    @contextlib.contextmanager
    def _watch_order(self, order_id: UUID) -> Iterator[asyncio.Future[StatusEvent]]:
        # A future per waiter, not a task: cancelling a waiter leaves nothing behind.
        future: asyncio.Future[StatusEvent] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(order_id, set()).add(future)
        try:
            yield future
        finally:
            future.cancel()
            waiters = self._waiters.get(order_id)
            if waiters is not None:
                waiters.discard(future)
                if not waiters:
                    del self._waiters[order_id]


async def wait_for_order(
    client: Client,
    order_id: UUID | str,
    *,
    receiver: StatusCallbackReceiver | None = None,
    timeout: float = 300.0,  # noqa: ASYNC109  # a deadline for the whole wait
    poll_interval: float = 5.0,
    max_poll_interval: float = 30.0,
) -> Order:
    """
    Wait until an order is done: on its callback, or by polling; return it.

    Polls ``client.orders.get`` at once and then every ``poll_interval``
    seconds (growing 1.5x per poll up to ``max_poll_interval``) until the
    order is ``processed`` or ``failed``, like ``client.orders.wait``. With a
    ``receiver``, a ``number_assignment_order_processed`` event for the order
    ends the wait early: the order is then fetched once more and returned as
    the API gives it (check its ``state`` if the event might be forged).
    Any number of waiters can share one receiver; each gets its own order's
    event. Cancelling a waiter leaves no task or registration behind.

    Args:
        client: The client to poll and fetch with.
        order_id: The order's UUID.
        receiver: Where the order's ``status_callback_url`` callbacks arrive.
        timeout: Seconds until `APITimeoutError`, requests included.
        poll_interval: Seconds before the second poll.
        max_poll_interval: The longest pause between polls.

    Raises:
        ValueError: ``order_id`` is not a UUID, or a time is out of range.
        APITimeoutError: The order is not done after ``timeout`` seconds.

    Example::

        order = await client.orders.create(cid, numbers, status_callback_url=public_url)
        order = await wait_for_order(client, order.id, receiver=receiver, timeout=600)
    """
    uuid = UUID(path_id(order_id, "order_id"))
    # Listen before the first poll: an event between the two is not lost.
    with _watching(receiver, uuid) as processed:
        return await poll_until_final(
            lambda: client.orders.get(uuid),
            order_id=uuid,
            url=f"{client.base_url}{API_PREFIX}/orders/{uuid}",
            timeout=timeout,
            poll_interval=poll_interval,
            max_poll_interval=max_poll_interval,
            sleep=client._engine.sleep,  # noqa: SLF001  # the client's injectable sleep
            wake=processed,
        )


def _watching(
    receiver: StatusCallbackReceiver | None, order_id: UUID
) -> contextlib.AbstractContextManager[asyncio.Future[StatusEvent] | None]:
    if receiver is None:
        return contextlib.nullcontext()
    return receiver._watch_order(order_id)  # noqa: SLF001  # same module, one concern
