"""Paging: next followed exactly as given, safely, to the end, and resumable after an error."""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import re
from typing import Any
from uuid import UUID

import pytest
from aioresponses import aioresponses

from signalwire_orders import (
    Client,
    Links,
    NotFoundError,
    Order,
    OrderState,
    Page,
    PaginationError,
    ServerError,
)
from support import (
    API,
    BRAND_ID,
    CAMPAIGN_ID,
    ORIGIN,
    PREFIX,
    collect_into,
    order,
    page,
    record_sent,
    sample_json,
    uid,
    urls,
)

ORDERS = f"{API}/campaigns/{CAMPAIGN_ID}/orders"
ORDERS_PATH = f"{PREFIX}/campaigns/{CAMPAIGN_ID}/orders"


def link(n: int) -> str:
    """The relative next link of page n (1-based) of the campaign's orders."""
    return f"{ORDERS_PATH}?page_number={n - 1}&page_size=2&page_token=PA{n}"


def absolute(n: int) -> str:
    """The absolute URL of page n."""
    return ORIGIN + link(n)


async def ids(client: Client, *, resume_from: str | None = None) -> list[str]:
    """Walk the campaign's orders and return their ids."""
    return [str(o.id) async for o in client.orders.list(CAMPAIGN_ID, resume_from=resume_from)]


