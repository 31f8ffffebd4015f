"""The fake's routes one by one: auth, unknown ids, single objects, create, delete."""

from __future__ import annotations

import aiohttp
import pytest

from signalwire_orders.testing import DEFAULT_API_TOKEN, DEFAULT_PROJECT_ID, FakeServer
from support import PREFIX, UNKNOWN_ID, auth_headers, get_json, walk_links

#: 2 brands x 3 campaigns x 120 orders (pages of 50, 50, 20), 7 number assignments each.
pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
)


class TestAuth:
    async def test_missing_credentials_is_401(self, server: FakeServer) -> None:
        """A request without an Authorization header gets 401 Unauthorized."""
        async with aiohttp.ClientSession() as session:
            status, body = await get_json(session, f"{server.api_url}/brands")

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
            status, body = await get_json(session, f"{server.api_url}/brands")

        assert (status, body) == (401, {"error": "Unauthorized"})

    async def test_forbidden_is_403_for_valid_credentials(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """With forbidden set, valid credentials get 403 Forbidden (missing token scopes)."""
        server.state.forbidden = True

        status, body = await get_json(http, f"{server.api_url}/brands")

        assert (status, body) == (403, {"error": "Forbidden"})

    async def test_custom_credentials(self) -> None:
        """The credentials the server accepts are configurable."""
        async with (
            FakeServer(brands=1, project_id="p-1", api_token="t-1") as fake,
            aiohttp.ClientSession(headers=auth_headers(fake)) as session,
        ):
            status, _ = await get_json(session, f"{fake.api_url}/brands")

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
        status, body = await get_json(http, server.api_url + path.format(x=the_id))

        assert (status, body) == (404, {"error": "Not Found"})

    async def test_unknown_path_is_404(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """A path the API does not have gets the JSON 404 body."""
        status, body = await get_json(http, f"{server.api_url}/nothing/here")

        assert (status, body) == (404, {"error": "Not Found"})

    async def test_uppercase_ids_are_found(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """UUIDs match whatever their case, as UUIDs do."""
        status, body = await get_json(http, f"{server.api_url}/campaigns/{campaign_id.upper()}")

        assert (status, body["id"]) == (200, campaign_id)


class TestSingleObjects:
    async def test_retrieve_routes_return_the_ground_truth(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Brands, campaigns and seeded orders come back exactly as the data holds them."""
        brand = server.data.brands[0]
        order = server.data.orders_of(campaign_id)[3]

        got = [
            (await get_json(http, f"{server.api_url}/brands/{brand['id']}"))[1],
            (await get_json(http, f"{server.api_url}/campaigns/{campaign_id}"))[1],
            (await get_json(http, f"{server.api_url}/orders/{order['id']}"))[1],
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
        items, _ = await walk_links(
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

        polls = [
            (await get_json(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(3)
        ]

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

        polls = [
            (await get_json(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(3)
        ]

        assert {p["state"] for p in polls} == {"pending"}

    async def test_order_created_to_fail_ends_failed(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """An order created with final_state='failed' ends failed, without processed_at."""
        order = server.data.create_order(campaign_id, ["+12025550123"], final_state="failed")

        polls = [
            (await get_json(http, f"{server.api_url}/orders/{order['id']}"))[1] for _ in range(2)
        ]

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
        items, _ = await walk_links(http, server, f"{PREFIX}/campaigns/{campaign_id}/numbers")

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
