"""
Every list operation against the fake server, compared with its ground truth.

The client talks real HTTP to `FakeServer` on loopback; expected values are
built here from the fake's wire dicts (``server.data``) with the standard
library only (`support.typed`), so the client's decoder is checked, not
trusted. Walks follow relative and absolute next links; filters, page sizes,
``pages()``, ``list_many`` and ``resume_from`` each have a class. Bodies the
fake never sends (unknown states and fields, generated valid pages) come from
a loopback `Origin`.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import math
import weakref
from collections import Counter
from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import (
    AssignedNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Client,
    Links,
    Order,
    OrderState,
    Page,
    ServerError,
    export_orders,
)
from signalwire_orders._models import (
    AssignmentStateValue,
    BrandStateValue,
    CampaignStateValue,
    OrderStateValue,
)
from signalwire_orders.testing import FakeServer
from strategies import (
    CONTENT_TYPES,
    FUZZ,
    ORDERS,
    STYLES,
    TOP_EXTRA,
    VALID_ITEMS,
    Wire,
    page_body,
    serve,
    walk,
)
from strategies import links as page_links
from support import (
    NO_WAIT,
    PREFIX,
    UNKNOWN_ID,
    Origin,
    authorization,
    client_at,
    collect_into,
    drain,
    typed,
    typed_all,
)


def _links(path: str) -> dict[str, str]:
    """The links of a listing's only page."""
    return {"self": path, "first": path}


def _pages_of(items: int, size: int) -> int:
    """How many pages the API serves for a listing: at least one, even when empty."""
    return max(1, math.ceil(items / size))


@pytest.mark.signalwire_fake_server(seed=11, brands=2, campaigns_per_brand=2)
class TestOrdersList:
    async def test_every_order_across_pages_equals_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """list() yields every order of a 120-order campaign (3 pages), in order, fully typed."""
        campaign_id = server.data.campaign_ids()[1]

        actual = [order async for order in client.orders.list(campaign_id)]

        assert typed_all(Order, server.data.orders_of(campaign_id)) == actual
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
        self, server: FakeServer, client: Client, state: OrderStateValue
    ) -> None:
        """state= sends filter_state and yields exactly the orders in that state, across pages."""
        campaign_id = server.data.campaign_ids()[0]
        expected = typed_all(Order, server.data.orders_of(campaign_id, state=state))

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
        """A state the library does not know, asked for as a member, is sent: empty, one page."""
        campaign_id = server.data.campaign_ids()[0]
        archived = OrderState("archived")

        actual = [order async for order in client.orders.list(campaign_id, state=archived)]

        assert [] == actual
        assert 1 == server.count("list_orders")
        assert "archived" == server.requests[0].query["filter_state"]

    @pytest.mark.parametrize("typo", ["pendng", "PENDING", "", "archived"])
    async def test_a_state_string_that_is_not_documented_is_refused_before_any_request(
        self, server: FakeServer, client: Client, typo: str
    ) -> None:
        """A typo raises ValueError listing the allowed values; nothing is sent."""
        campaign_id = server.data.campaign_ids()[0]

        with pytest.raises(ValueError, match="'pending', 'processing', 'processed', 'failed'"):
            client.orders.list(campaign_id, state=typo)  # type: ignore[arg-type]  # the point

        assert 0 == server.count()


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

        assert typed_all(Order, server.data.orders_of(campaign_id)) == actual
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
        assert typed_all(Order, server.data.orders_of(campaign_id)) == [
            order for page in pages for order in page.data
        ]

    @pytest.mark.signalwire_fake_server(seed=17, brands=1, campaigns_per_brand=1)
    @pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
    async def test_relative_and_absolute_next_links_walk_every_page(
        self, server: FakeServer, client: Client, absolute: bool
    ) -> None:
        """The fake's next links, as paths or as absolute URLs on its origin, give every order."""
        server.state.absolute_links = absolute
        campaign_id = server.data.campaign_ids()[0]
        expected = typed_all(Order, server.data.orders_of(campaign_id))

        pages = [p async for p in client.orders.pages(campaign_id, page_size=7)]

        assert expected == [order for page in pages for order in page.data]
        assert math.ceil(len(expected) / 7) == len(pages) == server.count("list_orders")
        assert all(p.links.next is None or ("://" in p.links.next) == absolute for p in pages)
        shown = [link for p in pages for link in (p.links.self_link, p.links.first, p.links.next)]
        assert absolute == all(link.startswith(server.api_url) for link in shown if link)
        assert {authorization(server)} == {r.headers["Authorization"] for r in server.requests}


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

        assert typed_all(AssignedNumber, server.data.numbers_of(campaign_id)) == actual
        assert 3 == server.count("list_number_assignments")

    @pytest.mark.parametrize("state", ["pending", "completed", "failed"])
    async def test_filter_state_yields_exactly_that_states_assignments(
        self, server: FakeServer, client: Client, state: AssignmentStateValue
    ) -> None:
        """state= yields exactly the assignments in that state."""
        campaign_id = server.data.campaign_ids()[0]
        expected = typed_all(AssignedNumber, server.data.numbers_of(campaign_id, state=state))

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


