"""
The fake server's state: what every handler reads and the `FakeServer` exposes.

One `ServerState` per server holds the records, the faults, the switches a
test flips mid-run (``forbidden``, ``absolute_links``...), the record of
requests (`RecordedRequest`) and of status callbacks sent (`StatusCallback`),
the counters and the page cache. The aiohttp application carries it under `STATE`.
"""

from __future__ import annotations

import asyncio
import collections
from typing import Any

import attrs
from aiohttp import web

from ._data import FakeData
from ._faults import Fault, Faults
from ._paging import PageCache

__all__ = ["STATE", "RecordedRequest", "ServerState", "StatusCallback"]


@attrs.frozen
class RecordedRequest:
    """
    One request the fake server received, and what it did with it.

    Attributes:
        method: ``GET``, ``POST``, ``PUT`` or ``DELETE``.
        path: The path, without the query string.
        query: The query parameters (the first value of a repeated one).
        headers: The request headers (``Authorization`` included; first of repeats).
        body: The raw request body (``b""`` for none), as sent: a POST's or PUT's JSON.
        route: The operationId (``"list_orders"``...), ``None`` for an unknown path.
        fault: The fault applied (`Fault.OK` for normal service).
        status: The status sent, ``None`` when no status line was (drop, hang).
        request_id: The ``X-Request-Id`` header of the answer.

    Example::

        last = server.requests[-1]
        assert (last.route, last.status) == ("list_orders", 200)
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    route: str | None
    fault: Fault
    status: int | None
    request_id: str


@attrs.frozen
class StatusCallback:
    """
    One status callback the fake server POSTed (or tried to), and how it went.

    Attributes:
        url: Where it went: the object's ``status_callback_url`` (a loopback host).
        payload: The JSON body sent (OpenAPI ``TenDlcStatusCallbackPayload``).
        status: The receiver's answer, ``None`` when there was none.
        error: Why there was no answer (``"ClientConnectorError: ..."``), else ``None``.

    Example::

        delivery = server.state.callbacks[-1]
        assert (delivery.status, delivery.payload["event_type"]) == (200, "brand_activated")
    """

    url: str
    payload: dict[str, Any]
    status: int | None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """
        Whether the receiver answered 2xx.

        Example::

            assert all(delivery.ok for delivery in server.state.callbacks)
        """
        return self.status is not None and 200 <= self.status < 300


@attrs.define(eq=False)
class ServerState:
    """
    Everything the handlers read and the `FakeServer` exposes; one per server.

    Each request reads the state when it arrives, so a test may change the
    switches at any time, even in the middle of a walk.

    Attributes:
        data: The records served (`FakeData`).
        faults: The fault configuration (`Faults`).
        project_id: The Basic auth username accepted.
        api_token: The Basic auth password accepted (never shown in a repr).
        forbidden: Answer 403 ``{"error": "Forbidden"}`` to valid credentials,
            as for a token without the Messaging and Numbers scopes.
        absolute_links: Give paging links as absolute URLs
            (``http://127.0.0.1:PORT/api/...``) rather than paths.
        link_origin: Give paging links on this origin instead of the server's
            own (``None``), to test that a client refuses to follow them.
        process_after_polls: Polls of its GET route (``/orders/{id}``,
            ``/brands/{id}``, ``/campaigns/{id}``) after which a created order,
            brand or campaign is in its final state (an order is ``processing``
            in between); ``None``: polls never move them.
        advance_after: Seconds after its creation at which a created order,
            brand or campaign reaches its final state even if nobody polls it;
            ``None`` (the default): time never moves them.
        recording: Keep a `RecordedRequest` of each request in ``requests``
            (``counts`` count either way).
        requests: The requests recorded, oldest first.
        counts: Requests received per route (``None``: an unknown path).
        in_flight: Requests being handled now (sleeping their latency included).
        peak_in_flight: The most requests handled at once.
        closing: Set when the server closes: hung requests wake up.
        pages: The cache of rendered list pages.
        callbacks: Each status callback POSTed (or tried), oldest first: only to
            a ``status_callback_url`` on a loopback host (127.0.0.0/8, ::1,
            localhost), for the moves the webhook tables list.
        callback_failures: Callbacks with no 2xx answer (logged at DEBUG).

    Example::

        async with FakeServer() as server:
            server.state.forbidden = True  # valid credentials now get 403
            server.state.link_origin = "http://127.0.0.1:1"  # a client must refuse to follow
            server.state.process_after_polls = None  # a wait() must hit its deadline
            server.state.advance_after = 0.05  # what is created is final 50 ms later
            server.state.recording = False  # a million-order benchmark keeps memory flat

        app = make_app(ServerState(data=FakeData(), faults=Faults(), project_id="p", api_token="t"))
    """

    data: FakeData
    faults: Faults
    project_id: str
    api_token: str = attrs.field(repr=False)
    forbidden: bool = False
    absolute_links: bool = False
    link_origin: str | None = None
    process_after_polls: int | None = 2
    advance_after: float | None = None
    recording: bool = True
    requests: list[RecordedRequest] = attrs.Factory(list)
    counts: collections.Counter[str | None] = attrs.Factory(collections.Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    closing: asyncio.Event = attrs.Factory(asyncio.Event)
    pages: PageCache = attrs.Factory(PageCache)
    callbacks: list[StatusCallback] = attrs.Factory(list)
    callback_failures: int = 0

    def reset_stats(self) -> None:
        """
        Forget recorded requests and restart the peak from the requests in flight now.

        Example::

            state.reset_stats()
        """
        self.requests.clear()
        self.counts.clear()
        self.peak_in_flight = self.in_flight

    async def pause(self, seconds: float) -> None:
        """
        Sleep, but wake up early when the server closes.

        Example::

            await state.pause(0.05)
        """
        try:
            async with asyncio.timeout(seconds):
                await self.closing.wait()
        except TimeoutError:
            pass


STATE = web.AppKey("signalwire_fake_state", ServerState)
