"""Concurrency: the client-wide bound, the client-wide 429 pause, and list_many's fan-out."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from typing import Any

import aiohttp
import pytest
import yarl
from aioresponses import CallbackResult, aioresponses

from signalwire_orders import (
    CampaignResult,
    Client,
    NotFoundError,
    RetryPolicy,
)
from support import (
    API,
    FAST_RETRY,
    ORIGIN,
    PREFIX,
    SPACE_ENV,
    instant,
    order,
    page,
    record_sent,
    reply,
    sample_json,
    uid,
    until,
)

#: No computed backoff; Retry-After honoured up to 1 s.
NO_BACKOFF = instant(4, max_retry_after=1.0)


def orders_url(campaign_id: str) -> str:
    """The first page of a campaign's orders."""
    return f"{API}/campaigns/{campaign_id}/orders"


def second_link(campaign_id: str) -> str:
    """The relative next link to a campaign's second page."""
    return f"{PREFIX}/campaigns/{campaign_id}/orders?page_number=1&page_token=PA2"


class InFlight:
    """Counts requests (or keys) in flight inside aioresponses callbacks, and the peak."""

    def __init__(self) -> None:
        self.now: Counter[str] = Counter()
        self.peak = 0

    def enter(self, key: str = "") -> None:
        self.now[key] += 1
        self.peak = max(self.peak, sum(1 for count in self.now.values() if count > 0))

    def leave(self, key: str = "") -> None:
        self.now[key] -= 1


class TestMaxConcurrency:
    async def test_requests_in_flight_never_exceed_max_concurrency(
        self, mock_api: aioresponses
    ) -> None:
        """20 concurrent gets on a client with max_concurrency=3 never have 4 in flight."""
        flight = InFlight()

        async def slow(url: yarl.URL, **_: Any) -> CallbackResult:
            flight.enter(str(url))
            try:
                await asyncio.sleep(0.005)
            finally:
                flight.leave(str(url))
            return reply(payload=order(url.name))

        for n in range(20):
            mock_api.get(f"{API}/orders/{uid(n)}", callback=slow)

        async with Client(env=SPACE_ENV, max_concurrency=3) as client:
            got = await asyncio.gather(*(client.orders.get(uid(n)) for n in range(20)))

        assert (20, 3) == (len(got), flight.peak)

    async def test_bound_holds_through_retries_and_failures(self, mock_api: aioresponses) -> None:
        """With 500s, dropped connections and 404s mixed in, 3 in flight is never exceeded."""
        flight = InFlight()
        calls = Counter[str]()

        async def flaky(url: yarl.URL, **_: Any) -> CallbackResult:
            key = url.name
            calls[key] += 1
            flight.enter(f"{key}#{calls[key]}")
            try:
                await asyncio.sleep(0.002)
                n = int(key[-4:], 16)
                if n % 5 == 0:
                    return reply(404, payload=sample_json("not_found_404.json"))
                if calls[key] == 1 and n % 2 == 0:
                    raise aiohttp.ServerDisconnectedError
                if calls[key] < 3 and n % 3 == 0:
                    return reply(500, payload={"error": "Internal Server Error"})
                return reply(payload=order(key))
            finally:
                flight.leave(f"{key}#{calls[key]}")

        for n in range(1, 25):
            mock_api.get(f"{API}/orders/{uid(n)}", callback=flaky, repeat=True)
        async with Client(env=SPACE_ENV, max_concurrency=3, retry=FAST_RETRY) as client:
            got = await asyncio.gather(
                *(client.orders.get(uid(n)) for n in range(1, 25)), return_exceptions=True
            )

        failures = sum(isinstance(g, NotFoundError) for g in got)
        assert (4, 3) == (failures, flight.peak)

    async def test_request_waiting_out_a_backoff_holds_no_slot(
        self, mock_api: aioresponses
    ) -> None:
        """With one slot, B is served while A waits 0.3 s to retry a 503."""
        a_url, b_url = f"{API}/orders/{uid(1)}", f"{API}/orders/{uid(2)}"
        mock_api.get(a_url, status=503, headers={"Retry-After": "0.3"})
        mock_api.get(a_url, payload=order(uid(1)))
        mock_api.get(b_url, payload=order(uid(2)))
        sent = record_sent()

        async with Client(env=SPACE_ENV, max_concurrency=1, retry=NO_BACKOFF) as client:
            task_a = asyncio.create_task(client.orders.get(uid(1)))
            await until(lambda: client.stats.retries > 0)  # A is waiting out its 0.3 s
            await client.orders.get(uid(2))
            a_done_when_b_done = task_a.done()
            await task_a

        assert (False, [a_url, b_url, a_url]) == (a_done_when_b_done, [r.url for r in sent])


