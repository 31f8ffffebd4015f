"""What the fake records of each request, and its counters."""

from __future__ import annotations

import asyncio
import json
import uuid

import aiohttp
import pytest

from signalwire_orders.testing import FakeServer, Fault, RecordedRequest
from support import PREFIX, auth_headers, get_json

#: 2 brands x 3 campaigns x 120 orders (pages of 50, 50, 20), 7 number assignments each.
pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
)


class TestRecording:
    async def test_requests_are_recorded(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Each request is recorded with its route, query, headers, body, fault and status."""
        server.faults.script("create_order", ["429"])
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"

        async with http.get(url, params={"filter_state": "pending"}) as listed:
            request_id = listed.headers["X-Request-Id"]
        async with http.post(url, json={"phone_numbers": ["+15558675309"]}):
            pass

        first, second = server.requests
        assert isinstance(first, RecordedRequest)
        assert (first.method, first.route, first.status, first.fault) == (
            "GET",
            "list_orders",
            200,
            Fault.OK,
        )
        assert first.path == f"{PREFIX}/campaigns/{campaign_id}/orders"
        assert first.query == {"filter_state": "pending"}
        assert first.headers["Authorization"] == auth_headers(server)["Authorization"]
        assert first.request_id == request_id
        assert (second.route, second.status, second.fault) == (
            "create_order",
            429,
            Fault.RATE_LIMITED,
        )
        assert json.loads(second.body) == {"phone_numbers": ["+15558675309"]}
        assert (server.count(), server.count("list_orders"), server.count("retrieve_order")) == (
            2,
            1,
            0,
        )

    async def test_every_response_has_a_fresh_request_id(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Success, error and fault responses all carry a distinct X-Request-Id."""
        server.faults.script("list_brands", ["502"])
        ids = []
        for url in [f"{server.api_url}/brands", f"{server.api_url}/brands", f"{server.api_url}/x"]:
            async with http.get(url) as response:
                ids.append(response.headers["X-Request-Id"])

        assert len(set(ids)) == 3
        assert all(uuid.UUID(i).version == 4 for i in ids)

    async def test_peak_in_flight_counts_concurrent_requests(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Requests sleeping their latency at the same time count toward peak_in_flight."""
        server.faults.latency = 0.1

        await asyncio.gather(*(get_json(http, f"{server.api_url}/brands") for _ in range(8)))

        assert (server.peak_in_flight, server.in_flight) == (8, 0)

    async def test_recording_off_still_counts(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With recording off no request is kept, but count() still counts them."""
        server.state.recording = False

        await asyncio.gather(*(get_json(http, f"{server.api_url}/brands") for _ in range(3)))

        assert (server.requests, server.count(), server.count("list_brands")) == ([], 3, 3)

    async def test_reset_stats(self, server: FakeServer, http: aiohttp.ClientSession) -> None:
        """reset_stats() forgets recorded requests and the peak."""
        await asyncio.gather(*(get_json(http, f"{server.api_url}/brands") for _ in range(3)))

        server.reset_stats()

        assert (server.requests, server.peak_in_flight, server.count()) == ([], 0, 0)
