"""The registry's writes against the fake: what is created is there, moves on, and calls back."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator

import pytest

from signalwire_orders import (
    APITimeoutError,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Client,
    CspBrandRequest,
    ManagedBrandRequest,
    ManagedCampaignRequest,
    NotFoundError,
    OrderState,
    OutcomeUnknownError,
    PartnerCampaignRequest,
    ServerError,
)
from signalwire_orders import sync as blocking
from signalwire_orders.testing import FakeServer
from signalwire_orders.webhooks import (
    EventType,
    StatusCallbackReceiver,
    StatusEvent,
    wait_for_order,
)
from support import (
    NO_WAIT,
    UNKNOWN_ID,
    csp_brand_body,
    in_a_thread,
    managed_brand_body,
    managed_campaign_body,
    partner_campaign_body,
    serving,
)

pytestmark = pytest.mark.signalwire_fake_server(
    seed=3, brands=2, campaigns_per_brand=2, orders_per_campaign=3, numbers_per_campaign=1
)
NUMBERS = ["+15551234567"]


def managed_brand(**overrides: object) -> ManagedBrandRequest:
    return ManagedBrandRequest(**(managed_brand_body() | overrides))


def csp_brand(**overrides: object) -> CspBrandRequest:
    body = csp_brand_body()
    del body["csp_self_registered"]  # set by the class itself
    return CspBrandRequest(**(body | overrides))


def managed_campaign(brand_id: object, **overrides: object) -> ManagedCampaignRequest:
    return ManagedCampaignRequest(**(managed_campaign_body(str(brand_id)) | overrides))


def partner_campaign(brand_id: object, **overrides: object) -> PartnerCampaignRequest:
    return PartnerCampaignRequest(**(partner_campaign_body(str(brand_id)) | overrides))


async def drain(listing: AsyncIterator[Campaign] | AsyncIterator[Brand]) -> list[object]:
    return [item.id async for item in listing]


class TestCreatedObjectsAreThere:
    async def test_a_created_brand_is_got_and_listed(
        self, client: Client, server: FakeServer
    ) -> None:
        """brands.create answers the new brand; brands.get and brands.list give it back."""
        brand = await client.brands.create(managed_brand(name="Onboarded Dental"))

        assert (BrandState.PENDING, "Onboarded Dental") == (brand.state, brand.name)
        assert brand == await client.brands.get(brand.id)
        assert [brand.id] == await drain(client.brands.list(name="Onboarded Dental"))
        assert len(server.data.brands) == len(await drain(client.brands.list()))

    async def test_the_body_sent_is_the_body_recorded(
        self, client: Client, server: FakeServer
    ) -> None:
        """The fake records the JSON the client sent, field for field."""
        await client.brands.create(csp_brand())

        (recorded,) = [r for r in server.requests if r.method == "POST"]
        assert csp_brand_body() == json.loads(recorded.body)

    async def test_a_created_campaign_is_got_listed_and_in_list_all(self, client: Client) -> None:
        """Under a new brand: campaigns.get, campaigns.list and list_all all have it."""
        brand = await client.brands.create(managed_brand())

        campaign = await client.campaigns.create(brand.id, managed_campaign(brand.id))

        assert CampaignState.PENDING == campaign.state
        assert campaign == await client.campaigns.get(campaign.id)
        assert [campaign.id] == await drain(client.campaigns.list(brand.id))
        assert campaign.id in await drain(client.campaigns.list_all())

    async def test_a_partner_campaign_under_a_csp_brand(self, client: Client) -> None:
        """The imported forms: a CSP brand and a partner campaign, with their references."""
        brand = await client.brands.create(csp_brand())

        campaign = await client.campaigns.create(brand.id, partner_campaign(brand.id))

        assert (True, "B123456", "C123456") == (
            brand.csp_self_registered,
            brand.csp_brand_reference,
            campaign.csp_campaign_reference,
        )

    async def test_orders_are_created_under_a_new_campaign(self, client: Client) -> None:
        """A new campaign has no orders, then the one created under it."""
        brand = await client.brands.create(csp_brand())
        campaign = await client.campaigns.create(brand.id, partner_campaign(brand.id))
        assert [] == [order async for order in client.orders.list(campaign.id)]

        order = await client.orders.create(campaign.id, NUMBERS)

        assert [order.id] == [o.id async for o in client.orders.list(campaign.id)]

    async def test_update_renames_and_the_new_name_is_got(
        self, client: Client, server: FakeServer
    ) -> None:
        """campaigns.update answers the renamed campaign; campaigns.get agrees."""
        campaign_id = server.data.campaign_ids()[0]

        renamed = await client.campaigns.update(campaign_id, name="Renamed campaign")

        assert "Renamed campaign" == renamed.name
        assert renamed == await client.campaigns.get(campaign_id)

    async def test_unknown_brand_or_campaign_is_not_found(self, client: Client) -> None:
        """A 404 for the path's brand or campaign, whatever the body."""
        with pytest.raises(NotFoundError):
            await client.campaigns.create(UNKNOWN_ID, partner_campaign(UNKNOWN_ID))
        with pytest.raises(NotFoundError):
            await client.campaigns.update(UNKNOWN_ID, name="Renamed campaign")