class TestRateLimitPause:
    async def test_429_pauses_other_tasks_of_the_client(self, mock_api: aioresponses) -> None:
        """After A's 429 with Retry-After: 3600, B's request is held back while the pause lasts."""
        a_url, b_url = f"{API}/orders/{uid(1)}", f"{API}/orders/{uid(2)}"
        mock_api.get(a_url, status=429, headers={"Retry-After": "3600"})
        mock_api.get(a_url, payload=order(uid(1)))
        mock_api.get(b_url, payload=order(uid(2)))
        sent = record_sent()

        async with Client(env=SPACE_ENV, retry=instant(4, max_retry_after=3600.0)) as client:
            task_a = asyncio.create_task(client.orders.get(uid(1)))
            await until(lambda: client.stats.rate_limited > 0)  # A's 429 is in: paused
            task_b = asyncio.create_task(client.orders.get(uid(2)))
            for _ in range(100):  # unpaused, B would be sent within a turn or two
                await asyncio.sleep(0)
            held = not task_b.done()
            for task in (task_a, task_b):
                task.cancel()
            await asyncio.gather(task_a, task_b, return_exceptions=True)

        assert (True, [a_url]) == (held, [r.url for r in sent])

    async def test_429_pause_is_clamped_to_max_retry_after(self, mock_api: aioresponses) -> None:
        """A Retry-After of an hour pauses other tasks only for max_retry_after."""
        # The pause's length is pinned with an injected sleep: tests/unit/test_engine.py.
        a_url, b_url = f"{API}/orders/{uid(1)}", f"{API}/orders/{uid(2)}"
        mock_api.get(a_url, status=429, headers={"Retry-After": "3600"}, repeat=True)
        mock_api.get(b_url, payload=order(uid(2)))
        sent = record_sent()
        policy = RetryPolicy(attempts=1, max_retry_after=0.05)

        async with Client(env=SPACE_ENV, retry=policy) as client:
            with pytest.raises(Exception, match="429"):
                await client.orders.get(uid(1))
            async with asyncio.timeout(60):  # an hour's pause would fail here
                got = await client.orders.get(uid(2))

        assert (uid(2), [a_url, b_url]) == (str(got.id), [r.url for r in sent])

    async def test_rate_limit_headers_are_exposed(self, mock_api: aioresponses) -> None:
        """X-RateLimit-* headers of a response show up on client.rate_limit."""
        mock_api.get(
            f"{API}/orders/{uid(1)}",
            payload=order(uid(1)),
            headers={"X-RateLimit-Limit": "100", "X-RateLimit-Remaining": "7"},
        )

        async with Client(env=SPACE_ENV) as client:
            await client.orders.get(uid(1))
            limits = client.rate_limit

        assert (100, 7) == (limits and limits.limit, limits and limits.remaining)


