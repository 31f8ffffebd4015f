"""The fake server's cache of rendered list pages: pages stay right when the data changes."""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from signalwire_orders.testing import FakeServer
from signalwire_orders.testing import _routes as routes_module
from signalwire_orders.testing._paging import PageCache, render_page
from support import PREFIX, get_bytes, walk_links

pytestmark = pytest.mark.signalwire_fake_server(
    brands=1, campaigns_per_brand=2, orders_per_campaign=30, numbers_per_campaign=5
)


async def walk(http: aiohttp.ClientSession, server: FakeServer, path: str) -> list[Any]:
    """Every item of the listing at ``PREFIX + path``, following next links."""
    items, _ = await walk_links(http, server, PREFIX + path)
    return items


class TestServedFromCache:
    async def test_a_repeated_page_is_rendered_once(
        self,
        server: FakeServer,
        http: aiohttp.ClientSession,
        campaign_id: str,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Asking for the same page three times renders it once and answers the same bytes."""
        renders: list[object] = []

        def counting(*args: Any) -> bytes:
            renders.append(args[0])
            return render_page(*args)

        monkeypatch.setattr(routes_module, "render_page", counting)
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?page_size=7"

        answers = [await get_bytes(http, url) for _ in range(3)]

        assert len(renders) == 1
        assert answers[0][0] == 200
        assert answers[0] == answers[1] == answers[2]

    async def test_cached_pages_walk_to_the_ground_truth(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """A second walk, from the cache, gives exactly the records, in order."""
        path = f"/campaigns/{campaign_id}/orders?page_size=4"

        first = await walk(http, server, path)
        second = await walk(http, server, path)

        assert first == second == server.data.orders_of(campaign_id)

    async def test_a_bad_token_is_refused_for_a_cached_page(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Paging parameters are checked before the cache: a forged token is still 422."""
        await walk(http, server, f"/campaigns/{campaign_id}/orders?page_size=4")
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?page_number=1&page_size=4"

        status, _ = await get_bytes(http, url + "&page_token=PAforged")

        assert status == 422

    async def test_link_style_is_part_of_the_key(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Switching to absolute links after a page was cached gives absolute links."""
        url = f"{server.api_url}/campaigns/{campaign_id}/orders?page_size=7"
        async with http.get(url) as response:
            relative = await response.json()

        server.state.absolute_links = True
        async with http.get(url) as response:
            absolute = await response.json()

        assert relative["links"]["next"].startswith(PREFIX)
        assert absolute["links"]["next"].startswith(server.api_url)


class TestChangesReachCachedPages:
    async def test_a_created_order_appears_on_a_listing_seen_before(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Listing, creating an order, then listing again shows the new order."""
        path = f"/campaigns/{campaign_id}/orders?page_size=100"
        before = await walk(http, server, path)

        async with http.post(
            f"{server.api_url}/campaigns/{campaign_id}/orders",
            json={"phone_numbers": ["+15558675309"]},
        ) as response:
            created = await response.json()
        after = await walk(http, server, path)

        assert len(before) == 30
        assert after == [*before, created]

    async def test_a_polled_order_shows_its_new_state_in_the_listing(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """An order advanced by a poll is listed in its new state, not the cached one."""
        order = server.data.create_order(campaign_id, ["+15558675309"])
        path = f"/campaigns/{campaign_id}/orders?page_size=100"
        pending = (await walk(http, server, path))[-1]

        await get_bytes(http, f"{server.api_url}/orders/{order['id']}")
        processing = (await walk(http, server, path))[-1]

        assert (pending["state"], processing["state"]) == ("pending", "processing")

    async def test_a_deleted_number_leaves_a_listing_seen_before(
        self, server: FakeServer, http: aiohttp.ClientSession, campaign_id: str
    ) -> None:
        """Listing numbers, deleting one, then listing again no longer shows it."""
        path = f"/campaigns/{campaign_id}/numbers"
        before = await walk(http, server, path)

        async with http.delete(f"{server.api_url}/numbers/{before[1]['id']}") as response:
            assert response.status == 204
        after = await walk(http, server, path)

        assert after == [before[0], *before[2:]]

    def test_revision_counts_changes_only(self, server: FakeServer, campaign_id: str) -> None:
        """Reads leave FakeData.revision alone; each change moves it by one."""
        data = server.data
        start = data.revision

        data.orders_of(campaign_id)
        order = data.create_order(campaign_id, ["+15558675309"])
        data.poll_order(order["id"], process_after_polls=None)  # polled, unchanged
        unchanged = data.revision
        data.poll_order(order["id"])  # pending -> processing
        data.delete_number(data.numbers_of(campaign_id)[0]["id"])

        assert (unchanged, data.revision) == (start + 1, start + 3)


class TestPageCache:
    def test_get_returns_what_put_kept(self) -> None:
        """A page put under a key is got back; an unknown key gives None."""
        cache = PageCache(max_bytes=100)

        cache.put("a", b"x" * 10)

        assert (cache.get("a"), cache.get("b")) == (b"x" * 10, None)

    def test_least_recently_used_goes_first(self) -> None:
        """Over budget, the page used longest ago is dropped; a get counts as a use."""
        cache = PageCache(max_bytes=30)
        for key in "abc":
            cache.put(key, key.encode() * 10)

        cache.get("a")
        cache.put("d", b"d" * 10)

        assert [cache.get(k) is not None for k in "abcd"] == [True, False, True, True]
        assert len(cache) == 3

    def test_replacing_a_key_counts_its_size_once(self) -> None:
        """Putting a key again replaces its page without leaking budget."""
        cache = PageCache(max_bytes=20)
        for _ in range(5):
            cache.put("a", b"a" * 10)
        cache.put("b", b"b" * 10)

        assert (cache.get("a"), cache.get("b")) == (b"a" * 10, b"b" * 10)

    def test_a_page_larger_than_the_budget_is_not_kept(self) -> None:
        """A body over the whole budget is returned but not cached, and evicts nothing."""
        cache = PageCache(max_bytes=10)
        cache.put("small", b"s")

        body = cache.put("big", b"b" * 11)

        assert body == b"b" * 11
        assert (cache.get("big"), cache.get("small")) == (None, b"s")

    def test_zero_budget_turns_caching_off(self) -> None:
        """max_bytes=0 keeps nothing (empty bodies aside, which cost nothing)."""
        cache = PageCache(max_bytes=0)

        cache.put("a", b"a")

        assert cache.get("a") is None

    def test_clear_forgets_everything(self) -> None:
        """clear() empties the cache and its byte count."""
        cache = PageCache(max_bytes=10)
        cache.put("a", b"a" * 10)

        cache.clear()
        cache.put("b", b"b" * 10)

        assert (len(cache), cache.get("b")) == (1, b"b" * 10)
        assert repr(cache) == "<PageCache 1 pages, 10 of 10 bytes>"