class TestStates:
    async def test_a_created_brand_and_campaign_become_final_after_polls(
        self, client: Client, server: FakeServer
    ) -> None:
        """pending, then completed (brand) and active (campaign) after the fake's polls."""
        server.state.process_after_polls = 2
        brand = await client.brands.create(managed_brand())
        campaign = await client.campaigns.create(brand.id, managed_campaign(brand.id))

        brands = [(await client.brands.get(brand.id)).state for _ in range(3)]
        campaigns = [(await client.campaigns.get(campaign.id)).state for _ in range(3)]

        assert [BrandState.PENDING, BrandState.COMPLETED, BrandState.COMPLETED] == brands
        assert [CampaignState.PENDING, CampaignState.ACTIVE, CampaignState.ACTIVE] == campaigns


class TestCreatesAgainstFaults:
    @pytest.mark.parametrize("route", ["create_brand", "create_campaign"])
    async def test_a_500_is_sent_once_and_nothing_is_created_twice(
        self, client: Client, server: FakeServer, route: str
    ) -> None:
        """The fake answers 500 once then would succeed: the client does not try again."""
        brand_id = server.data.brands[0]["id"]
        server.faults.script(route, ["500"])
        before = (len(server.data.brands), len(server.data.campaign_ids()))

        create = (
            client.brands.create(managed_brand())
            if route == "create_brand"
            else client.campaigns.create(brand_id, partner_campaign(brand_id))
        )

        with pytest.raises(ServerError):
            await create

        assert (1, before) == (
            server.count(route),
            (len(server.data.brands), len(server.data.campaign_ids())),
        )

    async def test_a_dropped_connection_is_outcome_unknown_after_one_request(
        self, client: Client, server: FakeServer
    ) -> None:
        """The connection closes with no answer: the caller must look the brand up, not resend."""
        server.faults.script("create_brand", ["drop"])

        with pytest.raises(OutcomeUnknownError):
            await client.brands.create(managed_brand(name="Maybe Created"))

        assert 1 == server.count("create_brand")

    async def test_an_update_is_retried_after_a_503(
        self, client: Client, server: FakeServer
    ) -> None:
        """PUT is idempotent: a 503 is tried again and the rename lands once."""
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("update_campaign", ["503"])

        renamed = await client.campaigns.update(campaign_id, name="After a 503")

        assert ("After a 503", 2) == (renamed.name, server.count("update_campaign"))


@pytest.fixture
async def receiver() -> AsyncIterator[tuple[StatusCallbackReceiver, str]]:
    """A status callback receiver served on loopback, and its URL."""
    served = StatusCallbackReceiver(path="/signalwire/10dlc")
    async with serving(served.app()) as origin:
        yield served, origin + served.path
        served.close()


