"""
Every list and single-object operation against the fake server, compared with its ground truth.

The client talks real HTTP to `FakeServer` on loopback; expected values are
built here from the fake's wire dicts (``server.data``) with the standard
library only, so the client's decoder is checked, not trusted.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import pytest

from signalwire_orders import (
    APITimeoutError,
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Client,
    NotFoundError,
    Order,
    OrderState,
    Page,
    RetryPolicy,
    ServerError,
)
from signalwire_orders.testing import FakeServer

T = TypeVar("T")
Wire = dict[str, Any]

PREFIX = "/api/relay/rest/registry/beta"
#: Retries without waiting, so fault-driven tests stay fast.
NO_WAIT = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.05)
_STATES: dict[type[Any], type[Any]] = {
    Order: OrderState,
    AssignedNumber: AssignmentState,
    Brand: BrandState,
    Campaign: CampaignState,
}


def _typed(model: type[T], wire: Wire) -> T:
    """Build the model a wire dict should decode to, independently of the client's codec."""
    values: dict[str, Any] = {}
    for key, value in wire.items():
        if value is None:
            values[key] = None
        elif key == "id" or key.endswith("_id"):
            values[key] = UUID(value)
        elif key.endswith("_at"):
            values[key] = datetime.fromisoformat(value)
        elif key == "state":
            values[key] = _STATES[model](value)
        elif key == "phone_number":
            values[key] = _typed(AssignedPhoneNumber, value)
        elif isinstance(value, list):
            values[key] = tuple(value)
        else:
            values[key] = value
    return model(**values)


def _typed_all(model: type[T], wires: list[Wire]) -> list[T]:
    return [_typed(model, wire) for wire in wires]


def _pages_of(items: int, size: int) -> int:
    """How many pages the API serves for a listing: at least one, even when empty."""
    return max(1, math.ceil(items / size))


async def _collect(items: AsyncIterator[T], into: list[T]) -> None:
    """Append each item to ``into`` as it comes, so the items before an error are kept."""
    async for item in items:
        into.append(item)  # noqa: PERF401  # a comprehension would lose them on error


def _client(server: FakeServer, *, retry: RetryPolicy = NO_WAIT) -> Client:
    return Client(
        project_id=server.project_id,
        api_token=server.api_token,
        base_url=server.base_url,
        env={},
        retry=retry,
        timeout=5.0,
    )


@pytest.fixture
def server(signalwire_fake_server: FakeServer) -> FakeServer:
    """The plugin's fake server, sized per test with the ``signalwire_fake_server`` marker."""
    return signalwire_fake_server


@pytest.fixture
async def client(server: FakeServer) -> AsyncIterator[Client]:
    """A client of ``server`` with instant retries."""
    async with _client(server) as c:
        yield c


@pytest.mark.signalwire_fake_server(seed=11, brands=2, campaigns_per_brand=2)
class TestOrdersList:
    async def test_every_order_across_pages_equals_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """list() yields every order of a 120-order campaign (3 pages), in order, fully typed."""
        campaign_id = server.data.campaign_ids()[1]

        actual = [order async for order in client.orders.list(campaign_id)]

        assert _typed_all(Order, server.data.orders_of(campaign_id)) == actual
        assert 3 == server.count("list_orders")

    async def test_fields_are_typed(self, server: FakeServer, client: Client) -> None:
        """Ids are UUIDs, times are UTC-aware datetimes and states are known OrderState members."""
        campaign_id = server.data.campaign_ids()[0]

        orders = [order async for order in client.orders.list(campaign_id)]

        assert all(isinstance(order.id, UUID) for order in orders)
        assert all(isinstance(order.state, OrderState) and order.state.is_known for order in orders)
        times = [t for o in orders for t in (o.created_at, o.updated_at, o.processed_at) if t]
        assert {timedelta(0)} == {t.utcoffset() for t in times}
        assert any(order.processed_at is not None for order in orders)

    async def test_a_uuid_object_works_as_the_campaign_id(
        self, server: FakeServer, client: Client
    ) -> None:
        """A uuid.UUID campaign id lists the same orders as its string form."""
        campaign_id = server.data.campaign_ids()[2]

        actual = [order.id async for order in client.orders.list(UUID(campaign_id))]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual

    @pytest.mark.parametrize("state", ["pending", "processing", "processed", "failed"])
    async def test_filter_state_yields_exactly_that_states_orders(
        self, server: FakeServer, client: Client, state: str
    ) -> None:
        """state= sends filter_state and yields exactly the orders in that state, across pages."""
        campaign_id = server.data.campaign_ids()[0]
        expected = _typed_all(Order, server.data.orders_of(campaign_id, state=state))

        actual = [order async for order in client.orders.list(campaign_id, state=state)]

        assert expected
        assert expected == actual
        assert {state} == {r.query.get("filter_state") for r in server.requests}

    async def test_filter_state_accepts_an_enum_member(
        self, server: FakeServer, client: Client
    ) -> None:
        """An OrderState member filters like its string value."""
        campaign_id = server.data.campaign_ids()[0]

        actual = [o.id async for o in client.orders.list(campaign_id, state=OrderState.FAILED)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id, state="failed")] == actual

    async def test_a_state_no_order_has_yields_nothing_in_one_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """filter_state with a value the API does not know gives an empty listing, one page."""
        campaign_id = server.data.campaign_ids()[0]

        actual = [order async for order in client.orders.list(campaign_id, state="archived")]

        assert [] == actual
        assert 1 == server.count("list_orders")

    @pytest.mark.signalwire_fake_server(
        seed=4, brands=1, campaigns_per_brand=1, absolute_links=True
    )
    async def test_absolute_links_are_followed(self, server: FakeServer, client: Client) -> None:
        """With absolute next links on the same origin, the walk is complete and in order."""
        campaign_id = server.data.campaign_ids()[0]

        actual = [order async for order in client.orders.list(campaign_id)]

        assert _typed_all(Order, server.data.orders_of(campaign_id)) == actual
        assert 3 == server.count("list_orders")


