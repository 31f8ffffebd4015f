"""The fake server's lifecycle: an aiohttp ``AppRunner`` and ``TCPSite`` on loopback."""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import Self

from aiohttp import web

from ._app import make_app
from ._data import FakeData
from ._faults import Faults
from ._state import RecordedRequest, ServerState
from ._wire import API_PREFIX

__all__ = ["DEFAULT_API_TOKEN", "DEFAULT_PROJECT_ID", "FakeServer"]

DEFAULT_PROJECT_ID = "00000000-0000-4000-8000-000000000001"
DEFAULT_API_TOKEN = "PTfake-token-0000000000000000000000000000"
#: Hosts that mean "every interface", and the loopback address a client uses for them.
_WILDCARDS = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104  # names, not binds
# Hung requests wake up when the server closes; this only bounds a stuck handler.
_SHUTDOWN_TIMEOUT = 5.0


class FakeServer:
    """
    A faithful fake of SignalWire's Campaign Registry API, served over loopback HTTP.

    Serves the twelve ``/api/relay/rest/registry/beta`` routes of the vendor's
    OpenAPI with seeded data (`FakeData`), real paging, Basic auth, the
    documented error bodies, status callbacks to loopback receivers
    (`StatusCallback`), and fault injection (`Faults`). Every request is
    recorded (`RecordedRequest`). Rendered list pages are cached (32 MiB at
    most, until the records change: `FakeData.revision`), so that under load
    the fake's own CPU stays small beside the client's. The switches given
    here can be changed later on `state` (a `ServerState`).

    Args:
        data: The records to serve; generated from ``seed`` and the sizes if omitted.
        seed: Seed of the generated records and of the random faults.
        brands: Brands to generate.
        campaigns_per_brand: Campaigns of each brand.
        orders_per_campaign: Orders of each campaign, or a ``(min, max)`` range.
        numbers_per_campaign: Number assignments of each campaign, or a range.
        project_id: The Basic auth username the server accepts.
        api_token: The Basic auth password the server accepts (never shown in a repr).
        host: The interface to listen on.
        port: The port to listen on; ``0`` picks a free one.
        absolute_links: Give paging links as absolute URLs rather than paths.
        link_origin: Give paging links on this origin (e.g. another port), to
            test that a client refuses to follow them.
        process_after_polls: Polls of its GET route after which a created order,
            brand or campaign is final (an order is ``processing`` in between);
            ``None``: never.
        advance_after: Seconds after which a created order, brand or campaign
            is final even if nobody polls it; ``None``: time never moves them.
        forbidden: Answer 403 to valid credentials, as for a token without the
            Messaging and Numbers scopes.
        record: Keep a `RecordedRequest` of every request; turn off for long
            benchmarks so memory stays flat (`count` still counts).

    Example::

        async with FakeServer(seed=1, orders_per_campaign=300) as server:
            server.faults.route("list_orders").error_rate = 0.1
            client = Client(
                project_id=server.project_id,
                api_token=server.api_token,
                base_url=server.base_url,
            )
            async with client:
                ...
            assert server.count("list_orders") >= 6
    """

    def __init__(
        self,
        data: FakeData | None = None,
        *,
        seed: int = 0,
        brands: int = 3,
        campaigns_per_brand: int = 4,
        orders_per_campaign: int | tuple[int, int] = 120,
        numbers_per_campaign: int | tuple[int, int] = 10,
        project_id: str = DEFAULT_PROJECT_ID,
        api_token: str = DEFAULT_API_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        absolute_links: bool = False,
        link_origin: str | None = None,
        process_after_polls: int | None = 2,
        advance_after: float | None = None,
        forbidden: bool = False,
        record: bool = True,
    ) -> None:
        if data is None:
            data = FakeData.generate(
                seed=seed,
                brands=brands,
                campaigns_per_brand=campaigns_per_brand,
                orders_per_campaign=orders_per_campaign,
                numbers_per_campaign=numbers_per_campaign,
            )
        self._state = ServerState(
            data=data,
            faults=Faults(seed),
            project_id=project_id,
            api_token=api_token,
            forbidden=forbidden,
            absolute_links=absolute_links,
            link_origin=link_origin,
            process_after_polls=process_after_polls,
            advance_after=advance_after,
            recording=record,
        )
        self._host = host
        self._port = port
        self._runner: web.AppRunner | None = None

    def __repr__(self) -> str:
        where = self.base_url if self._runner is not None else "not started"
        return f"<FakeServer {where} project_id={self.project_id!r}>"

    # -- lifecycle --------------------------------------------------------------------------

    def make_app(self) -> web.Application:
        """
        Build an aiohttp application serving this server's data, faults and recording.

        Use it to embed the fake in your own aiohttp server or test client;
        `start` is not needed then.

        Example::

            app = FakeServer(seed=3).make_app()
            runner = aiohttp.web.AppRunner(app)
        """
        return make_app(self._state)

    async def start(self) -> None:
        """
        Start listening (on a free port unless one was given); `base_url` is then set.

        Example::

            server = FakeServer()
            await server.start()
            try:
                ...
            finally:
                await server.close()
        """
        if self._runner is not None:
            return
        self._state.closing = asyncio.Event()  # bound to this loop, not a previous one
        runner = web.AppRunner(self.make_app(), access_log=None, shutdown_timeout=_SHUTDOWN_TIMEOUT)
        await runner.setup()
        try:
            site = web.TCPSite(runner, self._host, self._port)
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._port = runner.addresses[0][1]
        self._runner = runner

    async def close(self) -> None:
        """
        Stop listening, wake up hung requests and close every connection.

        Status callbacks still being delivered get half a second to finish,
        then are cancelled; the callbacks' session is closed.

        Example::

            await server.close()
        """
        runner, self._runner = self._runner, None
        if runner is not None:
            self._state.closing.set()
            await runner.cleanup()

    async def serve_forever(self) -> None:
        """
        Start (if needed) and serve until cancelled, then close.

        Example::

            asyncio.run(FakeServer(port=8080).serve_forever())
        """
        await self.start()
        try:
            await asyncio.Event().wait()
        finally:
            await self.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    # -- where and who ----------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """
        The origin to give a client, such as ``http://127.0.0.1:54321``.

        A server listening on every interface (``0.0.0.0``, ``::``) gives the
        loopback address, which a client on this machine can reach and accepts
        over plain http.

        Raises:
            RuntimeError: The server is not started.

        Example::

            client = Client(base_url=server.base_url, env=server.env)
        """
        if self._runner is None:
            msg = "the FakeServer is not started: use 'async with FakeServer() as server'"
            raise RuntimeError(msg)
        host = _WILDCARDS.get(self._host, self._host)
        return f"http://{f'[{host}]' if ':' in host else host}:{self._port}"

    @property
    def listens_everywhere(self) -> bool:
        """
        Whether the server listens on every interface (``host`` ``0.0.0.0`` or ``::``).

        Example::

            if server.listens_everywhere:
                print("reachable from other machines too")
        """
        return self._host in _WILDCARDS

    @property
    def api_url(self) -> str:
        """
        `base_url` plus the API prefix ``/api/relay/rest/registry/beta``.

        Example::

            url = f"{server.api_url}/campaigns/{campaign_id}/orders"
        """
        return self.base_url + API_PREFIX

    @property
    def env(self) -> dict[str, str]:
        """
        Environment variables that point the client (or its CLI) at this server.

        Example::

            for name, value in server.env.items():
                monkeypatch.setenv(name, value)
        """
        return {
            "SIGNALWIRE_REST_BASE_URL": self.base_url,
            "SIGNALWIRE_PROJECT_ID": self.project_id,
            "SIGNALWIRE_API_TOKEN": self.api_token,
        }

    @property
    def project_id(self) -> str:
        """
        The project id (Basic auth username) the server accepts.

        Example::

            assert server.project_id == "00000000-0000-4000-8000-000000000001"
        """
        return self._state.project_id

    @property
    def api_token(self) -> str:
        """
        The API token (Basic auth password) the server accepts.

        Example::

            auth = aiohttp.encode_basic_auth(server.project_id, server.api_token)
        """
        return self._state.api_token

    @property
    def data(self) -> FakeData:
        """
        The records served: the ground truth to compare a client's results with.

        Example::

            assert len(orders) == len(server.data.orders_of(campaign_id))
        """
        return self._state.data

    @property
    def faults(self) -> Faults:
        """
        The fault configuration; change it at any time, even mid-walk.

        Example::

            server.faults.script("list_orders", ["500", "ok"])
        """
        return self._state.faults

    # -- state and recording ----------------------------------------------------------------

    @property
    def state(self) -> ServerState:
        """
        The state every request reads: records, faults, switches, recorded requests, counters.

        Flip its switches (``forbidden``, ``absolute_links``, ``link_origin``,
        ``process_after_polls``, ``advance_after``, ``recording``) at any time,
        even mid-walk: each request reads them when it arrives.

        Example::

            server.state.forbidden = True  # valid credentials now get 403
            server.state.process_after_polls = None  # a wait() must hit its deadline
        """
        return self._state

    @property
    def requests(self) -> list[RecordedRequest]:
        """
        Every request received since the start (or `reset_stats`), oldest first.

        Recorded while ``state.recording`` is on (`count` counts either way).

        Example::

            assert [r.status for r in server.requests] == [500, 200]
        """
        return self._state.requests

    @property
    def in_flight(self) -> int:
        """
        Requests being handled now (sleeping their latency included).

        Example::

            assert server.in_flight == 0
        """
        return self._state.in_flight

    @property
    def peak_in_flight(self) -> int:
        """
        The most requests handled at once since the start (or `reset_stats`).

        Example::

            assert server.peak_in_flight <= 32
        """
        return self._state.peak_in_flight

    def reset_stats(self) -> None:
        """
        Forget recorded requests and counts, and restart `peak_in_flight` from `in_flight`.

        Example::

            server.reset_stats()
        """
        self._state.reset_stats()

    def count(self, route: str | None = None) -> int:
        """
        Count the requests received, or those of one route (an operationId).

        Counts everything since the start (or `reset_stats`), recorded or not.

        Example::

            assert server.count("list_orders") == 3
        """
        if route is None:
            return self._state.counts.total()
        return self._state.counts[route]