async def next_events(receiver: StatusCallbackReceiver, count: int) -> list[StatusEvent]:
    events: list[StatusEvent] = []
    async with asyncio.timeout(10):
        async for event in receiver.events():
            events.append(event)
            if len(events) == count:
                break
    return events


class TestOnboardingCallbacks:
    async def test_brand_campaign_and_order_callbacks_reach_the_receiver(
        self,
        client: Client,
        server: FakeServer,
        receiver: tuple[StatusCallbackReceiver, str],
    ) -> None:
        """Each object's move is POSTed to its status_callback_url, typed by the receiver."""
        served, url = receiver
        server.state.advance_after = 0.05  # moved on by time, nobody polls
        server.state.process_after_polls = None

        brand = await client.brands.create(managed_brand(status_callback_url=url))
        activated = await next_events(served, 1)
        campaign = await client.campaigns.create(
            brand.id, managed_campaign(brand.id, status_callback_url=url)
        )
        live = await next_events(served, 1)
        order = await client.orders.create(campaign.id, NUMBERS, status_callback_url=url)
        processed = await next_events(served, 1)

        assert [
            (EventType.BRAND_ACTIVATED, brand.id, None, None),
            (EventType.CAMPAIGN_ACTIVATED, brand.id, campaign.id, None),
            (EventType.NUMBER_ASSIGNMENT_ORDER_PROCESSED, brand.id, campaign.id, order.id),
        ] == [
            (e.event_type, e.brand_id, e.campaign_id, e.number_assignment_order_id)
            for e in activated + live + processed
        ]

    async def test_wait_for_order_ends_on_the_callback_not_a_poll(
        self,
        client: Client,
        server: FakeServer,
        receiver: tuple[StatusCallbackReceiver, str],
    ) -> None:
        """With polls a minute apart, only the fake's callback can end the wait in time."""
        served, url = receiver
        server.state.advance_after = 0.05
        server.state.process_after_polls = None
        campaign_id = server.data.campaign_ids()[0]
        order = await client.orders.create(campaign_id, NUMBERS, status_callback_url=url)

        done = await wait_for_order(
            client, order.id, receiver=served, timeout=10, poll_interval=60, max_poll_interval=60
        )

        assert (order.id, OrderState.PROCESSED) == (done.id, done.state)
        assert 2 == server.count("retrieve_order")  # the first poll and the fetch after the event

    async def test_without_the_callback_the_same_wait_times_out(
        self, client: Client, server: FakeServer
    ) -> None:
        """The control: no receiver, polls a minute apart, so the deadline passes."""
        server.state.advance_after = 0.05
        server.state.process_after_polls = None
        order = await client.orders.create(server.data.campaign_ids()[0], NUMBERS)

        with pytest.raises(APITimeoutError):
            await wait_for_order(
                client, order.id, timeout=0.5, poll_interval=60, max_poll_interval=60
            )


@pytest.fixture
def threaded() -> Iterator[FakeServer]:
    """A fake served from another thread, for the blocking client."""
    fake = FakeServer(seed=3, brands=1, campaigns_per_brand=1, orders_per_campaign=1)
    with in_a_thread(fake):
        yield fake


class TestBlocking:
    def test_the_sync_client_creates_and_renames(self, threaded: FakeServer) -> None:
        """brands.create, campaigns.create and campaigns.update, blocking, with the same results."""
        with blocking.Client(env=threaded.env, retry=NO_WAIT) as client:
            brand = client.brands.create(csp_brand())
            campaign = client.campaigns.create(brand.id, partner_campaign(brand.id))
            renamed = client.campaigns.update(campaign.id, name="Renamed campaign")

            assert (brand.id, campaign.id, "Renamed campaign") == (
                client.brands.get(brand.id).id,
                client.campaigns.get(campaign.id).id,
                renamed.name,
            )