@pytest.mark.signalwire_fake_server(
    seed=12, brands=1, campaigns_per_brand=1, orders_per_campaign=30
)
class TestOrdersPageSize:
    @pytest.mark.parametrize("page_size", [1, 7, 1000])
    async def test_page_size_gives_the_same_orders_in_the_right_number_of_pages(
        self, server: FakeServer, client: Client, page_size: int
    ) -> None:
        """page_size 1, 7 and 1000 each yield all 30 orders in ceil(30 / size) requests."""
        campaign_id = server.data.campaign_ids()[0]

        actual = [o async for o in client.orders.list(campaign_id, page_size=page_size)]

        assert _typed_all(Order, server.data.orders_of(campaign_id)) == actual
        assert _pages_of(30, page_size) == server.count("list_orders")
        assert {str(page_size)} == {r.query.get("page_size") for r in server.requests}

    async def test_page_size_out_of_range_is_refused_before_any_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """page_size 1001 raises ValueError and sends nothing."""
        campaign_id = server.data.campaign_ids()[0]

        with pytest.raises(ValueError, match="page_size"):
            async for _ in client.orders.list(campaign_id, page_size=1001):
                pass

        assert 0 == server.count()


@pytest.mark.signalwire_fake_server(seed=13, brands=1, campaigns_per_brand=1)
class TestOrdersPages:
    async def test_pages_yield_typed_pages_with_their_links(
        self, server: FakeServer, client: Client
    ) -> None:
        """pages() yields 50 + 50 + 20 orders with links: next until the last, prev from the 2nd."""
        campaign_id = server.data.campaign_ids()[0]
        path = f"{PREFIX}/campaigns/{campaign_id}/orders"

        pages = [page async for page in client.orders.pages(campaign_id)]

        assert all(isinstance(page, Page) for page in pages)
        assert [50, 50, 20] == [len(page.data) for page in pages]
        assert [True, True, False] == [page.links.next is not None for page in pages]
        assert [False, True, True] == [page.links.prev is not None for page in pages]
        assert {f"{path}?page_number=0&page_size=50"} == {page.links.first for page in pages}
        assert [p.links.self_link for p in pages[1:]] == [p.links.next for p in pages[:-1]]
        assert _typed_all(Order, server.data.orders_of(campaign_id)) == [
            order for page in pages for order in page.data
        ]

    @pytest.mark.signalwire_fake_server(
        seed=13, brands=1, campaigns_per_brand=1, absolute_links=True
    )
    async def test_absolute_links_show_in_the_pages(
        self, server: FakeServer, client: Client
    ) -> None:
        """With absolute_links the pages' links are absolute URLs on the server's origin."""
        campaign_id = server.data.campaign_ids()[0]

        pages = [page async for page in client.orders.pages(campaign_id)]

        links = [link for p in pages for link in (p.links.self_link, p.links.first, p.links.next)]
        assert all(link.startswith(server.api_url) for link in links if link is not None)
        assert 120 == sum(len(page.data) for page in pages)


