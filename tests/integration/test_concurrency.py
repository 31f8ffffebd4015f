"""
Concurrency bounds, cancellation and session ownership under load: SPEC sections 3 and 4.

``max_concurrency`` bounds the requests in flight across every task sharing a
client, and ``list_many(concurrency=N)`` the campaigns in flight; both are
measured from outside the client (the fake's ``peak_in_flight``, an aiohttp
trace and the ``on_page`` hook) with latency on every request, and again
while 500s, 429s and dropped connections are injected. Cancelling a consumer
leaves no task and no connection behind, and the client never closes a
session it was given but always closes its own.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import aiohttp
import pytest

import signalwire_orders
from signalwire_orders import (
    AuthenticationError,
    CampaignResult,
    Client,
    Hooks,
    NotFoundError,
    PageEvent,
    PermissionDeniedError,
    ResultStream,
)
from signalwire_orders.testing import FakeServer, Fault
from support import PATIENT, client_for, eventually

LATENCY = 0.02
PAGE_SIZE = 20
_LIBRARY = Path(signalwire_orders.__file__).parent
_FAKE = _LIBRARY / "testing"

#: Faults injected on every route, by name.
FAULTS: dict[str, dict[str, float]] = {
    "no faults": {},
    "30% 500s": {"error_rate": 0.3},
    "429s and drops": {"rate_limit_rate": 0.15, "drop_rate": 0.1},
}


def _client(
    server: FakeServer,
    *,
    max_concurrency: int = 32,
    session: aiohttp.ClientSession | None = None,
    hooks: Hooks | None = None,
    trace_configs: tuple[aiohttp.TraceConfig, ...] = (),
) -> Client:
    return client_for(
        server,
        retry=PATIENT,
        max_concurrency=max_concurrency,
        session=session,
        hooks=hooks,
        trace_configs=trace_configs,
    )


def _inject(server: FakeServer, faults: dict[str, float]) -> None:
    every = server.faults.route("*")
    every.latency = LATENCY
    every.retry_after = "1"  # clamped to PATIENT.max_retry_after (no wait)
    for name, rate in faults.items():
        setattr(every, name, rate)


def _truth(server: FakeServer, campaign_id: str) -> list[UUID]:
    return [UUID(wire["id"]) for wire in server.data.orders_of(campaign_id)]


def _library_tasks() -> set[asyncio.Task[Any]]:
    """Tasks running the client's code (not the fake server's, not the test's)."""
    found = set()
    for task in asyncio.all_tasks():
        code = getattr(task.get_coro(), "cr_code", None)
        where = Path(code.co_filename) if code is not None else None
        in_library = where is not None and where.is_relative_to(_LIBRARY)
        if task.get_name().startswith("signalwire_orders") or (
            in_library and where is not None and not where.is_relative_to(_FAKE)
        ):
            found.add(task)
    return found


def _session_of(client: Client) -> aiohttp.ClientSession:
    """The session a client is using (its own, once opened, or the borrowed one)."""
    session = client._transport._session
    assert session is not None
    return session


def _acquired(session: aiohttp.ClientSession) -> int:
    """Connections the session's connector has handed out and not yet taken back."""
    connector: Any = session.connector
    return len(connector._acquired)  # aiohttp has no public count of connections in use


class _CampaignsInFlight:
    """
    Campaigns started (first request) and not finished (last page decoded), and their peak.

    Fed by an aiohttp trace (request starts) and the client's ``on_page`` hook.
    """

    def __init__(self) -> None:
        self.open: set[str] = set()
        self.done: set[str] = set()
        self.peak = 0

    @staticmethod
    def _campaign(url: str) -> str:
        return url.split("/campaigns/", 1)[1].split("/", 1)[0]

    async def on_start(self, _: aiohttp.ClientSession, __: SimpleNamespace, params: Any) -> None:
        campaign = self._campaign(str(params.url))
        if campaign not in self.done:
            self.open.add(campaign)
            self.peak = max(self.peak, len(self.open))

    def on_page(self, event: PageEvent) -> None:
        if not event.has_next:
            campaign = self._campaign(event.url)
            self.open.discard(campaign)
            self.done.add(campaign)

    def trace(self) -> aiohttp.TraceConfig:
        config = aiohttp.TraceConfig()
        config.on_request_start.append(self.on_start)
        return config