class TestListMany:
    async def test_one_result_per_campaign(self, mock_api: aioresponses) -> None:
        """30 campaigns give exactly 30 results, one per campaign, with their orders."""
        ids = [uid(n) for n in range(1, 31)]
        for cid in ids:
            mock_api.get(orders_url(cid), payload=page([order(cid)]))

        async with Client(env=SPACE_ENV) as client:
            results = [r async for r in client.orders.list_many(ids, concurrency=4)]

        assert sorted((cid, (cid,)) for cid in ids) == sorted(
            (str(r.campaign_id), tuple(str(o.id) for o in r.orders)) for r in results
        )

    async def test_campaigns_in_flight_never_exceed_concurrency(
        self, mock_api: aioresponses
    ) -> None:
        """With concurrency=4, at most 4 campaigns are between their first and last page."""
        flight = InFlight()

        async def first(url: yarl.URL, **_: Any) -> CallbackResult:
            cid = url.parts[-2]
            flight.enter(cid)
            await asyncio.sleep(0.002)
            return reply(payload=page([order(uid(1))], next_link=second_link(cid)))

        async def last(url: yarl.URL, **_: Any) -> CallbackResult:
            cid = url.parts[-2]
            await asyncio.sleep(0.002)
            flight.leave(cid)
            return reply(payload=page([order(uid(2))]))

        ids = [uid(n) for n in range(100, 130)]
        for cid in ids:
            mock_api.get(orders_url(cid), callback=first)
            mock_api.get(ORIGIN + second_link(cid), callback=last)

        async with Client(env=SPACE_ENV) as client:
            results = [r async for r in client.orders.list_many(ids, concurrency=4)]

        assert (30, 4) == (len(results), flight.peak)

    async def test_a_failing_campaign_is_reported_and_the_others_succeed(
        self, mock_api: aioresponses
    ) -> None:
        """A 404 campaign yields error=NotFoundError and no orders; the rest have their orders."""
        ids = [uid(n) for n in range(1, 6)]
        for cid in ids:
            if cid == uid(3):
                mock_api.get(orders_url(cid), status=404, payload=sample_json("not_found_404.json"))
            else:
                mock_api.get(orders_url(cid), payload=page([order(cid)]))

        async with Client(env=SPACE_ENV) as client:
            results = {
                str(r.campaign_id): r async for r in client.orders.list_many(ids, concurrency=2)
            }

        failed = results.pop(uid(3))
        assert (NotFoundError, (), {cid: True for cid in ids if cid != uid(3)}) == (
            type(failed.error),
            failed.orders,
            {cid: r.ok and len(r.orders) == 1 for cid, r in results.items()},
        )

    async def test_results_stream_before_the_slowest_campaign_finishes(
        self, mock_api: aioresponses
    ) -> None:
        """The first result arrives while the slowest campaign is still being fetched."""
        slow_may_finish = asyncio.Event()

        async def slow(url: yarl.URL, **_: Any) -> CallbackResult:
            await slow_may_finish.wait()
            return reply(payload=page([order(uid(9))]))

        mock_api.get(orders_url(uid(1)), callback=slow)
        mock_api.get(orders_url(uid(2)), payload=page([order(uid(2))]))
        mock_api.get(orders_url(uid(3)), payload=page([order(uid(3))]))
        order_seen: list[str] = []

        async with Client(env=SPACE_ENV) as client, asyncio.timeout(2):
            async for result in client.orders.list_many([uid(1), uid(2), uid(3)], concurrency=3):
                order_seen.append(str(result.campaign_id))
                slow_may_finish.set()

        assert (uid(1), 3) == (order_seen[-1], len(order_seen))

    async def test_invalid_id_raises_value_error_before_any_request(
        self, mock_api: aioresponses
    ) -> None:
        """One bad id in the list raises ValueError and nothing is sent."""
        mock_api.get(orders_url(uid(1)), payload=page([]), repeat=True)
        sent = record_sent()

        async with Client(env=SPACE_ENV) as client:
            with pytest.raises(ValueError, match="campaign_id"):
                [r async for r in client.orders.list_many([uid(1), "not-a-uuid", uid(2)])]

        assert [] == sent

    @pytest.mark.usefixtures("mock_api")
    async def test_bad_concurrency_raises_value_error(self) -> None:
        """concurrency=0 is refused."""
        async with Client(env=SPACE_ENV) as client:
            with pytest.raises(ValueError, match="concurrency"):
                [r async for r in client.orders.list_many([uid(1)], concurrency=0)]

    async def test_cancelling_the_consumer_leaves_no_task_behind(
        self, mock_api: aioresponses
    ) -> None:
        """Cancelling the consuming task midway cancels every worker and the client closes."""
        never = asyncio.Event()

        async def stuck(url: yarl.URL, **_: Any) -> CallbackResult:
            if url.parts[-2] == uid(1):
                return reply(payload=page([]))
            await never.wait()
            return reply(payload=page([]))  # pragma: no cover - never released

        ids = [uid(n) for n in range(1, 11)]
        for cid in ids:
            mock_api.get(orders_url(cid), callback=stuck)
        got_one = asyncio.Event()
        results: list[CampaignResult] = []

        async def consume(client: Client) -> None:
            async for result in client.orders.list_many(ids, concurrency=4):
                results.append(result)
                got_one.set()

        before = asyncio.all_tasks()
        async with Client(env=SPACE_ENV) as client:
            consumer = asyncio.create_task(consume(client))
            await got_one.wait()
            consumer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await consumer
            left = asyncio.all_tasks() - before

        assert (set(), 1) == (left, len(results))

    async def test_breaking_out_inside_aclosing_leaves_no_task_behind(
        self, mock_api: aioresponses
    ) -> None:
        """Breaking out of list_many inside contextlib.aclosing stops every worker at once."""
        never = asyncio.Event()

        async def stuck(url: yarl.URL, **_: Any) -> CallbackResult:
            if url.parts[-2] == uid(1):
                return reply(payload=page([]))
            await never.wait()
            return reply(payload=page([]))  # pragma: no cover - never released

        ids = [uid(n) for n in range(1, 11)]
        for cid in ids:
            mock_api.get(orders_url(cid), callback=stuck)

        before = asyncio.all_tasks()
        async with Client(env=SPACE_ENV) as client:
            # list_many is annotated AsyncIterator, which has no aclose(), although its
            # docstring recommends aclosing(): a library typing bug, see the report.
            many = client.orders.list_many(ids, concurrency=4)
            async with contextlib.aclosing(many) as results:
                async for _ in results:
                    break
            left = asyncio.all_tasks() - before

        assert set() == left