@pytest.mark.signalwire_fake_server(seed=14, brands=1, campaigns_per_brand=2)
class TestOrdersGet:
    async def test_get_returns_the_order_typed(self, server: FakeServer, client: Client) -> None:
        """orders.get returns the seeded order exactly as the listing has it."""
        wire = server.data.orders_of(server.data.campaign_ids()[1])[77]

        actual = await client.orders.get(wire["id"])

        assert _typed(Order, wire) == actual
        assert 1 == server.count("retrieve_order")

    async def test_get_of_an_unknown_order_is_not_found(
        self, server: FakeServer, client: Client
    ) -> None:
        """orders.get of a UUID the API does not have raises NotFoundError after one request."""
        with pytest.raises(NotFoundError) as caught:
            await client.orders.get("3fa85f64-5717-4562-b3fc-2c963f66afa6")

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

        assert _typed(Order, server.data.order(str(created.id))) == created
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
        assert _typed_all(Order, server.data.orders_of(campaign_id)) == listed

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
class TestNumbers:
    async def test_every_assignment_across_pages_equals_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """numbers.list yields all 120 assignments (3 pages) with their phone numbers, typed."""
        campaign_id = server.data.campaign_ids()[1]

        actual = [number async for number in client.numbers.list(campaign_id)]

        assert _typed_all(AssignedNumber, server.data.numbers_of(campaign_id)) == actual
        assert 3 == server.count("list_number_assignments")

    @pytest.mark.parametrize("state", ["pending", "completed", "failed"])
    async def test_filter_state_yields_exactly_that_states_assignments(
        self, server: FakeServer, client: Client, state: str
    ) -> None:
        """state= yields exactly the assignments in that state."""
        campaign_id = server.data.campaign_ids()[0]
        expected = _typed_all(AssignedNumber, server.data.numbers_of(campaign_id, state=state))

        actual = [n async for n in client.numbers.list(campaign_id, state=state)]

        assert expected
        assert expected == actual

    async def test_page_size_seven(self, server: FakeServer, client: Client) -> None:
        """page_size=7 yields the same 120 assignments in 18 requests."""
        campaign_id = server.data.campaign_ids()[0]

        actual = [n.id async for n in client.numbers.list(campaign_id, page_size=7)]

        assert [UUID(n["id"]) for n in server.data.numbers_of(campaign_id)] == actual
        assert 18 == server.count("list_number_assignments")

    async def test_pages_yield_pages_with_links(self, server: FakeServer, client: Client) -> None:
        """numbers.pages yields 50 + 50 + 20 assignments, next set on all but the last page."""
        campaign_id = server.data.campaign_ids()[0]

        pages = [page async for page in client.numbers.pages(campaign_id)]

        assert [50, 50, 20] == [len(page.data) for page in pages]
        assert [True, True, False] == [page.links.next is not None for page in pages]

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
class TestCampaigns:
    async def test_campaigns_of_a_brand_across_pages_equal_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """campaigns.list with page_size=2 yields the brand's 9 campaigns in 5 requests, typed."""
        brand_id = server.data.brands[1]["id"]

        actual = [c async for c in client.campaigns.list(brand_id, page_size=2)]

        assert _typed_all(Campaign, server.data.campaigns_of(brand_id)) == actual
        assert 5 == server.count("list_campaigns")

    @pytest.mark.parametrize("state", ["active", "pending", "inactive"])
    async def test_filter_state_yields_exactly_that_states_campaigns(
        self, server: FakeServer, client: Client, state: str
    ) -> None:
        """state= yields exactly the brand's campaigns in that state."""
        expected = [
            _typed(Campaign, c)
            for brand in server.data.brands
            for c in server.data.campaigns_of(brand["id"])
            if c["state"] == state
        ]

        actual = [
            c
            for brand in server.data.brands
            async for c in client.campaigns.list(brand["id"], state=state, page_size=1)
        ]

        assert expected
        assert expected == actual

    async def test_filter_name_matches_a_case_insensitive_substring(
        self, server: FakeServer, client: Client
    ) -> None:
        """name= yields the campaigns whose name contains it, in any case."""
        brand_id = server.data.brands[0]["id"]
        wanted = server.data.campaigns_of(brand_id)[3]["name"].split()[1]  # the topic word
        expected = [
            _typed(Campaign, c)
            for c in server.data.campaigns_of(brand_id)
            if wanted.lower() in c["name"].lower()
        ]

        actual = [c async for c in client.campaigns.list(brand_id, name=wanted.upper())]

        assert expected
        assert expected == actual
        assert {wanted.upper()} == {r.query.get("filter_name") for r in server.requests}

    async def test_pages_yield_pages_with_links(self, server: FakeServer, client: Client) -> None:
        """campaigns.pages with page_size=4 yields 4 + 4 + 1 campaigns, next on all but the last."""
        brand_id = server.data.brands[2]["id"]

        pages = [p async for p in client.campaigns.pages(brand_id, page_size=4)]

        assert [4, 4, 1] == [len(page.data) for page in pages]
        assert [True, True, False] == [page.links.next is not None for page in pages]

    async def test_get_returns_the_campaign_typed(self, server: FakeServer, client: Client) -> None:
        """campaigns.get returns the campaign as listed."""
        wire = server.data.campaigns_of(server.data.brands[2]["id"])[5]

        actual = await client.campaigns.get(wire["id"])

        assert _typed(Campaign, wire) == actual

    async def test_list_all_yields_every_campaign_of_every_brand(
        self, server: FakeServer, client: Client
    ) -> None:
        """list_all yields the 27 campaigns of the 3 brands, brand by brand, across pages."""
        expected = [
            _typed(Campaign, c)
            for brand in server.data.brands
            for c in server.data.campaigns_of(brand["id"])
        ]

        actual = [c async for c in client.campaigns.list_all(page_size=4)]

        assert expected == actual
        assert 27 == len({c.id for c in actual})
        assert 1 == server.count("list_brands")
        assert 9 == server.count("list_campaigns")