async def _walk_ids(client: Client, campaign_id: str) -> list[UUID]:
    return [order.id async for order in client.orders.list(campaign_id, page_size=PAGE_SIZE)]


class TestMaxConcurrency:
    @pytest.mark.parametrize("limit", [3, 5])
    @pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
    async def test_requests_in_flight_never_exceed_max_concurrency(
        self, limit: int, faults: dict[str, float]
    ) -> None:
        """
        Eighteen tasks sharing one client never have more than max_concurrency requests out.

        Every walk and every get comes back exact; each get was answered once,
        plus once per fault it met; with faults injected, some did meet them.
        """
        async with FakeServer(
            seed=41, brands=1, campaigns_per_brand=6, orders_per_campaign=(30, 60)
        ) as server:
            _inject(server, faults)
            ids = server.data.campaign_ids()
            orders = [UUID(server.data.orders_of(c)[0]["id"]) for c in ids]
            async with _client(server, max_concurrency=limit) as client:
                walks = [_walk_ids(client, c) for c in ids + ids]
                gets = [client.orders.get(o) for o in orders]
                walked = await asyncio.gather(*walks)
                got = await asyncio.gather(*gets)

            faulted = [r for r in server.requests if r.fault is not Fault.OK]
            assert [_truth(server, c) for c in ids + ids] == walked
            assert orders == [order.id for order in got]
            assert limit == server.peak_in_flight  # reached, never exceeded
            assert 0 == server.in_flight
            assert len(orders) + sum(r.route == "retrieve_order" for r in faulted) == server.count(
                "retrieve_order"
            )
            assert bool(faults) == bool(faulted)

    @pytest.mark.parametrize("limit", [3, 5])
    @pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
    async def test_the_bound_holds_on_a_borrowed_session_without_a_connection_limit(
        self, limit: int, faults: dict[str, float]
    ) -> None:
        """With the caller's unlimited connector, the client's own bound still caps requests."""
        async with (
            FakeServer(seed=43, brands=1, campaigns_per_brand=5, orders_per_campaign=45) as server,
            aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session,
        ):
            _inject(server, faults)
            ids = server.data.campaign_ids()
            async with _client(server, max_concurrency=limit, session=session) as client:
                walked = await asyncio.gather(*(_walk_ids(client, c) for c in ids * 3))

            assert [_truth(server, c) for c in ids * 3] == walked
            assert limit == server.peak_in_flight


class TestListManyConcurrency:
    @pytest.mark.parametrize("campaigns_at_once", [2, 4])
    @pytest.mark.parametrize("faults", FAULTS.values(), ids=FAULTS.keys())
    async def test_campaigns_in_flight_never_exceed_the_bulk_concurrency(
        self, campaigns_at_once: int, faults: dict[str, float]
    ) -> None:
        """
        list_many(concurrency=N) under a client bound of 64 never works on more than N campaigns.

        A campaign walks its pages one after another, so the fake never sees
        more than N requests at once; the trace and the on_page hook also
        count campaigns between their first request and their last page.
        """
        async with FakeServer(
            seed=47, brands=2, campaigns_per_brand=5, orders_per_campaign=(20, 70)
        ) as server:
            _inject(server, faults)
            ids = server.data.campaign_ids()
            tally = _CampaignsInFlight()
            hooks = Hooks(on_page=tally.on_page)
            async with _client(
                server, max_concurrency=64, hooks=hooks, trace_configs=(tally.trace(),)
            ) as client:
                results = [
                    r
                    async for r in client.orders.list_many(
                        ids, concurrency=campaigns_at_once, page_size=PAGE_SIZE
                    )
                ]

            assert {UUID(c): _truth(server, c) for c in ids} == {
                r.campaign_id: [o.id for o in r.orders] for r in results
            }
            assert len(ids) == len(results)
            assert [None] * len(ids) == [r.error for r in results]
            assert campaigns_at_once == server.peak_in_flight
            assert campaigns_at_once == tally.peak
            assert set(ids) == tally.done

    async def test_the_client_bound_wins_when_it_is_the_smaller(self) -> None:
        """list_many(concurrency=8) under max_concurrency=3 never has more than 3 requests out."""
        async with FakeServer(seed=53, brands=1, campaigns_per_brand=12) as server:
            _inject(server, FAULTS["30% 500s"])
            ids = server.data.campaign_ids()
            async with _client(server, max_concurrency=3) as client:
                results = [r async for r in client.orders.list_many(ids, concurrency=8)]

            assert sorted(UUID(c) for c in ids) == sorted(r.campaign_id for r in results)
            assert all(r.ok for r in results)
            assert 3 == server.peak_in_flight


