"""Operations features against the fake server: pace, adaptive concurrency, hooks, counters."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import aiohttp
import pytest

from signalwire_orders import (
    Client,
    Hooks,
    PageEvent,
    RequestEvent,
    RetryEvent,
    RetryPolicy,
)
from signalwire_orders.testing import FakeServer
from support import instant

NO_WAIT = instant(8)

#: A small fake: 2 brands x 10 campaigns x 60 orders.
pytestmark = pytest.mark.signalwire_fake_server(
    seed=5, brands=2, campaigns_per_brand=10, orders_per_campaign=60
)


async def _fetch_all(client: Client, server: FakeServer) -> int:
    total = 0
    async for result in client.orders.list_many(server.data.campaign_ids(), concurrency=16):
        assert result.error is None
        total += len(result.orders)
    return total


class TestAdaptiveConcurrency:
    async def _rate_limited(self, server: FakeServer, *, adaptive: bool) -> int:
        server.faults.latency = 0.01
        server.faults.max_in_flight = 3
        server.faults.route("*").retry_after = "0"
        patient = RetryPolicy(attempts=60, initial_backoff=0.002, max_backoff=0.01)
        client = Client(
            env=server.env, max_concurrency=16, retry=patient, adaptive_concurrency=adaptive
        )
        async with client:
            total = await _fetch_all(client, server)
            assert server.data.count_orders() == total
            return client.stats.rate_limited

    async def test_adaptation_meets_fewer_429s(self, server: FakeServer) -> None:
        """Against a quota of 3 in flight, AIMD meets far fewer 429s than a fixed bound of 16.

        Seen here: 104 429s with the fixed bound, 24 with adaptation, same orders fetched.
        """
        fixed = await self._rate_limited(server, adaptive=False)
        adaptive = await self._rate_limited(server, adaptive=True)

        assert adaptive < fixed / 2

    async def test_the_limit_shows_in_the_stats(self, server: FakeServer) -> None:
        """After 429s the current limit is below max_concurrency, and in range."""
        server.faults.script("*", ["429"] * 3)
        server.faults.route("*").retry_after = "0"
        async with Client(
            env=server.env, max_concurrency=8, retry=NO_WAIT, adaptive_concurrency=True
        ) as client:
            await client.orders.get(server.data.orders_of(server.data.campaign_ids()[0])[0]["id"])

            assert 1.0 <= client.stats.concurrency_limit < 8.0


class TestRequestsPerSecond:
    async def test_requests_per_second_paces_every_request(self, server: FakeServer) -> None:
        """Twenty concurrent gets at 50 requests per second all arrive, each once."""
        # How far apart they start is pinned with an injected sleep: tests/unit/test_engine.py.
        order_ids = [o["id"] for o in server.data.orders_of(server.data.campaign_ids()[0])[:20]]
        async with Client(env=server.env, requests_per_second=50.0) as client:
            orders = await asyncio.gather(*(client.orders.get(oid) for oid in order_ids))

        assert order_ids == [str(order.id) for order in orders]
        assert 20 == server.count("retrieve_order")


class TestHooks:
    async def test_every_attempt_retry_and_page_is_reported(self, server: FakeServer) -> None:
        """Hooks see each request attempt, each retry with its reason, and each page."""
        requests: list[RequestEvent] = []
        retries: list[RetryEvent] = []
        pages: list[PageEvent] = []
        hooks = Hooks(on_request=requests.append, on_retry=retries.append, on_page=pages.append)
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("list_orders", ["ok", "500"])
        async with Client(env=server.env, retry=NO_WAIT, hooks=hooks) as client:
            orders = [o async for o in client.orders.list(campaign_id)]

        assert 60 == len(orders)
        assert [200, 500, 200] == [e.status for e in requests]
        assert [1, 1, 2] == [e.attempt for e in requests]
        assert ["500"] == [e.reason for e in retries]
        assert [50, 10] == [e.items for e in pages]
        assert [True, False] == [e.has_next for e in pages]
        assert "ServerError" == requests[1].error

    async def test_a_raising_hook_does_not_fail_requests(
        self, server: FakeServer, caplog: pytest.LogCaptureFixture
    ) -> None:
        """A hook that raises is logged and ignored."""

        def broken(_: object) -> None:
            raise RuntimeError("exporter down")

        campaign_id = server.data.campaign_ids()[0]
        async with Client(env=server.env, hooks=Hooks(on_page=broken)) as client:
            orders = [o async for o in client.orders.list(campaign_id)]

        assert 60 == len(orders)
        assert any("hook" in r.getMessage() for r in caplog.records)

    async def test_counters_add_up(self, server: FakeServer) -> None:
        """Stats count requests, pages, retries by reason, 429s and bytes."""
        server.faults.script("list_orders", ["500", "429"])
        server.faults.route("*").retry_after = "0"
        async with Client(env=server.env, retry=NO_WAIT) as client:
            await _fetch_all(client, server)
            stats = client.stats

        assert {"500": 1, "429": 1} == dict(stats.retry_reasons)
        assert 2 == stats.retries
        assert 1 == stats.rate_limited
        assert 40 == stats.pages  # 20 campaigns x 2 pages
        assert 42 == stats.requests == server.count("list_orders")
        assert stats.bytes_received > 0

    async def test_trace_configs_reach_the_owned_session(self, server: FakeServer) -> None:
        """An aiohttp TraceConfig passed to the client sees its requests."""
        started: list[str] = []

        async def on_start(
            _session: aiohttp.ClientSession,
            _ctx: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            started.append(params.method)

        trace = aiohttp.TraceConfig()
        trace.on_request_start.append(on_start)
        async with Client(env=server.env, trace_configs=[trace]) as client:
            await client.brands.get(server.data.brands[0]["id"])

        assert ["GET"] == started

    async def test_trace_configs_with_a_borrowed_session_are_refused(
        self, server: FakeServer
    ) -> None:
        """trace_configs and session= together are a ValueError: the session is yours."""
        async with aiohttp.ClientSession() as session:
            with pytest.raises(ValueError, match="trace_configs"):
                Client(env=server.env, session=session, trace_configs=[aiohttp.TraceConfig()])
