"""Request shapes: exact URLs, query strings, headers, bodies, and input checked before sending."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import aiohttp
import pytest
from aioresponses import aioresponses

from signalwire_orders import (
    AssignedNumber,
    AssignmentState,
    Brand,
    Campaign,
    CampaignState,
    Client,
    Order,
    OrderState,
    PartnerCampaignRequest,
    __version__,
)
from support import (
    API,
    BRAND_ID,
    CAMPAIGN_ID,
    NUMBER_ID,
    ORDER_ID,
    PREFIX,
    PROJECT_ID,
    TOKEN,
    order,
    page,
    record_sent,
    uid,
    urls,
)

ORDERS = f"{API}/campaigns/{CAMPAIGN_ID}/orders"
NUMBERS = f"{API}/campaigns/{CAMPAIGN_ID}/numbers"
CAMPAIGNS = f"{API}/brands/{BRAND_ID}/campaigns"


async def drain(result: Any) -> None:
    """Await a coroutine or exhaust an async iterator."""
    if hasattr(result, "__aiter__"):
        async for _ in result:
            pass
    else:
        await result


Operation = Callable[[Client, Any], Any]

#: Every operation that takes an id in its path.
ID_OPERATIONS: dict[str, Operation] = {
    "orders.list": lambda c, i: c.orders.list(i),
    "orders.pages": lambda c, i: c.orders.pages(i),
    "orders.get": lambda c, i: c.orders.get(i),
    "orders.create": lambda c, i: c.orders.create(i, ["+15558675309"]),
    "orders.list_many": lambda c, i: c.orders.list_many([CAMPAIGN_ID, i]),
    "numbers.list": lambda c, i: c.numbers.list(i),
    "numbers.delete": lambda c, i: c.numbers.delete(i),
    "campaigns.get": lambda c, i: c.campaigns.get(i),
    "campaigns.list": lambda c, i: c.campaigns.list(i),
    "campaigns.create": lambda c, i: c.campaigns.create(
        i, PartnerCampaignRequest(name="Alerts", brand_id=BRAND_ID, csp_campaign_reference="C1")
    ),
    "campaigns.update": lambda c, i: c.campaigns.update(i, name="Renamed"),
    "brands.get": lambda c, i: c.brands.get(i),
}


class TestOperationUrls:
    async def test_orders_list_gets_the_campaign_orders_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """orders.list sends GET /campaigns/{id}/orders."""
        mock_api.get(ORDERS, payload=page([order()]))
        sent = record_sent()

        [o async for o in client.orders.list(CAMPAIGN_ID)]

        assert [("GET", ORDERS)] == urls(sent)

    async def test_orders_get_gets_the_order_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """orders.get sends GET /orders/{id}."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())
        sent = record_sent()

        await client.orders.get(ORDER_ID)

        assert [("GET", f"{API}/orders/{ORDER_ID}")] == urls(sent)

    async def test_orders_create_posts_to_the_campaign_orders_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """orders.create sends POST /campaigns/{id}/orders."""
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert [("POST", ORDERS)] == urls(sent)

    async def test_numbers_list_gets_the_campaign_numbers_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """numbers.list sends GET /campaigns/{id}/numbers."""
        mock_api.get(NUMBERS, payload=page([{"id": NUMBER_ID}]))
        sent = record_sent()

        [n async for n in client.numbers.list(CAMPAIGN_ID)]

        assert [("GET", NUMBERS)] == urls(sent)

    async def test_numbers_delete_deletes_the_number_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """numbers.delete sends DELETE /numbers/{id}."""
        mock_api.delete(f"{API}/numbers/{NUMBER_ID}", status=204)
        sent = record_sent()

        await client.numbers.delete(NUMBER_ID)

        assert [("DELETE", f"{API}/numbers/{NUMBER_ID}")] == urls(sent)

    async def test_campaigns_get_gets_the_campaign_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """campaigns.get sends GET /campaigns/{id}."""
        mock_api.get(f"{API}/campaigns/{CAMPAIGN_ID}", payload={"id": CAMPAIGN_ID})
        sent = record_sent()

        await client.campaigns.get(CAMPAIGN_ID)

        assert [("GET", f"{API}/campaigns/{CAMPAIGN_ID}")] == urls(sent)

    async def test_campaigns_list_gets_the_brand_campaigns_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """campaigns.list sends GET /brands/{id}/campaigns."""
        mock_api.get(CAMPAIGNS, payload=page([{"id": CAMPAIGN_ID}]))
        sent = record_sent()

        [c async for c in client.campaigns.list(BRAND_ID)]

        assert [("GET", CAMPAIGNS)] == urls(sent)

    async def test_brands_list_gets_the_brands_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """brands.list sends GET /brands."""
        mock_api.get(f"{API}/brands", payload=page([{"id": BRAND_ID}]))
        sent = record_sent()

        [b async for b in client.brands.list()]

        assert [("GET", f"{API}/brands")] == urls(sent)

    async def test_brands_get_gets_the_brand_path(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """brands.get sends GET /brands/{id}."""
        mock_api.get(f"{API}/brands/{BRAND_ID}", payload={"id": BRAND_ID})
        sent = record_sent()

        await client.brands.get(BRAND_ID)

        assert [("GET", f"{API}/brands/{BRAND_ID}")] == urls(sent)

    async def test_campaigns_list_all_walks_brands_then_each_brands_campaigns(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """list_all lists the brands, then the campaigns of each brand in turn."""
        mock_api.get(f"{API}/brands", payload=page([{"id": uid(1)}, {"id": uid(2)}]))
        mock_api.get(f"{API}/brands/{uid(1)}/campaigns", payload=page([{"id": uid(11)}]))
        mock_api.get(f"{API}/brands/{uid(2)}/campaigns", payload=page([{"id": uid(21)}]))
        sent = record_sent()

        campaigns = [str(c.id) async for c in client.campaigns.list_all()]

        assert (
            [uid(11), uid(21)],
            [
                ("GET", f"{API}/brands"),
                ("GET", f"{API}/brands/{uid(1)}/campaigns"),
                ("GET", f"{API}/brands/{uid(2)}/campaigns"),
            ],
        ) == (campaigns, urls(sent))

    async def test_uppercase_id_is_sent_in_canonical_form(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """An id given in upper case reaches the path as a canonical lower-case UUID."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())
        sent = record_sent()

        await client.orders.get(ORDER_ID.upper())

        assert [("GET", f"{API}/orders/{ORDER_ID}")] == urls(sent)


class TestQueryParameters:
    async def test_orders_list_sends_filter_state_and_page_size(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """state and page_size become filter_state and page_size in the query."""
        url = f"{ORDERS}?filter_state=pending&page_size=50"
        mock_api.get(url, payload=page([]))
        sent = record_sent()

        [o async for o in client.orders.list(CAMPAIGN_ID, state=OrderState.PENDING, page_size=50)]

        assert [("GET", url)] == urls(sent)

    async def test_numbers_list_sends_filter_state(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """numbers.list's state becomes filter_state."""
        url = f"{NUMBERS}?filter_state=completed"
        mock_api.get(url, payload=page([]))
        sent = record_sent()

        [n async for n in client.numbers.list(CAMPAIGN_ID, state=AssignmentState.COMPLETED)]

        assert [("GET", url)] == urls(sent)

    async def test_brands_list_sends_filter_name_quoted_and_filter_state(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """brands.list's name is percent-encoded into filter_name, beside filter_state."""
        url = f"{API}/brands?filter_name=Acme%20%26%20Co&filter_state=completed&page_size=1000"
        mock_api.get(url, payload=page([]))
        sent = record_sent()

        [b async for b in client.brands.list(name="Acme & Co", state="completed", page_size=1000)]

        assert [("GET", url)] == urls(sent)

    async def test_campaigns_list_sends_filter_name_and_filter_state(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """campaigns.list's name and state become filter_name and filter_state."""
        url = f"{CAMPAIGNS}?filter_name=Spring&filter_state=active&page_size=1"
        mock_api.get(url, payload=page([]))
        sent = record_sent()

        [
            c
            async for c in client.campaigns.list(
                BRAND_ID, name="Spring", state=CampaignState.ACTIVE, page_size=1
            )
        ]

        assert [("GET", url)] == urls(sent)

    @pytest.mark.parametrize("page_size", [0, 1001, -1])
    @pytest.mark.usefixtures("mock_api")
    async def test_page_size_out_of_range_raises_value_error_before_any_request(
        self, client: Client, page_size: int
    ) -> None:
        """page_size outside 1..1000 is refused before anything is sent."""
        sent = record_sent()

        with pytest.raises(ValueError, match="page_size"):
            await drain(client.orders.list(CAMPAIGN_ID, page_size=page_size))

        assert [] == sent


class TestHeaders:
    async def test_authorization_is_basic_auth_of_project_id_and_token(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Every request carries Basic auth built from the project ID and the token."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())
        sent = record_sent()

        await client.orders.get(ORDER_ID)

        assert aiohttp.encode_basic_auth(PROJECT_ID, TOKEN) == sent[0].headers["Authorization"]

    async def test_accept_is_json(self, client: Client, mock_api: aioresponses) -> None:
        """Requests ask for JSON."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())
        sent = record_sent()

        await client.orders.get(ORDER_ID)

        assert "application/json" == sent[0].headers["Accept"]

    async def test_user_agent_names_the_library_and_its_version(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The User-Agent starts with signalwire-orders/<version>."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())
        sent = record_sent()

        await client.orders.get(ORDER_ID)

        assert f"signalwire-orders/{__version__}" == sent[0].headers["User-Agent"].split()[0]

    async def test_auth_header_is_sent_on_every_page(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Following next keeps the credentials on the second page's request."""
        second = f"{PREFIX}/campaigns/{CAMPAIGN_ID}/orders?page_number=1&page_token=PA2"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=second))
        mock_api.get(f"https://example.signalwire.com{second}", payload=page([order(uid(2))]))
        sent = record_sent()

        [o async for o in client.orders.list(CAMPAIGN_ID)]

        expected = aiohttp.encode_basic_auth(PROJECT_ID, TOKEN)
        assert [expected, expected] == [r.headers["Authorization"] for r in sent]


class TestCreateBody:
    async def test_create_sends_numbers_and_callback_as_json(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The create body is {"phone_numbers": [...], "status_callback_url": ...}."""
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(
            CAMPAIGN_ID,
            ["+15558675309", "+15558675310"],
            status_callback_url="https://hooks.example.com/10dlc",
        )

        assert {
            "phone_numbers": ["+15558675309", "+15558675310"],
            "status_callback_url": "https://hooks.example.com/10dlc",
        } == json.loads(sent[0].data or b"")

    async def test_create_without_callback_sends_only_numbers(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Without status_callback_url the body has phone_numbers alone."""
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert {"phone_numbers": ["+15558675309"]} == json.loads(sent[0].data or b"")

    async def test_create_declares_a_json_content_type(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The create request says Content-Type: application/json."""
        mock_api.post(ORDERS, payload=order())
        sent = record_sent()

        await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert "application/json" == sent[0].headers["Content-Type"]

    async def test_create_returns_the_typed_order(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The created order comes back as an Order."""
        mock_api.post(ORDERS, payload=order(state="processing"))

        created = await client.orders.create(CAMPAIGN_ID, ["+15558675309"])

        assert (UUID(ORDER_ID), OrderState.PROCESSING) == (created.id, created.state)

    @pytest.mark.parametrize(
        "numbers",
        [["5558675309"], ["+0123456"], ["+1555 867 5309"], ["+1"], [], ["+15558675309", "x"]],
    )
    @pytest.mark.usefixtures("mock_api")
    async def test_bad_phone_numbers_raise_value_error_before_any_request(
        self, client: Client, numbers: list[str]
    ) -> None:
        """A number that is not E.164 (or no number) is refused before anything is sent."""
        sent = record_sent()

        with pytest.raises(ValueError, match="phone"):
            await client.orders.create(CAMPAIGN_ID, numbers)

        assert [] == sent

    @pytest.mark.usefixtures("mock_api")
    async def test_a_single_string_of_numbers_raises_type_error(self, client: Client) -> None:
        """One string instead of a list of numbers is refused before anything is sent."""
        sent = record_sent()

        with pytest.raises(TypeError):
            await client.orders.create(CAMPAIGN_ID, "+15558675309")

        assert [] == sent


class TestIdValidation:
    @pytest.mark.parametrize("operation", list(ID_OPERATIONS), ids=list(ID_OPERATIONS))
    @pytest.mark.parametrize(
        "bad_id",
        ["not-a-uuid", "../brands", f"{ORDER_ID}/../../brands", "", f"{ORDER_ID}?x=1"],
        ids=["word", "dotdot", "traversal", "empty", "query"],
    )
    @pytest.mark.usefixtures("mock_api")
    async def test_invalid_id_raises_value_error_before_any_request(
        self, client: Client, operation: str, bad_id: str
    ) -> None:
        """An id that is not a UUID is refused with ValueError and nothing is sent."""
        sent = record_sent()

        with pytest.raises(ValueError, match="must be a UUID"):
            await drain(ID_OPERATIONS[operation](client, bad_id))

        assert [] == sent


class TestTypedResults:
    async def test_order_fields_are_typed(self, client: Client, mock_api: aioresponses) -> None:
        """An Order has a UUID id, aware datetimes and an OrderState."""
        mock_api.get(
            f"{API}/orders/{ORDER_ID}",
            payload={
                "id": ORDER_ID,
                "state": "processed",
                "processed_at": "2024-01-15T09:31:00Z",
                "created_at": "2024-01-15T09:30:00Z",
                "updated_at": "2024-01-15T09:31:00+00:00",
                "status_callback_url": "https://hooks.example.com/10dlc",
            },
        )

        actual = await client.orders.get(ORDER_ID)

        assert (
            Order(
                id=UUID(ORDER_ID),
                state=OrderState.PROCESSED,
                processed_at=datetime(2024, 1, 15, 9, 31, tzinfo=UTC),
                created_at=datetime(2024, 1, 15, 9, 30, tzinfo=UTC),
                updated_at=datetime(2024, 1, 15, 9, 31, tzinfo=UTC),
                status_callback_url="https://hooks.example.com/10dlc",
            )
            == actual
        )

    async def test_order_times_are_timezone_aware(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """created_at carries a UTC offset."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order())

        actual = await client.orders.get(ORDER_ID)

        assert actual.created_at is not None
        assert UTC.utcoffset(None) == actual.created_at.utcoffset()

    async def test_order_state_is_the_enum_member(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A known state decodes to the OrderState member itself."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order(state="failed"))

        actual = await client.orders.get(ORDER_ID)

        assert actual.state is OrderState.FAILED

    async def test_unknown_state_is_kept(self, client: Client, mock_api: aioresponses) -> None:
        """A state the library does not know is accepted and kept."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order(state="archived"))

        actual = await client.orders.get(ORDER_ID)

        assert ("archived", False) == (actual.state, actual.state and actual.state.is_known)

    async def test_unknown_fields_are_kept_in_extra(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Fields the API added later are kept rather than rejected."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload=order(priority=3, tags={"team": "growth"}))

        actual = await client.orders.get(ORDER_ID)

        assert {"priority": 3, "tags": {"team": "growth"}} == dict(actual.extra)

    async def test_only_id_is_required(self, client: Client, mock_api: aioresponses) -> None:
        """An order with nothing but its id decodes with the other fields None."""
        mock_api.get(f"{API}/orders/{ORDER_ID}", payload={"id": ORDER_ID})

        actual = await client.orders.get(ORDER_ID)

        assert Order(id=UUID(ORDER_ID)) == actual

    async def test_delete_returns_none_on_204(self, client: Client, mock_api: aioresponses) -> None:
        """Deleting a number assignment answered by 204 returns None."""
        mock_api.delete(f"{API}/numbers/{NUMBER_ID}", status=204)

        actual = await asyncio.gather(client.numbers.delete(NUMBER_ID))

        assert [None] == list(actual)

    async def test_numbers_list_yields_assigned_numbers(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """numbers.list yields AssignedNumber with a typed state and phone number."""
        mock_api.get(
            NUMBERS,
            payload=page(
                [
                    {
                        "id": NUMBER_ID,
                        "state": "completed",
                        "phone_number": {"number": "+15558675309"},
                    }
                ]
            ),
        )

        [actual] = [n async for n in client.numbers.list(CAMPAIGN_ID)]

        assert isinstance(actual, AssignedNumber)
        assert (AssignmentState.COMPLETED, "+15558675309") == (
            actual.state,
            actual.phone_number and actual.phone_number.number,
        )

    async def test_campaign_and_brand_are_typed(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """campaigns.get and brands.get return Campaign and Brand with UUID ids."""
        mock_api.get(f"{API}/campaigns/{CAMPAIGN_ID}", payload={"id": CAMPAIGN_ID, "name": "C"})
        mock_api.get(f"{API}/brands/{BRAND_ID}", payload={"id": BRAND_ID, "name": "B"})

        campaign = await client.campaigns.get(CAMPAIGN_ID)
        brand = await client.brands.get(BRAND_ID)

        assert (Campaign(id=UUID(CAMPAIGN_ID), name="C"), Brand(id=UUID(BRAND_ID), name="B")) == (
            campaign,
            brand,
        )