async def _consume_until(
    results: AsyncIterator[CampaignResult], got: list[CampaignResult], enough: asyncio.Event
) -> None:
    async for result in results:
        got.append(result)
        if len(got) == 2:  # midway: two results of twelve
            enough.set()


class TestCancellation:
    @pytest.mark.parametrize("borrowed", [False, True], ids=["own session", "borrowed session"])
    async def test_cancelling_the_consumer_midway_leaves_no_task_and_no_connection(
        self, borrowed: bool
    ) -> None:
        """
        A list_many consumer cancelled after two of twelve results leaves nothing running.

        Right after the cancellation no task runs the client's code and the
        connector has no connection checked out; the fake's handlers (which
        aiohttp does not cancel) finish their latency and in_flight drops to 0;
        once the client is closed every task of the test run is gone.
        """
        async with contextlib.AsyncExitStack() as stack:
            server = await stack.enter_async_context(
                FakeServer(seed=59, brands=2, campaigns_per_brand=6, orders_per_campaign=30)
            )
            server.faults.latency = 0.05
            session = await stack.enter_async_context(aiohttp.ClientSession()) if borrowed else None
            client = await stack.enter_async_context(_client(server, session=session))
            own = _session_of(client)
            before = asyncio.all_tasks()
            got: list[CampaignResult] = []
            enough = asyncio.Event()
            results = client.orders.list_many(
                server.data.campaign_ids(), concurrency=4, page_size=10
            )
            consumer = asyncio.create_task(_consume_until(results, got, enough))
            await asyncio.wait_for(enough.wait(), 5.0)
            # Campaigns of equal size finish together: the next ones start a moment later.
            assert await eventually(lambda: server.in_flight > 0)
            assert _library_tasks()  # the check below can see the workers

            consumer.cancel()
            with pytest.raises(asyncio.CancelledError):
                await consumer

            assert set() == _library_tasks()
            assert 0 == _acquired(own)
            assert 2 <= len(got) < 12
            assert await eventually(lambda: server.in_flight == 0)
            await client.close()  # the exit stack closes it again: harmless
            assert await eventually(lambda: asyncio.all_tasks() <= before)
            assert borrowed != own.closed

    async def test_breaking_out_of_list_many_inside_aclosing_stops_every_worker(self) -> None:
        """Leaving an aclosing(list_many) block early cancels the workers before it returns."""
        async with FakeServer(seed=61, brands=1, campaigns_per_brand=10) as server:
            server.faults.latency = 0.05
            async with _client(server) as client:
                own = _session_of(client)
                many = client.orders.list_many(server.data.campaign_ids(), concurrency=5)
                async with contextlib.aclosing(many) as results:
                    async for result in results:
                        assert result.ok
                        break

                assert set() == _library_tasks()
                assert 0 == _acquired(own)
                assert await eventually(lambda: server.in_flight == 0)

    async def test_cancelling_a_single_walk_mid_request_releases_its_connection(self) -> None:
        """A task walking one campaign, cancelled while a request is out, leaves no connection."""
        async with FakeServer(seed=67, brands=1, campaigns_per_brand=1) as server:
            server.faults.latency = 0.2
            async with _client(server) as client:
                own = _session_of(client)
                walk = asyncio.create_task(_walk_ids(client, server.data.campaign_ids()[0]))
                assert await eventually(lambda: server.in_flight == 1)

                walk.cancel()
                with pytest.raises(asyncio.CancelledError):
                    await walk

                assert 0 == _acquired(own)
                assert set() == _library_tasks()
                assert await eventually(lambda: server.in_flight == 0)


async def _brands_status(session: aiohttp.ClientSession, server: FakeServer) -> int:
    auth = aiohttp.encode_basic_auth(server.project_id, server.api_token)
    async with session.get(f"{server.api_url}/brands", headers={"Authorization": auth}) as resp:
        return resp.status