class TestFollowingNext:
    async def test_relative_next_is_followed_on_the_configured_origin(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A relative next link is fetched from the client's origin."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([order(uid(2))]))
        sent = record_sent()

        walked = await ids(client)

        assert ([uid(1), uid(2)], [("GET", ORDERS), ("GET", absolute(2))]) == (walked, urls(sent))

    async def test_absolute_next_is_followed_exactly_as_given(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """An absolute same-origin next is requested byte for byte, its query untouched."""
        given = f"{ORIGIN}{ORDERS_PATH}?page_token=PAab%2Bcd%2Fef==&page_size=2&page_number=1"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=given))
        mock_api.get(given, payload=page([order(uid(2))]))
        sent = record_sent()

        walked = await ids(client)

        assert ([uid(1), uid(2)], given) == (walked, sent[1].url)

    async def test_relative_next_keeps_its_query_exactly_as_given(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A relative next keeps its encoded query (%2B stays %2B, = stays =) and its order."""
        given = f"{ORDERS_PATH}?page_token=PA%2B%2B==&page_number=1&filter_state=pending"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=given))
        mock_api.get(ORIGIN + given, payload=page([order(uid(2))]))
        sent = record_sent()

        await ids(client)

        assert ORIGIN + given == sent[1].url

    async def test_empty_page_with_next_is_still_followed(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Two empty pages with next, then a page of one: the order comes, in three requests."""
        mock_api.get(ORDERS, payload=page([], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([], next_link=link(3)))
        mock_api.get(absolute(3), payload=page([order(uid(3))]))
        sent = record_sent()

        walked = await ids(client)

        assert [uid(3)] == walked
        assert [("GET", ORDERS), ("GET", absolute(2)), ("GET", absolute(3))] == urls(sent)

    async def test_walk_ends_when_next_is_absent(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A page without next (prev present) is the last page requested."""
        last = page([order(uid(2))], self_link=link(2))
        last["links"]["prev"] = link(1)
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=last)
        mock_api.get(absolute(3), payload=page([order(uid(3))]))
        sent = record_sent()

        pages = [p async for p in client.orders.pages(CAMPAIGN_ID)]

        assert [[UUID(uid(1))], [UUID(uid(2))]] == [[o.id for o in p.data] for p in pages]
        assert (None, link(1)) == (pages[-1].links.next, pages[-1].links.prev)
        assert 2 == len(sent)

    async def test_walk_ends_when_next_is_null(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A next link that is JSON null ends the walk like an absent one, after one request."""
        body = page([{"id": uid(1), "state": "processed"}])
        body["links"]["next"] = None
        mock_api.get(ORDERS, payload=body)
        sent = record_sent()

        walked = [o async for o in client.orders.list(CAMPAIGN_ID)]

        assert [Order(id=UUID(uid(1)), state=OrderState.PROCESSED)] == walked
        assert 1 == len(sent)

    async def test_pages_yields_typed_pages_with_data_and_links(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """pages() yields Page objects carrying the typed items and the links."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2), self_link=link(1)))
        mock_api.get(absolute(2), payload=page([order(uid(2))], self_link=link(2)))

        pages = [p async for p in client.orders.pages(CAMPAIGN_ID)]

        assert [
            (Page, (UUID(uid(1)),), Links(link(1), link(1), next=link(2))),
            (Page, (UUID(uid(2)),), Links(link(2), link(2))),
        ] == [(type(p), tuple(o.id for o in p.data), p.links) for p in pages]

    async def test_pages_of_campaigns_follow_next_too(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """campaigns.list follows next like orders.list."""
        campaigns = f"{API}/brands/{BRAND_ID}/campaigns"
        next_link = f"{PREFIX}/brands/{BRAND_ID}/campaigns?page_number=1&page_token=PB"
        mock_api.get(campaigns, payload=page([{"id": uid(1)}], next_link=next_link))
        mock_api.get(ORIGIN + next_link, payload=page([{"id": uid(2)}]))

        walked = [str(c.id) async for c in client.campaigns.list(BRAND_ID)]

        assert [uid(1), uid(2)] == walked


class TestUnsafeNext:
    @pytest.mark.parametrize(
        "elsewhere",
        [
            "https://evil.example.net",
            "https://example.signalwire.com:8443",
            "http://example.signalwire.com",
            "https://example.signalwire.com.evil.example.net",
            "//evil.example.net",
        ],
        ids=["host", "port", "scheme", "suffix-host", "scheme-relative"],
    )
    async def test_next_to_another_origin_raises_pagination_error(
        self, client: Client, mock_api: aioresponses, elsewhere: str
    ) -> None:
        """A next link to another scheme, host or port raises PaginationError."""
        target = f"{elsewhere}{ORDERS_PATH}?page_token=PA2"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=target))

        with pytest.raises(PaginationError):
            await ids(client)

    @pytest.mark.parametrize(
        "elsewhere",
        [
            "https://evil.example.net",
            "https://example.signalwire.com:8443",
            "http://example.signalwire.com",
            "//evil.example.net",
        ],
        ids=["host", "port", "scheme", "scheme-relative"],
    )
    async def test_other_origin_is_never_requested(
        self, client: Client, mock_api: aioresponses, elsewhere: str
    ) -> None:
        """After a next link to another origin, only the first page was ever requested."""
        target = f"{elsewhere}{ORDERS_PATH}?page_token=PA2"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=target))
        absolute_target = target if target.startswith("http") else f"https:{target}"
        mock_api.get(absolute_target, payload=page([order(uid(2))]), repeat=True)
        sent = record_sent()

        with pytest.raises(PaginationError):
            await ids(client)

        assert [("GET", ORDERS)] == urls(sent)

    async def test_items_before_the_unsafe_link_are_yielded(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """The page holding the unsafe link is still yielded before the error."""
        target = f"https://evil.example.net{ORDERS_PATH}"
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=target))
        seen: list[Order] = []

        with pytest.raises(PaginationError):
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert [uid(1)] == [str(o.id) for o in seen]

    async def test_next_loop_to_the_same_page_raises_pagination_error(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A page whose next is itself raises PaginationError instead of looping."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=link(2)), repeat=True)
        sent = record_sent()

        with pytest.raises(PaginationError):
            await ids(client)

        assert 2 == len(sent)

    async def test_a_first_page_linking_to_itself_yields_its_items_once(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A first page whose next is itself: its items once, then PaginationError, one request."""
        items = [order(uid(n)) for n in (1, 2, 3)]
        mock_api.get(ORDERS, payload=page(items, next_link=ORDERS_PATH), repeat=True)
        sent = record_sent()
        seen: list[Order] = []

        with pytest.raises(PaginationError) as caught:
            await collect_into(client.orders.list(CAMPAIGN_ID), seen)

        assert [uid(1), uid(2), uid(3)] == [str(o.id) for o in seen]
        assert [("GET", ORDERS)] == urls(sent)
        assert "loop" in str(caught.value)

    @pytest.mark.parametrize("back", [ORDERS_PATH, ORDERS], ids=["relative", "absolute"])
    async def test_next_loop_back_to_the_first_page_raises_pagination_error(
        self, client: Client, mock_api: aioresponses, back: str
    ) -> None:
        """Page 2 linking back to page 1, as a path or a URL, raises after two requests."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)), repeat=True)
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=back))
        sent = record_sent()
        pages: list[Page[Order]] = []

        with pytest.raises(PaginationError, match="loops"):
            await collect_into(client.orders.pages(CAMPAIGN_ID), pages)

        assert [("GET", ORDERS), ("GET", absolute(2))] == urls(sent)
        assert 2 == len(pages)

    @pytest.mark.parametrize("spelling", ["relative", "absolute"])
    async def test_loop_through_either_spelling_raises_pagination_error(
        self, client: Client, mock_api: aioresponses, spelling: str
    ) -> None:
        """Pages 1 -> 2 -> 3 -> 2 stop after three requests, page 2 not fetched again."""
        back = link(2) if spelling == "relative" else absolute(2)
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([], next_link=link(3)))
        mock_api.get(absolute(3), payload=page([], next_link=back), repeat=True)
        sent = record_sent()

        with pytest.raises(PaginationError):
            await ids(client)

        assert [("GET", ORDERS), ("GET", absolute(2)), ("GET", absolute(3))] == urls(sent)


class TestResume:
    async def test_error_on_page_three_carries_page_three_as_resume_from(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 404 on page 3 raises with resume_from set to page 3's URL."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=link(3)))
        mock_api.get(absolute(3), status=404, payload=sample_json("not_found_404.json"))

        with pytest.raises(NotFoundError) as caught:
            await ids(client)

        assert absolute(3) == caught.value.resume_from

    async def test_server_error_after_the_budget_carries_resume_from(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """A 500 storm on page 3 raises ServerError with resume_from at page 3."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=link(3)))
        mock_api.get(absolute(3), status=500, payload={"error": "Internal Server Error"}, repeat=4)

        with pytest.raises(ServerError) as caught:
            await ids(client)

        assert (absolute(3), 4) == (caught.value.resume_from, caught.value.attempts)

    async def test_resume_from_fetches_page_three_onward_only(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """Resuming with resume_from requests page 3 and later, never page 1 again."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)), repeat=True)
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=link(3)), repeat=True)
        mock_api.get(absolute(3), status=500, payload={"error": "boom"}, repeat=4)
        mock_api.get(absolute(3), payload=page([order(uid(3))], next_link=link(4)))
        mock_api.get(absolute(4), payload=page([order(uid(4))]))
        with pytest.raises(ServerError) as caught:
            await ids(client)
        sent = record_sent()

        resumed = [
            str(o.id)
            async for o in client.orders.list(CAMPAIGN_ID, resume_from=caught.value.resume_from)
        ]

        assert ([uid(3), uid(4)], [("GET", absolute(3)), ("GET", absolute(4))]) == (
            resumed,
            urls(sent),
        )

    async def test_resume_after_a_404_yields_the_remaining_items(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """After a 404 on page 3, resuming yields page 3's items and nothing before."""
        mock_api.get(ORDERS, payload=page([order(uid(1))], next_link=link(2)))
        mock_api.get(absolute(2), payload=page([order(uid(2))], next_link=link(3)))
        mock_api.get(absolute(3), status=404, payload=sample_json("not_found_404.json"))
        mock_api.get(absolute(3), payload=page([order(uid(3))]))
        first: list[Order] = []
        with pytest.raises(NotFoundError) as caught:
            await collect_into(client.orders.list(CAMPAIGN_ID), first)

        resumed = await ids(client, resume_from=caught.value.resume_from or "")

        assert ([uid(1), uid(2)], [uid(3)]) == ([str(o.id) for o in first], resumed)

    async def test_pages_accepts_resume_from_too(
        self, client: Client, mock_api: aioresponses
    ) -> None:
        """pages(resume_from=...) starts at the given page."""
        mock_api.get(absolute(3), payload=page([order(uid(3))]))
        sent = record_sent()

        pages = [p async for p in client.orders.pages(CAMPAIGN_ID, resume_from=absolute(3))]

        assert (1, [("GET", absolute(3))]) == (len(pages), urls(sent))

    @pytest.mark.usefixtures("mock_api")
    @pytest.mark.parametrize(
        ("resume_from", "arguments", "message"),
        [
            (
                f"{PREFIX}/campaigns/{uid(9)}/orders?page_number=1&page_size=2&page_token=PA2",
                {},
                "resume the same listing",
            ),
            (f"{link(3)}&filter_state=failed", {"state": "pending"}, "filter_state='failed'"),
            (link(3), {"page_size": 50}, "page_size='2' in resume_from, '50' given"),
        ],
        ids=["other-campaign", "other-state", "other-page-size"],
    )
    async def test_resume_from_another_listing_raises_when_called(
        self, client: Client, resume_from: str, arguments: dict[str, Any], message: str
    ) -> None:
        """A link of another campaign, state or page size: ValueError at the call, nothing sent."""
        sent = record_sent()

        with pytest.raises(ValueError, match=re.escape(message)):
            client.orders.list(CAMPAIGN_ID, resume_from=resume_from, **arguments)

        assert [] == sent

    @pytest.mark.usefixtures("mock_api")
    async def test_resume_from_another_origin_raises_pagination_error(self, client: Client) -> None:
        """A resume_from link to another origin is refused like a next link."""
        sent = record_sent()

        evil = f"https://evil.example.net{ORDERS_PATH}"
        with pytest.raises(PaginationError) as caught:
            await ids(client, resume_from=evil)

        assert [] == sent
        assert evil == caught.value.resume_from  # refused again if passed back
