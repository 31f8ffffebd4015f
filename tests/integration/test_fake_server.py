"""The fake Campaign Registry server, exercised over real loopback HTTP with plain aiohttp."""

from __future__ import annotations

import asyncio
import json
import re
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit

import aiohttp
import pytest
from aiohttp import web

from signalwire_orders.testing import (
    DEFAULT_API_TOKEN,
    DEFAULT_PROJECT_ID,
    FakeData,
    FakeServer,
    Fault,
    Faults,
    RecordedRequest,
    ServerState,
)

pytest_plugins = ["signalwire_orders.testing.pytest_plugin"]

PREFIX = "/api/relay/rest/registry/beta"
RFC3339_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
UNKNOWN_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
Body = dict[str, Any]


def auth_for(server: FakeServer) -> dict[str, str]:
    return {"Authorization": aiohttp.encode_basic_auth(server.project_id, server.api_token)}


@pytest.fixture
async def server() -> AsyncIterator[FakeServer]:
    async with FakeServer(
        brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
    ) as fake:
        yield fake


@pytest.fixture
async def http(server: FakeServer) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(headers=auth_for(server)) as session:
        yield session


@pytest.fixture
def campaign_id(server: FakeServer) -> str:
    return server.data.campaign_ids()[0]


async def get(session: aiohttp.ClientSession, url: str) -> tuple[int, Body]:
    async with session.get(url) as response:
        return response.status, await response.json()


async def walk(
    session: aiohttp.ClientSession, server: FakeServer, path: str
) -> tuple[list[Body], list[Body]]:
    # Follows links.next as given, joined with the base URL; returns (items, links of each page).
    url: str | None = server.base_url + path
    items: list[Body] = []
    pages: list[Body] = []
    while url is not None:
        status, body = await get(session, url)
        assert status == 200, body
        items.extend(body["data"])
        pages.append(body["links"])
        url = urljoin(server.base_url, body["links"]["next"]) if "next" in body["links"] else None
    return items, pages


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