class TestSessionOwnership:
    async def test_a_borrowed_session_stays_open_and_usable_after_the_client(self) -> None:
        """The caller's ClientSession is neither closed nor spoiled by the client's exit."""
        async with (
            FakeServer(seed=71, brands=1, campaigns_per_brand=2) as server,
            aiohttp.ClientSession() as session,
        ):
            async with _client(server, session=session) as client:
                results = [r async for r in client.orders.list_many(server.data.campaign_ids())]
            await client.close()  # closing twice is harmless, and still leaves it open

            assert all(r.ok for r in results)
            assert not session.closed
            assert 200 == await _brands_status(session, server)

    async def test_a_borrowed_session_stays_open_when_the_body_raises(self) -> None:
        """An exception escaping `async with Client(session=...)` leaves the session open."""
        async with (
            FakeServer(seed=73, brands=1, campaigns_per_brand=1) as server,
            aiohttp.ClientSession() as session,
        ):

            async def body() -> None:
                async with _client(server, session=session) as client:
                    await _walk_ids(client, server.data.campaign_ids()[0])
                    raise LookupError

            with pytest.raises(LookupError):
                await body()

            assert not session.closed
            assert 200 == await _brands_status(session, server)

    async def test_the_own_session_is_closed_when_the_body_raises(self) -> None:
        """An exception escaping `async with Client()` still closes the client's own session."""
        async with FakeServer(seed=79, brands=1, campaigns_per_brand=1) as server:
            client = _client(server)
            used: list[aiohttp.ClientSession] = []

            async def body() -> None:
                async with client:
                    used.append(_session_of(client))
                    await _walk_ids(client, server.data.campaign_ids()[0])
                    raise LookupError

            with pytest.raises(LookupError):
                await body()
            own = used[0]

            assert own.closed
            with pytest.raises(RuntimeError, match="closed"):
                await client.orders.get(
                    server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
                )

    async def test_the_own_session_is_closed_when_the_task_is_cancelled(self) -> None:
        """A task cancelled inside `async with Client()` (mid-request) closes its session."""
        async with FakeServer(seed=83, brands=1, campaigns_per_brand=1) as server:
            server.faults.latency = 5.0
            client = _client(server)
            opened = asyncio.Event()

            async def body() -> None:
                async with client:
                    opened.set()
                    await _walk_ids(client, server.data.campaign_ids()[0])

            task = asyncio.create_task(body())
            await opened.wait()
            own = _session_of(client)
            assert await eventually(lambda: server.in_flight == 1)
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

            assert own.closed
            assert set() == _library_tasks()


async def _consume(
    listing: ResultStream[CampaignResult],
    each: Callable[[CampaignResult], object] = lambda _: None,
) -> None:
    """Iterate a list_many inside its ``async with``, handing each result to ``each``."""
    async with listing as results:
        async for result in results:
            each(result)


class TestFatalErrorsStopTheFanOut:
    @pytest.mark.parametrize("forbidden", [False, True], ids=["401", "403"])
    async def test_a_bad_token_costs_at_most_concurrency_requests(self, forbidden: bool) -> None:
        """200 campaigns and a bad (or under-scoped) token: one error raised, <= 8 requests."""
        async with FakeServer(seed=71, brands=4, campaigns_per_brand=50) as server:
            server.state.forbidden = forbidden
            token = server.api_token if forbidden else "PT-not-the-token"
            expected = PermissionDeniedError if forbidden else AuthenticationError
            async with client_for(server, api_token=token, retry=PATIENT) as client:
                listing = client.orders.list_many(server.data.campaign_ids(), concurrency=8)
                with pytest.raises(expected) as caught:
                    await _consume(listing)

            assert 200 == len(server.data.campaign_ids())
            assert server.count("list_orders") <= 8
        assert expected is type(caught.value)  # the error itself, once: not a group of them

    async def test_results_before_the_fatal_error_stay_valid(self) -> None:
        """Campaigns done before a 401 were yielded whole; the error comes after them, once."""
        async with FakeServer(seed=72, brands=1, campaigns_per_brand=6) as server:
            ids = server.data.campaign_ids()
            got: list[CampaignResult] = []

            def revoke_after_two(result: CampaignResult) -> None:
                got.append(result)
                if len(got) == 2:  # the token is revoked meanwhile
                    server.state.api_token = "PT-revoked"

            async with client_for(server, retry=PATIENT) as client:
                listing = client.orders.list_many(ids, concurrency=1)
                with pytest.raises(AuthenticationError):
                    await _consume(listing, revoke_after_two)

        assert [UUID(c) for c in ids[:2]] == [r.campaign_id for r in got]
        assert all(r.ok for r in got)
        assert [len(server.data.orders_of(c)) for c in ids[:2]] == [len(r.orders) for r in got]

    async def test_other_errors_do_not_stop_it(self) -> None:
        """A 404 is one campaign's result; the others are still fetched."""
        async with FakeServer(seed=73, brands=1, campaigns_per_brand=3) as server:
            ids = [*server.data.campaign_ids(), "3fa85f64-5717-4562-b3fc-2c963f66afa6"]
            async with (
                client_for(server, retry=PATIENT) as client,
                client.orders.list_many(ids) as results,
            ):
                got = [r async for r in results]

        assert 4 == len(got)
        assert [NotFoundError] == [type(r.error) for r in got if r.error is not None]


