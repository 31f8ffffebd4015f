"""The fake's faults: what each answers on the wire, scripts, rates and latency."""

from __future__ import annotations

import asyncio
import contextlib
import json

import aiohttp
import pytest

from signalwire_orders.testing import FakeServer, Fault, Faults
from support import auth_headers, eventually, get_json

#: 2 brands x 3 campaigns x 120 orders (pages of 50, 50, 20), 7 number assignments each.
pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
)


class TestFaultResponses:
    async def test_script_runs_in_order_then_serves_normally(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Scripted outcomes are used one per request, in order, then service is normal."""
        server.faults.script("list_brands", ["500", "503", Fault.OK, "429"])
        url = f"{server.api_url}/brands"

        statuses = []
        for _ in range(5):
            async with http.get(url) as response:
                statuses.append(response.status)

        assert statuses == [500, 503, 200, 429, 200]
        assert server.faults.pending("list_brands") == []

    async def test_script_is_per_route(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A route's own script comes first; the '*' script serves whichever route comes next."""
        server.faults.script("list_orders", ["500"])
        server.faults.script("*", ["502"])
        urls = [
            f"{server.api_url}/campaigns/{campaign_id}/orders",
            f"{server.api_url}/brands",
            f"{server.api_url}/brands",
        ]

        statuses = []
        for url in urls:
            async with http.get(url) as response:
                statuses.append(response.status)

        assert statuses == [500, 502, 200]

    async def test_500_has_the_documented_body(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A 500 fault answers {"error": "Internal Server Error"}."""
        server.faults.script("list_brands", ["500"])

        status, body = await get_json(http, f"{server.api_url}/brands")

        assert (status, body) == (500, {"error": "Internal Server Error"})

    @pytest.mark.parametrize("retry_after", ["1", "Wed, 21 Oct 2026 07:28:00 GMT"])
    async def test_429_carries_retry_after(
        self, server: FakeServer, http: aiohttp.ClientSession, retry_after: str
    ) -> None:
        """A 429 fault carries the configured Retry-After, in seconds or as an HTTP date."""
        server.faults.route("list_brands").retry_after = retry_after
        server.faults.script("list_brands", ["429"])

        async with http.get(f"{server.api_url}/brands") as response:
            status, header = response.status, response.headers.get("Retry-After")

        assert (status, header) == (429, retry_after)

    async def test_429_without_retry_after(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """An empty retry_after sends a 429 with no Retry-After header."""
        server.faults.route("*").retry_after = ""
        server.faults.script("list_brands", ["429"])

        async with http.get(f"{server.api_url}/brands") as response:
            status, header = response.status, response.headers.get("Retry-After")

        assert (status, header) == (429, None)

    @pytest.mark.parametrize(
        ("fault", "status", "title"),
        [
            ("502", 502, "Bad Gateway"),
            ("503", 503, "Unavailable"),
            ("504", 504, "Gateway Time-out"),
        ],
    )
    async def test_proxy_errors_are_html(
        self, server: FakeServer, http: aiohttp.ClientSession, fault: str, status: int, title: str
    ) -> None:
        """502, 503 and 504 faults answer with an HTML page, as a proxy does."""
        server.faults.script("list_brands", [fault])

        async with http.get(f"{server.api_url}/brands") as response:
            got, content_type, text = response.status, response.content_type, await response.text()

        assert (got, content_type) == (status, "text/html")
        assert text.startswith("<html>")
        assert title in text

    async def test_drop_closes_without_response(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A drop fault closes the connection, which aiohttp reports as a disconnect."""
        # aiohttp 3.14 itself resends an idempotent request once after a disconnect.
        server.faults.script("list_brands", ["drop", "drop"])

        with pytest.raises(aiohttp.ServerDisconnectedError):
            await get_json(http, f"{server.api_url}/brands")

        assert [(r.fault, r.status) for r in server.requests] == [(Fault.DROP, None)] * 2

    async def test_truncate_cuts_the_body_short(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A truncate fault sends the full Content-Length but half the body, then closes."""
        server.faults.script("list_brands", ["truncate"])

        async with http.get(f"{server.api_url}/brands") as response:
            status = response.status
            with pytest.raises(aiohttp.ClientPayloadError):
                await response.read()

        assert status == 200

    async def test_malformed_is_200_with_invalid_json(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A malformed fault answers 200 application/json whose body does not parse."""
        server.faults.script("list_brands", ["malformed"])

        async with http.get(f"{server.api_url}/brands") as response:
            status, content_type, text = (
                response.status,
                response.content_type,
                await response.text(),
            )

        assert (status, content_type) == (200, "application/json")
        with pytest.raises(json.JSONDecodeError):
            json.loads(text)

    async def test_wrong_shape_is_valid_json_of_another_shape(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A wrong_shape fault answers 200 with JSON that is not a list body."""
        server.faults.script("list_brands", ["wrong_shape"])

        status, body = await get_json(http, f"{server.api_url}/brands")

        assert (status, body) == (200, {"data": "nope"})

    async def test_hang_outlasts_a_client_timeout(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A hang fault answers nothing, so a client with a short timeout times out."""
        server.faults.script("list_brands", ["hang"])
        timeout = aiohttp.ClientTimeout(total=0.1)

        with pytest.raises(TimeoutError):
            async with http.get(f"{server.api_url}/brands", timeout=timeout):
                pass

        assert server.requests[-1].fault is Fault.HANG

    async def test_close_wakes_hung_requests(self) -> None:
        """Closing the server ends hung requests at once instead of waiting out hang_seconds."""
        fake = FakeServer(brands=1)
        await fake.start()
        fake.faults.route("*").hang_seconds = 3600  # only close() can end it
        fake.faults.script("*", ["hang"])
        async with aiohttp.ClientSession(headers=auth_headers(fake)) as session:
            request = asyncio.ensure_future(session.get(f"{fake.api_url}/brands"))
            while not fake.requests:  # noqa: ASYNC110  # polls the fake's public record
                await asyncio.sleep(0.005)
            await fake.close()
            with pytest.raises(aiohttp.ClientError):
                await request

        assert Fault.HANG is fake.requests[0].fault
        assert 0 == fake.in_flight

    async def test_hang_seconds_is_configurable(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """After hang_seconds a hung request's connection is closed."""
        server.faults.route("list_brands").hang_seconds = 0.05
        server.faults.script("list_brands", ["hang", "hang"])  # aiohttp resends a GET once

        with pytest.raises(aiohttp.ServerDisconnectedError):
            await get_json(http, f"{server.api_url}/brands")

    async def test_losing_faults_still_run_the_handler(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A POST whose answer is dropped was processed all the same: its order exists."""
        server.faults.script("create_order", ["drop"])
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"

        with pytest.raises(aiohttp.ClientError):
            async with http.post(url, json={"phone_numbers": ["+15558675309"]}):
                pass

        assert server.data.count_orders(campaign_id) == 121

    async def test_replacing_faults_skip_the_handler(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A POST answered by a 500 fault creates nothing."""
        server.faults.script("create_order", ["500"])
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"

        async with http.post(url, json={"phone_numbers": ["+15558675309"]}) as response:
            status = response.status

        assert (status, server.data.count_orders(campaign_id)) == (500, 120)


class TestFaultConfiguration:
    async def test_rates_are_seeded_and_deterministic(self) -> None:
        """Two servers with one seed inject the same random faults on the same requests."""
        runs = []
        for _ in range(2):
            async with (
                FakeServer(brands=1, seed=4) as fake,
                aiohttp.ClientSession(headers=auth_headers(fake)) as session,
            ):
                fake.faults.route("list_brands").error_rate = 0.3
                fake.faults.route("*").rate_limit_rate = 0.2
                statuses = []
                for _ in range(30):
                    async with session.get(f"{fake.api_url}/brands") as response:
                        statuses.append(response.status)
                runs.append(statuses)

        assert runs[0] == runs[1]
        assert set(runs[0]) == {200, 429, 500}

    async def test_rate_of_one_always_faults(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A rate of 1 faults every request of that route and no other route."""
        server.faults.route("list_brands").malformed_rate = 1
        brand_id = server.data.brands[0]["id"]

        for _ in range(3):
            async with http.get(f"{server.api_url}/brands") as response:
                assert (await response.read()).endswith(b'"id": ')
        status, _ = await get_json(http, f"{server.api_url}/brands/{brand_id}")

        assert status == 200

    async def test_latency_delays_every_request(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Global and per-route latency add up; meanwhile the request is held, unanswered."""
        server.faults.latency = 1800
        server.faults.route("list_brands").latency = 1800

        request = asyncio.ensure_future(get_json(http, f"{server.api_url}/brands"))
        held = await eventually(lambda: server.in_flight == 1)

        assert 3600 == server.faults.pick("list_brands").latency
        assert held
        assert not request.done()
        assert (0, []) == (server.count(), server.requests)  # nothing answered yet
        request.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await request

    def test_bad_configuration_is_refused(self) -> None:
        """Unknown routes, unknown fault names and rates outside 0..1 raise ValueError."""
        faults = Faults()

        with pytest.raises(ValueError, match="unknown route"):
            faults.route("list_everything")
        with pytest.raises(ValueError, match="'boom'"):
            faults.script("list_orders", ["boom"])
        with pytest.raises(ValueError, match="error_rate"):
            faults.route("*").error_rate = 1.5
        with pytest.raises(ValueError, match="latency"):
            faults.latency = -1

    def test_clear_forgets_everything(self) -> None:
        """clear() removes rates, latency and scripts."""
        faults = Faults()
        faults.latency = 1
        faults.route("list_orders").drop_rate = 1
        faults.script("list_orders", ["500"])

        faults.clear()

        assert faults.pick("list_orders").fault is Fault.OK
        assert faults.latency == 0.0

    def test_fault_values_are_the_script_names(self) -> None:
        """Every fault is named by the string scripts use."""
        assert [f.value for f in Fault] == [
            "ok",
            "500",
            "429",
            "502",
            "503",
            "504",
            "drop",
            "truncate",
            "malformed",
            "wrong_shape",
            "hang",
        ]