class TestPaging:
    async def test_walk_yields_every_order_exactly_once(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Following next links over 120 orders in pages of 7 returns each order once, in order."""
        items, pages = await walk(
            http, server, f"{PREFIX}/campaigns/{campaign_id}/orders?page_size=7"
        )

        assert server.data.orders_of(campaign_id) == items
        assert len(pages) == 18
        assert len({item["id"] for item in items}) == 120

    @pytest.mark.parametrize(
        "route",
        [
            "/brands?page_size=1",
            "/brands/{b}/campaigns?page_size=2",
            "/campaigns/{c}/numbers?page_size=3",
        ],
    )
    async def test_every_list_route_walks_to_the_ground_truth(
        self, server: FakeServer, http: aiohttp.ClientSession, route: str
    ) -> None:
        """Brands, campaigns and number assignments page exactly like the ground truth."""
        brand_id = server.data.brands[0]["id"]
        campaign_id = server.data.campaign_ids_of(brand_id)[0]
        expected = {
            "/brands": server.data.brands,
            "/brands/{b}/campaigns": server.data.campaigns_of(brand_id),
            "/campaigns/{c}/numbers": server.data.numbers_of(campaign_id),
        }[route.split("?", maxsplit=1)[0]]

        items, _ = await walk(http, server, PREFIX + route.format(b=brand_id, c=campaign_id))

        assert expected == items

    async def test_first_page_links(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """The first page links to itself, the first page and the next page, with no prev."""
        _, body = await get(http, f"{server.api_url}/campaigns/{campaign_id}/orders")
        links = body["links"]

        assert {"self", "first", "next"} == set(links)
        assert links["self"] == links["first"]
        assert links["self"].startswith(f"{PREFIX}/campaigns/{campaign_id}/orders?")
        assert query_of(links["next"])["page_number"] == ["1"]
        assert query_of(links["next"])["page_token"][0].startswith("PA")

    async def test_last_page_has_prev_and_no_next(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """The last page drops next and links back to the page before it."""
        _, pages = await walk(http, server, f"{PREFIX}/campaigns/{campaign_id}/orders?page_size=50")

        assert [("next" in p, "prev" in p) for p in pages] == [
            (True, False),
            (True, True),
            (False, True),
        ]
        assert query_of(pages[-1]["prev"])["page_number"] == ["1"]

    async def test_default_page_size_is_50(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Without page_size a page holds 50 items and its links say so."""
        _, body = await get(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        assert len(body["data"]) == 50
        assert query_of(body["links"]["self"])["page_size"] == ["50"]

    async def test_page_size_1000_is_accepted(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """The largest page size returns every order of the campaign in one page."""
        _, body = await get(http, f"{server.api_url}/campaigns/{campaign_id}/orders?page_size=1000")

        assert len(body["data"]) == 120
        assert "next" not in body["links"]

    @pytest.mark.parametrize("size", ["0", "1001", "-5", "ten", "", "2.5"])
    async def test_page_size_out_of_range_is_422(
        self, server: FakeServer, http: aiohttp.ClientSession, size: str
    ) -> None:
        """A page_size outside 1..1000 or not an integer gets a 422 validation error."""
        status, body = await get(http, f"{server.api_url}/brands?page_size={size}")

        assert status == 422
        assert body["errors"][0]["code"] == "invalid_page_size"
        assert set(body["errors"][0]) == {"detail", "status", "title", "code"}

    async def test_later_page_without_token_is_422(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Asking for page 1 without its page_token gets a 422."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?page_number=1"

        status, body = await get(http, url)

        assert (status, body["errors"][0]["code"]) == (422, "missing_page_token")

    @pytest.mark.parametrize(
        "mangle",
        [
            lambda link: link.replace("page_token=PA", "page_token=PB"),
            lambda link: link.replace("page_number=1", "page_number=2"),
            lambda link: link.replace("page_size=50", "page_size=49"),
            lambda link: link + "&filter_state=pending",
            lambda link: link.replace(link.split("page_token=")[1], "PA%E2%9C%93"),
        ],
    )
    async def test_bad_page_token_is_422(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        campaign_id: str,
        mangle: Any,
    ) -> None:
        """A token that is garbage, or issued for another page, size or filter, gets a 422."""
        _, body = await get(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        status, error = await get(http, server.base_url + mangle(body["links"]["next"]))

        assert (status, error["errors"][0]["code"]) == (422, "invalid_page_token")

    async def test_same_seed_gives_the_same_links(self) -> None:
        """Page tokens are deterministic: two servers with one seed issue the same next link."""
        links = []
        for _ in range(2):
            async with (
                FakeServer(brands=2, campaigns_per_brand=3) as fake,
                aiohttp.ClientSession(headers=auth_for(fake)) as session,
            ):
                url = f"{fake.api_url}/campaigns/{fake.data.campaign_ids()[0]}/orders"
                _, body = await get(session, url)
                links.append(body["links"]["next"])

        assert links[0] == links[1]


class TestFilters:
    @pytest.mark.parametrize("state", ["pending", "processing", "processed", "failed"])
    async def test_orders_filter_state_is_exact(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str, state: str
    ) -> None:
        """filter_state returns the orders in that state only, and keeps the filter in links."""
        path = f"{PREFIX}/campaigns/{campaign_id}/orders?filter_state={state}&page_size=5"

        items, pages = await walk(http, server, path)

        assert server.data.orders_of(campaign_id, state) == items
        assert {item["state"] for item in items} == {state}
        assert all(query_of(p["self"])["filter_state"] == [state] for p in pages)

    async def test_unknown_state_gives_an_empty_page(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A state no order has returns an empty list, not an error."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?filter_state=nope"

        status, body = await get(http, url)

        assert (status, body["data"]) == (200, [])
        assert "next" not in body["links"]

    async def test_brand_filter_name_is_a_case_insensitive_substring(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """filter_name matches any part of the brand name, in any case."""
        name = server.data.brands[1]["name"]
        needle = name.split()[0][1:4].upper()

        _, body = await get(http, f"{server.api_url}/brands?filter_name={needle}")

        assert [b["name"] for b in body["data"]] == [name]
        assert query_of(body["links"]["self"])["filter_name"] == [needle]

    async def test_campaign_filters_combine(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Campaigns filter by name substring and exact state together."""
        brand_id = server.data.brands[0]["id"]
        first = server.data.campaigns_of(brand_id)[0]
        query = f"filter_name={first['name'].lower()}&filter_state={first['state']}"

        _, body = await get(http, f"{server.api_url}/brands/{brand_id}/campaigns?{query}")

        assert [c["id"] for c in body["data"]] == [first["id"]]

    async def test_number_filter_state(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Number assignments filter by exact state."""
        expected = server.data.numbers_of(campaign_id, "completed")

        items, _ = await walk(
            http, server, f"{PREFIX}/campaigns/{campaign_id}/numbers?filter_state=completed"
        )

        assert expected == items
        assert items


class TestAuth:
    async def test_missing_credentials_is_401(self, server: FakeServer) -> None:
        """A request without an Authorization header gets 401 Unauthorized."""
        async with aiohttp.ClientSession() as session:
            status, body = await get(session, f"{server.api_url}/brands")

        assert (status, body) == (401, {"error": "Unauthorized"})

    @pytest.mark.parametrize(
        "header",
        [
            aiohttp.encode_basic_auth(DEFAULT_PROJECT_ID, "wrong"),
            aiohttp.encode_basic_auth("someone-else", DEFAULT_API_TOKEN),
            f"Bearer {DEFAULT_API_TOKEN}",
            "Basic %%%not-base64",
        ],
    )
    async def test_wrong_credentials_are_401(self, server: FakeServer, header: str) -> None:
        """A wrong token, wrong project, other scheme or broken header gets 401."""
        async with aiohttp.ClientSession(headers={"Authorization": header}) as session:
            status, body = await get(session, f"{server.api_url}/brands")

        assert (status, body) == (401, {"error": "Unauthorized"})

    async def test_forbidden_is_403_for_valid_credentials(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With forbidden set, valid credentials get 403 Forbidden (missing token scopes)."""
        server.state.forbidden = True

        status, body = await get(http, f"{server.api_url}/brands")

        assert (status, body) == (403, {"error": "Forbidden"})

    async def test_custom_credentials(self) -> None:
        """The credentials the server accepts are configurable."""
        async with (
            FakeServer(brands=1, project_id="p-1", api_token="t-1") as fake,
            aiohttp.ClientSession(headers=auth_for(fake)) as session,
        ):
            status, _ = await get(session, f"{fake.api_url}/brands")

        assert status == 200


class TestNotFound:
    @pytest.mark.parametrize(
        "path",
        [
            "/brands/{x}",
            "/brands/{x}/campaigns",
            "/campaigns/{x}",
            "/campaigns/{x}/numbers",
            "/campaigns/{x}/orders",
            "/orders/{x}",
        ],
    )
    @pytest.mark.parametrize("the_id", [UNKNOWN_ID, "not-a-uuid", "..%2F..%2Fbrands"])
    async def test_unknown_or_malformed_ids_are_404(
        self, server: FakeServer, http: aiohttp.ClientSession, path: str, the_id: str
    ) -> None:
        """An id the server does not have, or that is not a UUID, gets 404 Not Found."""
        status, body = await get(http, server.api_url + path.format(x=the_id))

        assert (status, body) == (404, {"error": "Not Found"})

    async def test_unknown_path_is_404(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A path the API does not have gets the JSON 404 body."""
        status, body = await get(http, f"{server.api_url}/nothing/here")

        assert (status, body) == (404, {"error": "Not Found"})

    async def test_uppercase_ids_are_found(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """UUIDs match whatever their case, as UUIDs do."""
        status, body = await get(http, f"{server.api_url}/campaigns/{campaign_id.upper()}")

        assert (status, body["id"]) == (200, campaign_id)


class TestSingleObjects:
    async def test_retrieve_routes_return_the_ground_truth(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Brands, campaigns and seeded orders come back exactly as the data holds them."""
        brand = server.data.brands[0]
        order = server.data.orders_of(campaign_id)[3]

        got = [
            (await get(http, f"{server.api_url}/brands/{brand['id']}"))[1],
            (await get(http, f"{server.api_url}/campaigns/{campaign_id}"))[1],
            (await get(http, f"{server.api_url}/orders/{order['id']}"))[1],
        ]

        assert [brand, server.data.campaign(campaign_id), order] == got


class TestCreateOrder:
    async def test_created_order_is_pending_and_listed_last(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A created order comes back pending and appears at the end of list_orders."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"
        payload = {"phone_numbers": ["+15558675309"], "status_callback_url": "https://x.test/cb"}

        async with http.post(url, json=payload) as response:
            status, order = response.status, await response.json()
        items, _ = await walk(
            http, server, f"{PREFIX}/campaigns/{campaign_id}/orders?page_size=100"
        )

        assert (status, order["state"]) == (200, "pending")
        assert order["status_callback_url"] == "https://x.test/cb"
        assert items[-1] == order
        assert len(items) == 121

    async def test_created_order_progresses_on_polls(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Each GET advances a created order: pending, then processing, then processed."""
        async with http.post(
            f"{server.api_url}/campaigns/{campaign_id}/orders",
            json={"phone_numbers": ["+12025550123"]},
        ) as response:
            order = await response.json()

        polls = [(await get(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(3)]

        assert [p["state"] for p in polls] == ["processing", "processed", "processed"]
        assert "processed_at" in polls[1]
        assert "processed_at" not in polls[0]
        assert "status_callback_url" not in order

    async def test_process_after_polls_none_never_advances(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """With process_after_polls=None a created order stays pending however often polled."""
        server.state.process_after_polls = None
        order = server.data.create_order(campaign_id, ["+12025550123"])

        polls = [(await get(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(3)]

        assert {p["state"] for p in polls} == {"pending"}

    async def test_order_created_to_fail_ends_failed(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """An order created with final_state='failed' ends failed, without processed_at."""
        order = server.data.create_order(campaign_id, ["+12025550123"], final_state="failed")

        polls = [(await get(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(2)]

        assert [p["state"] for p in polls] == ["processing", "failed"]
        assert "processed_at" not in polls[1]

    @pytest.mark.parametrize(
        ("payload", "code"),
        [
            ({"phone_numbers": []}, "invalid_phone_numbers"),
            ({"phone_numbers": "+15558675309"}, "invalid_phone_numbers"),
            ({}, "invalid_phone_numbers"),
            ({"phone_numbers": ["5558675309"]}, "invalid_phone_number"),
            ({"phone_numbers": ["+05558675309"]}, "invalid_phone_number"),
            ({"phone_numbers": ["+1555867530912345"]}, "invalid_phone_number"),
            ({"phone_numbers": [15558675309]}, "invalid_phone_number"),
            ({"phone_numbers": ["+15558675309"], "label": "x"}, "unknown_attribute"),
            (
                {"phone_numbers": ["+15558675309"], "status_callback_url": 3},
                "invalid_status_callback_url",
            ),
            (["+15558675309"], "invalid_json"),
        ],
    )
    async def test_invalid_body_is_422(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        campaign_id: str,
        payload: object,
        code: str,
    ) -> None:
        """A body that is not a valid CreateOrderRequest gets a 422 naming the problem."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"

        async with http.post(url, json=payload) as response:
            status, body = response.status, await response.json()

        assert (status, body["errors"][0]["code"]) == (422, code)
        assert server.data.count_orders(campaign_id) == 120

    async def test_body_that_is_not_json_is_422(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A body that does not parse as JSON gets a 422."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders"

        async with http.post(url, data=b"{phone_numbers:") as response:
            status, body = response.status, await response.json()

        assert (status, body["errors"][0]["code"]) == (422, "invalid_json")

    async def test_unknown_campaign_is_404(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Creating an order in a campaign that does not exist gets 404."""
        url = f"{server.api_url}/campaigns/{UNKNOWN_ID}/orders"

        async with http.post(url, json={"phone_numbers": ["+15558675309"]}) as response:
            status = response.status

        assert status == 404


class TestDeleteNumber:
    async def test_delete_is_204_then_404(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Deleting an assignment answers 204 with no body, then 404, and it leaves the list."""
        number = server.data.numbers_of(campaign_id)[2]
        url = f"{server.api_url}/numbers/{number['id']}"

        async with http.delete(url) as first:
            first_status, first_body = first.status, await first.read()
        async with http.delete(url) as second:
            second_status = second.status
        items, _ = await walk(http, server, f"{PREFIX}/campaigns/{campaign_id}/numbers")

        assert (first_status, first_body, second_status) == (204, b"", 404)
        assert number not in items
        assert len(items) == 6

    async def test_delete_unknown_is_404(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Deleting an id that is not an assignment (here an order id) gets 404."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]

        async with http.delete(f"{server.api_url}/numbers/{order_id}") as response:
            status = response.status

        assert status == 404


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

        status, body = await get(http, f"{server.api_url}/brands")

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
            await get(http, f"{server.api_url}/brands")

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

        status, body = await get(http, f"{server.api_url}/brands")

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
        fake.faults.script("*", ["hang"])
        async with aiohttp.ClientSession(headers=auth_for(fake)) as session:
            request = asyncio.ensure_future(session.get(f"{fake.api_url}/brands"))
            while not fake.requests:  # noqa: ASYNC110  # polls the fake's public record
                await asyncio.sleep(0.005)
            started = time.monotonic()
            await fake.close()
            with pytest.raises(aiohttp.ClientError):
                await request

        assert time.monotonic() - started < 1.0

    async def test_hang_seconds_is_configurable(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """After hang_seconds a hung request's connection is closed."""
        server.faults.route("list_brands").hang_seconds = 0.05
        server.faults.script("list_brands", ["hang", "hang"])  # aiohttp resends a GET once

        with pytest.raises(aiohttp.ServerDisconnectedError):
            await get(http, f"{server.api_url}/brands")

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
                aiohttp.ClientSession(headers=auth_for(fake)) as session,
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
        status, _ = await get(http, f"{server.api_url}/brands/{brand_id}")

        assert status == 200

    async def test_latency_delays_every_request(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Global and per-route latency add up."""
        server.faults.latency = 0.05
        server.faults.route("list_brands").latency = 0.05

        started = time.monotonic()
        await get(http, f"{server.api_url}/brands")

        assert time.monotonic() - started >= 0.1

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


class TestLinks:
    async def test_absolute_links_point_at_the_server(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """With absolute_links, links are full URLs on the server that still walk every item."""
        server.state.absolute_links = True

        items, pages = await walk(http, server, f"{PREFIX}/campaigns/{campaign_id}/orders")

        assert all(p["next"].startswith(server.api_url) for p in pages[:-1])
        assert pages[0]["self"].startswith(server.api_url)
        assert server.data.orders_of(campaign_id) == items

    async def test_link_origin_points_links_elsewhere(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """link_origin makes every link point at another origin."""
        server.state.link_origin = "http://127.0.0.1:9"

        _, body = await get(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        assert all(
            link.startswith(f"http://127.0.0.1:9{PREFIX}/") for link in body["links"].values()
        )


class TestData:
    def test_same_seed_same_data(self) -> None:
        """Generating twice with one seed gives identical records; another seed differs."""
        one = FakeData.generate(seed=3, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        two = FakeData.generate(seed=3, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        other = FakeData.generate(seed=4, brands=2, campaigns_per_brand=2, orders_per_campaign=30)
        cid = one.campaign_ids()[-1]

        assert one.brands == two.brands
        assert one.orders_of(cid) == two.orders_of(cid)
        assert one.numbers_of(cid) == two.numbers_of(cid)
        assert one.campaign_ids() != other.campaign_ids()

    def test_orders_cover_every_state_and_shape(self) -> None:
        """Orders come in every state, processed_at only when processed, RFC 3339 UTC times."""
        data = FakeData.generate(brands=1, campaigns_per_brand=2, orders_per_campaign=200)
        orders = [o for c in data.campaign_ids() for o in data.orders_of(c)]

        assert set(Counter(o["state"] for o in orders)) == {
            "pending",
            "processing",
            "processed",
            "failed",
        }
        assert all(("processed_at" in o) == (o["state"] == "processed") for o in orders)
        assert all(RFC3339_UTC.match(o[k]) for o in orders for k in o if k.endswith("_at"))
        assert any("status_callback_url" not in o for o in orders)
        assert any("status_callback_url" in o for o in orders)

    def test_ids_are_unique_uuid4(self) -> None:
        """Every id is a canonical version-4 UUID, unique across records."""
        data = FakeData.generate(seed=9, brands=2, campaigns_per_brand=3, orders_per_campaign=80)
        ids = [b["id"] for b in data.brands] + data.campaign_ids()
        for c in data.campaign_ids():
            ids += [o["id"] for o in data.orders_of(c)] + [n["id"] for n in data.numbers_of(c)]

        assert len(ids) == len(set(ids))
        assert all(str(uuid.UUID(i)) == i and uuid.UUID(i).version == 4 for i in ids)

    def test_orders_per_campaign_range(self) -> None:
        """A (min, max) orders_per_campaign gives each campaign a count in that range."""
        data = FakeData.generate(brands=2, campaigns_per_brand=5, orders_per_campaign=(3, 9))
        counts = [data.count_orders(c) for c in data.campaign_ids()]

        assert all(3 <= n <= 9 for n in counts)
        assert len(set(counts)) > 1

    def test_lookup_by_id_finds_each_order(self) -> None:
        """data.order() finds any seeded order by id and raises KeyError for others."""
        data = FakeData.generate(brands=1, campaigns_per_brand=2, orders_per_campaign=50)
        orders = data.orders_of(data.campaign_ids()[1])

        assert [data.order(o["id"]) for o in orders] == orders
        with pytest.raises(KeyError):
            data.order(UNKNOWN_ID)

    def test_a_million_orders_are_lazy(self) -> None:
        """1000 campaigns x 1000 orders build fast in little memory, and any page renders."""
        tracemalloc.start()
        started = time.perf_counter()
        try:
            data = FakeData.generate(brands=10, campaigns_per_brand=100, orders_per_campaign=1000)
            built = time.perf_counter() - started
            total = data.count_orders()
            last = data.campaign_ids()[-1]
            page = data.list_orders(last).slice(500, 1000)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()

        assert total == 1_000_000
        assert data.order(page[-1]["id"]) == page[-1]
        assert len(page) == 500
        assert peak < 16 * 1024 * 1024
        assert built < 2.0  # generous: eager generation would take tens of seconds


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
        assert first.headers["Authorization"] == auth_for(server)["Authorization"]
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

        await asyncio.gather(*(get(http, f"{server.api_url}/brands") for _ in range(8)))

        assert (server.peak_in_flight, server.in_flight) == (8, 0)

    async def test_recording_off_still_counts(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With recording off no request is kept, but count() still counts them."""
        server.state.recording = False

        await asyncio.gather(*(get(http, f"{server.api_url}/brands") for _ in range(3)))

        assert (server.requests, server.count(), server.count("list_brands")) == ([], 3, 3)

    async def test_reset_stats(self, server: FakeServer, http: aiohttp.ClientSession) -> None:
        """reset_stats() forgets recorded requests and the peak."""
        await asyncio.gather(*(get(http, f"{server.api_url}/brands") for _ in range(3)))

        server.reset_stats()

        assert (server.requests, server.peak_in_flight, server.count()) == ([], 0, 0)


class TestServerLifecycle:
    async def test_repr_hides_the_token(self, server: FakeServer) -> None:
        """The server's repr names its URL and project but never the API token."""
        text = repr(server) + str(server) + repr(server.faults)

        assert server.api_token not in text
        assert server.base_url in text

    def test_base_url_needs_a_started_server(self) -> None:
        """base_url of a server not started raises RuntimeError."""
        with pytest.raises(RuntimeError, match="not started"):
            _ = FakeServer(brands=1).base_url

    async def test_env_points_at_the_server(self, server: FakeServer) -> None:
        """env gives the variables a client reads to reach the fake."""
        assert server.env == {
            "SIGNALWIRE_REST_BASE_URL": server.base_url,
            "SIGNALWIRE_PROJECT_ID": DEFAULT_PROJECT_ID,
            "SIGNALWIRE_API_TOKEN": server.api_token,
        }

    def test_state_holds_the_constructor_switches(self) -> None:
        """state is the server's one ServerState, starting from the constructor's switches."""
        fake = FakeServer(
            brands=1, forbidden=True, link_origin="http://127.0.0.1:9", process_after_polls=None
        )
        expected = (True, False, "http://127.0.0.1:9", None, True)

        state = fake.state
        actual = (
            state.forbidden,
            state.absolute_links,
            state.link_origin,
            state.process_after_polls,
            state.recording,
        )

        assert expected == actual
        assert isinstance(state, ServerState)
        assert state is fake.state
        assert state.data is fake.data

    def test_state_cannot_be_replaced(self) -> None:
        """state is read-only: a test changes its switches, not the object."""
        fake = FakeServer(brands=1)

        with pytest.raises(AttributeError):
            fake.state = fake.state  # type: ignore[misc]  # assigning is what is tested

    async def test_state_switches_apply_to_the_next_request(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Turning state.forbidden on and off again changes the very next answers."""
        server.state.forbidden = True
        forbidden, _ = await get(http, f"{server.api_url}/brands")
        server.state.forbidden = False
        allowed, _ = await get(http, f"{server.api_url}/brands")

        assert (forbidden, allowed) == (403, 200)

    async def test_make_app_embeds_in_another_runner(self) -> None:
        """make_app() returns an application that serves the routes from any runner."""
        fake = FakeServer(brands=1)
        runner = web.AppRunner(fake.make_app())
        await runner.setup()
        try:
            site = web.TCPSite(runner, "127.0.0.1", 0)
            await site.start()
            port = runner.addresses[0][1]
            async with aiohttp.ClientSession(headers=auth_for(fake)) as session:
                status, body = await get(session, f"http://127.0.0.1:{port}{PREFIX}/brands")
        finally:
            await runner.cleanup()

        assert (status, len(body["data"])) == (200, 1)

    async def test_serve_forever_serves_until_cancelled(self) -> None:
        """serve_forever() starts the server and closes it when cancelled."""
        fake = FakeServer(brands=1)
        task = asyncio.create_task(fake.serve_forever())
        while fake.peak_in_flight == 0:
            try:
                async with aiohttp.ClientSession(headers=auth_for(fake)) as session:
                    status, _ = await get(session, f"{fake.api_url}/brands")
            except RuntimeError:
                await asyncio.sleep(0.01)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

        assert status == 200
        with pytest.raises(RuntimeError):
            _ = fake.base_url

    @pytest.mark.parametrize(
        "signalwire_fake_server",
        [{"seed": 5, "brands": 1, "campaigns_per_brand": 1}],
        indirect=True,
    )
    async def test_pytest_plugin_fixture(self, signalwire_fake_server: FakeServer) -> None:
        """The opt-in fixture yields a started server sized by its parameter."""
        async with aiohttp.ClientSession(headers=auth_for(signalwire_fake_server)) as session:
            status, body = await get(session, f"{signalwire_fake_server.api_url}/brands")

        assert (status, len(body["data"])) == (200, 1)
        assert signalwire_fake_server.data.seed == 5

    def test_pytest_plugin_registers_its_marker(self, pytestconfig: pytest.Config) -> None:
        """The plugin registers the signalwire_fake_server marker for --strict-markers."""
        markers = pytestconfig.getini("markers")

        assert any(m.startswith("signalwire_fake_server(") for m in markers)