@pytest.mark.signalwire_fake_server(seed=19, brands=24, campaigns_per_brand=1)
class TestBrands:
    async def test_every_brand_across_pages_equals_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """brands.list with page_size=5 yields the 24 brands in 5 requests, typed."""
        actual = [brand async for brand in client.brands.list(page_size=5)]

        assert _typed_all(Brand, server.data.brands) == actual
        assert 5 == server.count("list_brands")

    async def test_default_page_holds_every_brand(self, server: FakeServer, client: Client) -> None:
        """With the API's default page size, 24 brands come in one request."""
        actual = [brand.id async for brand in client.brands.list()]

        assert [UUID(b["id"]) for b in server.data.brands] == actual
        assert 1 == server.count("list_brands")

    @pytest.mark.parametrize("state", ["completed", "pending", "unverified"])
    async def test_filter_state_yields_exactly_that_states_brands(
        self, server: FakeServer, client: Client, state: str
    ) -> None:
        """state= yields exactly the brands in that state."""
        expected = [_typed(Brand, b) for b in server.data.brands if b["state"] == state]

        actual = [b async for b in client.brands.list(state=state, page_size=2)]

        assert expected
        assert expected == actual

    async def test_filter_name_matches_a_case_insensitive_substring(
        self, server: FakeServer, client: Client
    ) -> None:
        """name="acme" yields the brands whose name contains Acme."""
        expected = [_typed(Brand, b) for b in server.data.brands if "acme" in b["name"].lower()]

        actual = [b async for b in client.brands.list(name="acme", page_size=1)]

        assert expected
        assert expected == actual

    async def test_name_and_state_filters_combine(self, server: FakeServer, client: Client) -> None:
        """name= and state= together yield the brands matching both."""
        expected = [
            UUID(b["id"])
            for b in server.data.brands
            if "acme" in b["name"].lower() and b["state"] == "completed"
        ]

        actual = [b.id async for b in client.brands.list(name="Acme", state="completed")]

        assert expected
        assert expected == actual

    async def test_pages_yield_pages_with_links(self, client: Client) -> None:
        """brands.pages with page_size=10 yields 10 + 10 + 4 brands, next on all but the last."""
        pages = [page async for page in client.brands.pages(page_size=10)]

        assert [10, 10, 4] == [len(page.data) for page in pages]
        assert [True, True, False] == [page.links.next is not None for page in pages]

    async def test_get_returns_the_brand_typed(self, server: FakeServer, client: Client) -> None:
        """brands.get returns the brand as listed."""
        wire = server.data.brands[17]

        actual = await client.brands.get(wire["id"])

        assert _typed(Brand, wire) == actual


