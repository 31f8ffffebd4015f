"""The fake's list routes: page sizes, links and tokens, filters, link styles."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest

from signalwire_orders.testing import FakeServer
from support import PREFIX, auth_headers, get_json, walk_links

#: 2 brands x 3 campaigns x 120 orders (pages of 50, 50, 20), 7 number assignments each.
pytestmark = pytest.mark.signalwire_fake_server(
    brands=2, campaigns_per_brand=3, orders_per_campaign=120, numbers_per_campaign=7
)


def query_of(link: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(link).query)


class TestPaging:
    async def test_walk_yields_every_order_exactly_once(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Following next links over 120 orders in pages of 7 returns each order once, in order."""
        items, pages = await walk_links(
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

        items, _ = await walk_links(http, server, PREFIX + route.format(b=brand_id, c=campaign_id))

        assert expected == items

    async def test_first_page_links(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """The first page links to itself, the first page and the next page, with no prev."""
        _, body = await get_json(http, f"{server.api_url}/campaigns/{campaign_id}/orders")
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
        _, pages = await walk_links(
            http, server, f"{PREFIX}/campaigns/{campaign_id}/orders?page_size=50"
        )

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
        _, body = await get_json(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        assert len(body["data"]) == 50
        assert query_of(body["links"]["self"])["page_size"] == ["50"]

    async def test_page_size_1000_is_accepted(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """The largest page size returns every order of the campaign in one page."""
        _, body = await get_json(
            http, f"{server.api_url}/campaigns/{campaign_id}/orders?page_size=1000"
        )

        assert len(body["data"]) == 120
        assert "next" not in body["links"]

    @pytest.mark.parametrize("size", ["0", "1001", "-5", "ten", "", "2.5"])
    async def test_page_size_out_of_range_is_422(
        self, server: FakeServer, http: aiohttp.ClientSession, size: str
    ) -> None:
        """A page_size outside 1..1000 or not an integer gets a 422 validation error."""
        status, body = await get_json(http, f"{server.api_url}/brands?page_size={size}")

        assert status == 422
        assert body["errors"][0]["code"] == "invalid_page_size"
        assert set(body["errors"][0]) == {"detail", "status", "title", "code"}

    async def test_later_page_without_token_is_422(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Asking for page 1 without its page_token gets a 422."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?page_number=1"

        status, body = await get_json(http, url)

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
        _, body = await get_json(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        status, error = await get_json(http, server.base_url + mangle(body["links"]["next"]))

        assert (status, error["errors"][0]["code"]) == (422, "invalid_page_token")

    async def test_same_seed_gives_the_same_links(self) -> None:
        """Page tokens are deterministic: two servers with one seed issue the same next link."""
        links = []
        for _ in range(2):
            async with (
                FakeServer(brands=2, campaigns_per_brand=3) as fake,
                aiohttp.ClientSession(headers=auth_headers(fake)) as session,
            ):
                url = f"{fake.api_url}/campaigns/{fake.data.campaign_ids()[0]}/orders"
                _, body = await get_json(session, url)
                links.append(body["links"]["next"])

        assert links[0] == links[1]


class TestFilters:
    @pytest.mark.parametrize("state", ["pending", "processing", "processed", "failed"])
    async def test_orders_filter_state_is_exact(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str, state: str
    ) -> None:
        """filter_state returns the orders in that state only, and keeps the filter in links."""
        path = f"{PREFIX}/campaigns/{campaign_id}/orders?filter_state={state}&page_size=5"

        items, pages = await walk_links(http, server, path)

        assert server.data.orders_of(campaign_id, state) == items
        assert {item["state"] for item in items} == {state}
        assert all(query_of(p["self"])["filter_state"] == [state] for p in pages)

    async def test_unknown_state_gives_an_empty_page(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A state no order has returns an empty list, not an error."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?filter_state=nope"

        status, body = await get_json(http, url)

        assert (status, body["data"]) == (200, [])
        assert "next" not in body["links"]

    async def test_brand_filter_name_is_a_case_insensitive_substring(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """filter_name matches any part of the brand name, in any case."""
        name = server.data.brands[1]["name"]
        needle = name.split()[0][1:4].upper()

        _, body = await get_json(http, f"{server.api_url}/brands?filter_name={needle}")

        assert [b["name"] for b in body["data"]] == [name]
        assert query_of(body["links"]["self"])["filter_name"] == [needle]

    async def test_campaign_filters_combine(
        self, server: FakeServer, http: aiohttp.ClientSession
    ) -> None:
        """Campaigns filter by name substring and exact state together."""
        brand_id = server.data.brands[0]["id"]
        first = server.data.campaigns_of(brand_id)[0]
        query = f"filter_name={first['name'].lower()}&filter_state={first['state']}"

        _, body = await get_json(http, f"{server.api_url}/brands/{brand_id}/campaigns?{query}")

        assert [c["id"] for c in body["data"]] == [first["id"]]

    async def test_number_filter_state(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Number assignments filter by exact state."""
        expected = server.data.numbers_of(campaign_id, "completed")

        items, _ = await walk_links(
            http, server, f"{PREFIX}/campaigns/{campaign_id}/numbers?filter_state=completed"
        )

        assert expected == items
        assert items


class TestLinks:
    async def test_absolute_links_point_at_the_server(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """With absolute_links, links are full URLs on the server that still walk every item."""
        server.state.absolute_links = True

        items, pages = await walk_links(http, server, f"{PREFIX}/campaigns/{campaign_id}/orders")

        assert all(p["next"].startswith(server.api_url) for p in pages[:-1])
        assert pages[0]["self"].startswith(server.api_url)
        assert server.data.orders_of(campaign_id) == items

    async def test_link_origin_points_links_elsewhere(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """link_origin makes every link point at another origin."""
        server.state.link_origin = "http://127.0.0.1:9"

        _, body = await get_json(http, f"{server.api_url}/campaigns/{campaign_id}/orders")

        assert all(
            link.startswith(f"http://127.0.0.1:9{PREFIX}/") for link in body["links"].values()
        )
