"""
One record at a time against the fake server: get, create, wait and delete.

As in ``test_listing``, expected records are built from the fake's wire dicts
with the standard library only (`support.typed`).
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

import pytest

from signalwire_orders import (
    APITimeoutError,
    Brand,
    Campaign,
    Client,
    NotFoundError,
    Order,
    OrderState,
)
from signalwire_orders.testing import FakeServer
from support import UNKNOWN_ID, typed, typed_all


@pytest.mark.signalwire_fake_server(seed=14, brands=1, campaigns_per_brand=2)
class TestOrdersGet:
    async def test_get_returns_the_order_typed(self, server: FakeServer, client: Client) -> None:
        """orders.get returns the seeded order exactly as the listing has it."""
        wire = server.data.orders_of(server.data.campaign_ids()[1])[77]

        actual = await client.orders.get(wire["id"])

        assert typed(Order, wire) == actual
        assert 1 == server.count("retrieve_order")

    async def test_get_of_an_unknown_order_is_not_found(
        self, server: FakeServer, client: Client
    ) -> None:
        """orders.get of a UUID the API does not have raises NotFoundError after one request."""
        with pytest.raises(NotFoundError) as caught:
            await client.orders.get(UNKNOWN_ID)

        assert 404 == caught.value.status
        assert 1 == server.count("retrieve_order")


@pytest.mark.signalwire_fake_server(seed=15, brands=1, campaigns_per_brand=1)
class TestOrdersCreate:
    async def test_created_order_is_pending_and_returned_typed(
        self, server: FakeServer, client: Client
    ) -> None:
        """create returns the new order: pending, with its callback URL, ids and times typed."""
        campaign_id = server.data.campaign_ids()[0]

        created = await client.orders.create(
            campaign_id, ["+15558675309"], status_callback_url="https://example.com/cb"
        )

        assert typed(Order, server.data.order(str(created.id))) == created
        assert OrderState.PENDING == created.state
        assert "https://example.com/cb" == created.status_callback_url
        assert created.created_at is not None
        assert created.created_at.utcoffset() == timedelta(0)

    async def test_created_order_shows_last_in_the_listing(
        self, server: FakeServer, client: Client
    ) -> None:
        """After create, the campaign's listing has one more order, the new one last."""
        campaign_id = server.data.campaign_ids()[0]

        created = await client.orders.create(campaign_id, ["+15558675309", "+15558675310"])
        listed = [order async for order in client.orders.list(campaign_id)]

        assert 121 == len(listed)
        assert created.id == listed[-1].id
        assert typed_all(Order, server.data.orders_of(campaign_id)) == listed

    async def test_a_bad_phone_number_is_refused_before_any_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """A number that is not E.164 raises ValueError and sends nothing."""
        with pytest.raises(ValueError, match=r"E\.164"):
            await client.orders.create(server.data.campaign_ids()[0], ["555-0100"])

        assert 0 == server.count()


@pytest.mark.signalwire_fake_server(seed=16, brands=1, campaigns_per_brand=1)
class TestOrdersWait:
    async def test_wait_returns_the_processed_order(
        self, server: FakeServer, client: Client
    ) -> None:
        """wait polls a created order until it is processed (two polls here) and returns it."""
        created = await client.orders.create(server.data.campaign_ids()[0], ["+15558675309"])

        order = await client.orders.wait(created.id, timeout=5.0, poll_interval=0.01)

        assert OrderState.PROCESSED == order.state
        assert created.id == order.id
        assert order.processed_at is not None
        assert 2 == server.count("retrieve_order")

    @pytest.mark.signalwire_fake_server(
        seed=16, brands=1, campaigns_per_brand=1, process_after_polls=None
    )
    async def test_wait_for_an_order_that_never_finishes_times_out(
        self, server: FakeServer, client: Client
    ) -> None:
        """An order that stays processing is an APITimeoutError naming the order at the deadline."""
        created = await client.orders.create(server.data.campaign_ids()[0], ["+15558675309"])

        with pytest.raises(APITimeoutError) as caught:
            await client.orders.wait(created.id, timeout=0.1, poll_interval=0.01)

        assert str(created.id) in str(caught.value)
        assert server.count("retrieve_order") >= 2


@pytest.mark.signalwire_fake_server(
    seed=17, brands=1, campaigns_per_brand=2, numbers_per_campaign=120
)
class TestNumbersDelete:
    async def test_deleted_assignment_leaves_the_listing(
        self, server: FakeServer, client: Client
    ) -> None:
        """After numbers.delete the assignment is no longer listed, here or in the ground truth."""
        campaign_id = server.data.campaign_ids()[0]
        victim = UUID(server.data.numbers_of(campaign_id)[60]["id"])

        await client.numbers.delete(victim)
        listed = [n.id async for n in client.numbers.list(campaign_id)]

        assert 119 == len(listed)
        assert victim not in listed
        assert [UUID(n["id"]) for n in server.data.numbers_of(campaign_id)] == listed

    async def test_deleting_twice_is_not_found(self, server: FakeServer, client: Client) -> None:
        """A second delete of the same assignment raises NotFoundError (404), not retried."""
        victim = server.data.numbers_of(server.data.campaign_ids()[0])[0]["id"]
        await client.numbers.delete(victim)

        with pytest.raises(NotFoundError) as caught:
            await client.numbers.delete(victim)

        assert 404 == caught.value.status
        assert 2 == server.count("delete_number_assignment")


@pytest.mark.signalwire_fake_server(seed=18, brands=3, campaigns_per_brand=9)
class TestCampaignsGet:
    async def test_get_returns_the_campaign_typed(self, server: FakeServer, client: Client) -> None:
        """campaigns.get returns the campaign as listed."""
        wire = server.data.campaigns_of(server.data.brands[2]["id"])[5]

        actual = await client.campaigns.get(wire["id"])

        assert typed(Campaign, wire) == actual


@pytest.mark.signalwire_fake_server(seed=19, brands=24, campaigns_per_brand=1)
class TestBrandsGet:
    async def test_get_returns_the_brand_typed(self, server: FakeServer, client: Client) -> None:
        """brands.get returns the brand as listed."""
        wire = server.data.brands[17]

        actual = await client.brands.get(wire["id"])

        assert typed(Brand, wire) == actual