class TestListManyIsHardToMisuse:
    async def test_leaving_async_with_early_cancels_every_campaign(self) -> None:
        """A break inside ``async with`` stops the workers at once: no library task is left."""
        async with FakeServer(seed=74, brands=2, campaigns_per_brand=6) as server:
            server.faults.latency = 0.05
            async with client_for(server, retry=PATIENT) as client:
                async with client.orders.list_many(
                    server.data.campaign_ids(), concurrency=4
                ) as results:
                    async for _ in results:
                        break
                left = _library_tasks()

        assert set() == left

    @pytest.mark.parametrize("one_id", ["3fa85f64-5717-4562-b3fc-2c963f66afa6", b"3fa8"])
    async def test_a_single_id_is_a_type_error_saying_so(self, one_id: Any) -> None:
        """list_many("3fa8...") says to pass a collection, not "campaign_id must be a UUID"."""
        async with FakeServer(seed=75, brands=1) as server:
            async with client_for(server) as client:
                with pytest.raises(TypeError, match="collection of campaign ids, not one id"):
                    client.orders.list_many(one_id)

            assert 0 == server.count()

    async def test_duplicate_ids_in_any_case_are_fetched_and_yielded_once(self) -> None:
        """The same campaign three times (lower, upper, UUID): one walk, one result."""
        async with FakeServer(seed=76, brands=1, campaigns_per_brand=2) as server:
            first, second = server.data.campaign_ids()
            ids: list[UUID | str] = [first, first.upper(), UUID(first), second]
            async with client_for(server) as client, client.orders.list_many(ids) as results:
                got = sorted([str(r.campaign_id) async for r in results])

            walked = {r.path for r in server.requests if r.route == "list_orders"}

        assert sorted([first, second]) == got
        assert 2 == len(walked)

    async def test_an_async_iterable_of_ids_feeds_it_as_they_arrive(self) -> None:
        """campaigns.list_all() can feed list_many: the first campaign starts before the last id."""
        async with (
            FakeServer(seed=77, brands=3, campaigns_per_brand=2) as server,
            client_for(server) as client,
        ):
            arrived: list[str] = []
            started_before_the_end: list[bool] = []

            async def ids() -> AsyncIterator[UUID]:
                async for campaign in client.campaigns.list_all(page_size=1):
                    arrived.append(str(campaign.id))
                    started_before_the_end.append(server.count("list_orders") > 0)
                    yield campaign.id

            async with client.orders.list_many(ids(), concurrency=2) as results:
                got = sorted([str(r.campaign_id) async for r in results])

        assert sorted(server.data.campaign_ids()) == got == sorted(arrived)
        assert any(started_before_the_end)

    async def test_a_bad_id_from_an_async_iterable_is_raised_from_the_iteration(self) -> None:
        """An id that is not a UUID, arriving late, is a ValueError; nothing is lost before it."""
        async with FakeServer(seed=78, brands=1, campaigns_per_brand=1) as server:

            async def ids() -> AsyncIterator[str]:
                yield server.data.campaign_ids()[0]
                yield "not-a-uuid"

            async with client_for(server) as client:
                with pytest.raises(ValueError, match="campaign_id must be a UUID"):
                    await _consume(client.orders.list_many(ids(), concurrency=1))