@pytest.mark.signalwire_fake_server(seed=18, brands=3, campaigns_per_brand=9)
class TestCampaigns:
    async def test_campaigns_of_a_brand_across_pages_equal_ground_truth(
        self, server: FakeServer, client: Client
    ) -> None:
        """campaigns.list with page_size=2 yields the brand's 9 campaigns in 5 requests, typed."""
        brand_id = server.data.brands[1]["id"]

        actual = [c async for c in client.campaigns.list(brand_id, page_size=2)]

        assert typed_all(Campaign, server.data.campaigns_of(brand_id)) == actual
        assert 5 == server.count("list_campaigns")

    @pytest.mark.parametrize("state", ["active", "pending", "inactive"])
    async def test_filter_state_yields_exactly_that_states_campaigns(
        self, server: FakeServer, client: Client, state: CampaignStateValue
    ) -> None:
        """state= yields exactly the brand's campaigns in that state."""
        expected = [
            typed(Campaign, c)
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
            typed(Campaign, c)
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

    async def test_list_all_yields_every_campaign_of_every_brand(
        self, server: FakeServer, client: Client
    ) -> None:
        """list_all yields the 27 campaigns of the 3 brands, brand by brand, across pages."""
        expected = [
            typed(Campaign, c)
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

        assert typed_all(Brand, server.data.brands) == actual
        assert 5 == server.count("list_brands")

    async def test_default_page_holds_every_brand(self, server: FakeServer, client: Client) -> None:
        """With the API's default page size, 24 brands come in one request."""
        actual = [brand.id async for brand in client.brands.list()]

        assert [UUID(b["id"]) for b in server.data.brands] == actual
        assert 1 == server.count("list_brands")

    @pytest.mark.parametrize("state", ["completed", "pending", "unverified"])
    async def test_filter_state_yields_exactly_that_states_brands(
        self, server: FakeServer, client: Client, state: BrandStateValue
    ) -> None:
        """state= yields exactly the brands in that state."""
        expected = [typed(Brand, b) for b in server.data.brands if b["state"] == state]

        actual = [b async for b in client.brands.list(state=state, page_size=2)]

        assert expected
        assert expected == actual

    async def test_filter_name_matches_a_case_insensitive_substring(
        self, server: FakeServer, client: Client
    ) -> None:
        """name="acme" yields the brands whose name contains Acme."""
        expected = [typed(Brand, b) for b in server.data.brands if "acme" in b["name"].lower()]

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
        expected = {UUID(c): typed_all(Order, server.data.orders_of(c)) for c in campaign_ids}
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
            await collect_into(client.orders.list(campaign_id), first)
        resume_from = caught.value.resume_from
        assert resume_from is not None
        rest = [order async for order in client.orders.list(campaign_id, resume_from=resume_from)]

        assert 100 == len(first)
        assert "page_number=2" in resume_from
        assert typed_all(Order, server.data.orders_of(campaign_id)) == first + rest
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


_TYPO_CALLS: dict[str, Callable[[Client, FakeServer], Awaitable[object]]] = {
    "orders.pages": lambda c, s: drain(c.orders.pages(s.data.campaign_ids()[0], state="x")),  # type: ignore[arg-type]
    "orders.list_many": lambda c, s: drain(c.orders.list_many(s.data.campaign_ids(), state="x")),  # type: ignore[arg-type]
    "numbers.list": lambda c, s: drain(c.numbers.list(s.data.campaign_ids()[0], state="x")),  # type: ignore[arg-type]
    "campaigns.list": lambda c, s: drain(c.campaigns.list(s.data.brands[0]["id"], state="x")),  # type: ignore[arg-type]
    "campaigns.list_all": lambda c, _: drain(c.campaigns.list_all(state="x")),  # type: ignore[arg-type]
    "brands.list": lambda c, _: drain(c.brands.list(state="x")),  # type: ignore[arg-type]
}


class TestStateFilters:
    @pytest.mark.parametrize("call", _TYPO_CALLS.values(), ids=_TYPO_CALLS.keys())
    async def test_every_state_filter_refuses_a_typo_before_any_request(
        self,
        server: FakeServer,
        client: Client,
        call: Callable[[Client, FakeServer], Awaitable[object]],
    ) -> None:
        """Orders, numbers, campaigns (one brand's or all) and brands: ValueError, no request."""
        with pytest.raises(ValueError, match="state must be one of"):
            await call(client, server)

        assert 0 == server.count()

    async def test_export_refuses_a_typo_before_touching_any_file(
        self, server: FakeServer, client: Client, tmp_path: Path
    ) -> None:
        """export_orders checks state= first: no request, no output, no checkpoint."""
        out = tmp_path / "orders.jsonl"

        with pytest.raises(ValueError, match="state must be one of"):
            await export_orders(client, server.data.campaign_ids(), out, state="x")  # type: ignore[arg-type]

        assert ([], 0) == (list(tmp_path.iterdir()), server.count())  # noqa: ASYNC240


class TestWhatTheFakeNeverSends:
    @FUZZ
    @given(
        items=VALID_ITEMS,
        links=page_links(st.none()),
        extra=TOP_EXTRA,
        style=STYLES,
        content_type=CONTENT_TYPES,
    )
    async def test_a_valid_page_decodes_to_exactly_the_generated_orders(
        self,
        origin: Origin,
        origin_client: Client,
        *,
        items: list[tuple[Wire, Order, Wire]],
        links: Wire,
        extra: Wire,
        style: int,
        content_type: str,
    ) -> None:
        """Every generated order comes back equal, unknown fields kept, in one request."""
        serve(origin, page_body(links, [w for w, _, _ in items], extra, style), content_type)

        pages = await walk(origin_client)

        assert 1 == len(pages)
        assert tuple(order for _, order, _ in items) == pages[0].data
        assert [e for _, _, e in items] == [dict(o.extra) for o in pages[0].data]
        expected_links = Links(
            self_link=links["self"], first=links["first"], prev=links.get("prev")
        )
        assert expected_links == pages[0].links
        assert [ORDERS] == origin.hits

    async def test_unknown_order_state_and_fields_are_kept(self, origin: Origin) -> None:
        """An order with state "archived" and a new field is listed, the state and field kept."""
        path = f"{PREFIX}/campaigns/{UNKNOWN_ID}/orders"
        wire = {"id": UNKNOWN_ID, "state": "archived", "priority": "high", "tags": ["a"]}
        origin.json(path, {"links": _links(path), "data": [wire]})

        async with client_at(origin.base_url) as client:
            [order] = [o async for o in client.orders.list(UNKNOWN_ID)]

        assert UUID(UNKNOWN_ID) == order.id
        assert "archived" == order.state
        assert isinstance(order.state, OrderState)
        assert order.state is not None
        assert not order.state.is_known
        assert {"priority": "high", "tags": ["a"]} == dict(order.extra)

    async def test_an_order_with_only_an_id_is_accepted(self, origin: Origin) -> None:
        """Every Order field but id may be absent: they decode as None."""
        origin.json(f"{PREFIX}/orders/{UNKNOWN_ID}", {"id": UNKNOWN_ID})

        async with client_at(origin.base_url) as client:
            order = await client.orders.get(UNKNOWN_ID)

        assert Order(id=UUID(UNKNOWN_ID)) == order

    async def test_unknown_states_of_other_records_are_kept(self, origin: Origin) -> None:
        """Brands, campaigns and number assignments keep states the library does not know."""
        brand_id, campaign_id, number_id = (
            "22222222-2222-4222-8222-222222222222",
            "33333333-3333-4333-8333-333333333333",
            "44444444-4444-4444-8444-444444444444",
        )
        numbers = f"{PREFIX}/campaigns/{campaign_id}/numbers"
        origin.json(f"{PREFIX}/brands/{brand_id}", {"id": brand_id, "state": "suspended"})
        origin.json(f"{PREFIX}/campaigns/{campaign_id}", {"id": campaign_id, "state": "expired"})
        origin.json(
            numbers,
            {
                "links": _links(numbers),
                "data": [{"id": number_id, "state": "porting", "carrier": "X"}],
            },
        )

        async with client_at(origin.base_url) as client:
            brand = await client.brands.get(brand_id)
            campaign = await client.campaigns.get(campaign_id)
            [number] = [n async for n in client.numbers.list(campaign_id)]

        assert (BrandState("suspended"), "suspended") == (brand.state, brand.state)
        assert (CampaignState("expired"), "expired") == (campaign.state, campaign.state)
        assert (AssignmentState("porting"), {"carrier": "X"}) == (number.state, dict(number.extra))