@pytest.mark.signalwire_fake_server(
    seed=20, brands=4, campaigns_per_brand=31, orders_per_campaign=(0, 130)
)
class TestListMany:
    async def test_every_campaign_once_with_its_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """list_many over 124 campaigns yields one complete, correct result per campaign."""
        campaign_ids = server.data.campaign_ids()

        results = [r async for r in client.orders.list_many(campaign_ids, concurrency=8)]

        assert 124 == len(campaign_ids)
        assert Counter(UUID(c) for c in campaign_ids) == Counter(r.campaign_id for r in results)
        assert [] == [r for r in results if r.error is not None]
        expected = {UUID(c): _typed_all(Order, server.data.orders_of(c)) for c in campaign_ids}
        assert expected == {r.campaign_id: list(r.orders) for r in results}

    async def test_a_result_handed_over_is_not_kept(
        self, server: FakeServer, client: Client
    ) -> None:
        """Once the consumer drops a result, list_many holds none of its orders (no GC needed)."""
        campaign_ids = [c for c in server.data.campaign_ids() if server.data.count_orders(c)][:6]
        alive_after_drop: list[int] = []
        previous: list[weakref.ref[Order]] = []

        async for result in client.orders.list_many(campaign_ids, concurrency=2):
            alive_after_drop.append(sum(ref() is not None for ref in previous))
            previous = [weakref.ref(order) for order in result.orders]
            del result  # the consumer is done with it

        assert [0] * len(campaign_ids) == alive_after_drop

    async def test_each_page_is_fetched_exactly_once(
        self, server: FakeServer, client: Client
    ) -> None:
        """With concurrency=8 the server sees exactly one request per page of every campaign."""
        campaign_ids = server.data.campaign_ids()
        pages = sum(_pages_of(server.data.count_orders(c), 50) for c in campaign_ids)

        async for _ in client.orders.list_many(campaign_ids, concurrency=8):
            pass

        assert pages == server.count("list_orders")
        assert pages == server.count()
        fetched = Counter((r.path, r.query.get("page_number")) for r in server.requests)
        assert {1} == set(fetched.values())

    async def test_state_filter_applies_to_every_campaign(
        self, server: FakeServer, client: Client
    ) -> None:
        """state= in list_many yields each campaign's orders in that state only."""
        campaign_ids = server.data.campaign_ids()[:20]

        results = [
            r async for r in client.orders.list_many(campaign_ids, state="failed", concurrency=8)
        ]

        expected = {UUID(c): server.data.orders_of(c, state="failed") for c in campaign_ids}
        assert {c: [UUID(o["id"]) for o in wires] for c, wires in expected.items()} == {
            r.campaign_id: [o.id for o in r.orders] for r in results
        }

    async def test_a_bad_id_is_refused_before_any_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """One non-UUID among the ids raises ValueError and nothing is fetched."""
        campaign_ids = [*server.data.campaign_ids()[:3], "not-a-uuid"]

        with pytest.raises(ValueError, match="not-a-uuid"):
            async for _ in client.orders.list_many(campaign_ids):
                pass

        assert 0 == server.count()


@pytest.mark.signalwire_fake_server(
    seed=21, brands=1, campaigns_per_brand=1, orders_per_campaign=200
)
class TestResume:
    async def test_a_walk_resumes_from_the_page_that_failed(
        self, server: FakeServer, client: Client
    ) -> None:
        """A walk that exhausts its retries on page 3 resumes there; the union is ground truth."""
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("list_orders", ["ok", "ok", *["500"] * NO_WAIT.attempts])
        first: list[Order] = []

        with pytest.raises(ServerError) as caught:
            await _collect(client.orders.list(campaign_id), first)
        resume_from = caught.value.resume_from
        assert resume_from is not None
        rest = [order async for order in client.orders.list(campaign_id, resume_from=resume_from)]

        assert 100 == len(first)
        assert "page_number=2" in resume_from
        assert _typed_all(Order, server.data.orders_of(campaign_id)) == first + rest
        assert 200 == len({order.id for order in first + rest})

    async def test_only_the_failed_page_is_fetched_again(
        self, server: FakeServer, client: Client
    ) -> None:
        """Resuming fetches page 3 once more and pages 1, 2 and 4 once in all."""
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("list_orders", ["ok", "ok", *["500"] * NO_WAIT.attempts])

        with pytest.raises(ServerError) as caught:
            async for _ in client.orders.pages(campaign_id):
                pass
        async for _ in client.orders.pages(campaign_id, resume_from=caught.value.resume_from):
            pass

        fetched = Counter(r.query.get("page_number") for r in server.requests)
        assert {None: 1, "1": 1, "2": NO_WAIT.attempts + 1, "3": 1} == fetched

    async def test_pages_resume_too(self, server: FakeServer, client: Client) -> None:
        """pages(resume_from=...) yields the failed page and those after it."""
        campaign_id = server.data.campaign_ids()[0]
        server.faults.script("list_orders", ["ok", *["500"] * NO_WAIT.attempts])

        with pytest.raises(ServerError) as caught:
            async for _ in client.orders.pages(campaign_id):
                pass
        rest = [
            p async for p in client.orders.pages(campaign_id, resume_from=caught.value.resume_from)
        ]

        assert [50, 50, 50] == [len(page.data) for page in rest]
