"""
A hostile or broken server's ``next`` links: SPEC section 4, Safety.

Credentials go only to the configured origin, so a ``next`` link to another
scheme, host or port, a protocol-relative link and a redirect are refused, and
the other listener is checked to have received no request at all (and so no
``Authorization`` header). Links that cannot be sent as given are refused or
sent encoded, never raw. Loopback `Origin` servers play the servers the fake
never imitates; each records every request it receives, and a client-side
trace records every request the client starts. Generated next links
(Hypothesis) are followed on the origin or refused, nothing else. Loops and
the end of a walk are pinned request by request in ``tests/http``.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import UUID, uuid4

import aiohttp
import pytest
from aiohttp import web
from hypothesis import example, given
from hypothesis import strategies as st

from signalwire_orders import APIStatusError, Client, Order, Page, PaginationError
from signalwire_orders.testing import FakeServer
from strategies import (
    CAMPAIGN,
    FUZZ,
    ORDERS,
    SAFE_QUERY,
    STYLES,
    VALID_ITEMS,
    Wire,
    hostile_next,
    page_body,
    serve,
    walk,
)
from support import (
    ORDER_ID,
    PREFIX,
    PROJECT_ID,
    TOKEN,
    Origin,
    authorization,
    client_at,
    collect_into,
    loopback_origin,
    request_trace,
)

AUTHORIZATION = aiohttp.encode_basic_auth(PROJECT_ID, TOKEN)


@pytest.fixture
async def elsewhere() -> AsyncIterator[Origin]:
    """Another listener on another loopback port: it must never hear from the client."""
    async with loopback_origin() as served:
        yield served


def _client(base_url: str, *, trace: aiohttp.TraceConfig | None = None) -> Client:
    return client_at(base_url, trace_configs=() if trace is None else (trace,))


async def _walk(client: Client, into: list[Page[Order]], campaign_id: str = CAMPAIGN) -> None:
    """Append each page to ``into`` as it comes, so the pages before an error are kept."""
    await collect_into(client.orders.pages(campaign_id), into)


def _ids(count: int) -> list[UUID]:
    return [uuid4() for _ in range(count)]


_TO_ELSEWHERE = {
    "another port": "http://127.0.0.1:{other}" + ORDERS + "?page_number=1",
    "another host and port": "http://localhost:{other}" + ORDERS + "?page_number=1",
    "protocol-relative to another port": "//127.0.0.1:{other}" + ORDERS + "?page_number=1",
    "userinfo that looks like our origin": "http://127.0.0.1:{here}@127.0.0.1:{other}/x",
    "our credentials-shaped userinfo": "http://u:p@127.0.0.1:{other}/x",
}


_SAME_LISTENER = {
    "https on the same host and port": "https://127.0.0.1:{here}" + ORDERS + "?page_number=1",
    "localhost for 127.0.0.1 on the same port": "http://localhost:{here}"
    + ORDERS
    + "?page_number=1",
    "protocol-relative to another host": "//evil.example/x",
    "protocol-relative to another host, same port": "//evil.example:{here}/x",
    "userinfo on our own origin": "http://u:p@127.0.0.1:{here}" + ORDERS + "?page_number=1",
    "another scheme altogether": "ftp://127.0.0.1:{here}/x",
}


class TestNextToAnotherOrigin:
    @pytest.mark.signalwire_fake_server(seed=31, brands=1, campaigns_per_brand=2)
    async def test_a_next_to_another_fake_server_is_refused_and_it_gets_no_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """A next to a second FakeServer is PaginationError after page one; it hears nothing."""
        campaign_id = server.data.campaign_ids()[0]
        pages: list[Page[Order]] = []
        async with FakeServer(seed=31, brands=1, campaigns_per_brand=2) as other:
            elsewhere = other.base_url
            server.state.link_origin = elsewhere

            with pytest.raises(PaginationError) as caught:
                await _walk(client, pages, campaign_id)

        assert [] == other.requests
        assert 0 == other.count()
        assert [50] == [len(page.data) for page in pages]
        assert [200] == [r.status for r in server.requests]
        assert 1 == server.count()
        assert authorization(server) == server.requests[0].headers["Authorization"]
        assert elsewhere in str(caught.value)
        assert server.api_token not in str(caught.value) + repr(caught.value)
        assert caught.value.resume_from is not None
        assert caught.value.resume_from.startswith(f"{elsewhere}{PREFIX}/campaigns/{campaign_id}/")

    @pytest.mark.parametrize("template", _TO_ELSEWHERE.values(), ids=_TO_ELSEWHERE.keys())
    async def test_a_next_that_would_reach_another_listener_never_reaches_it(
        self, origin: Origin, elsewhere: Origin, template: str
    ) -> None:
        """The first page is fetched, its next is refused, and the other listener hears nothing."""
        link = template.format(here=origin.port, other=elsewhere.port)
        first = _ids(2)
        origin.page(ORDERS, first, next_link=link)
        trace, started = request_trace()
        pages: list[Page[Order]] = []

        async with _client(origin.base_url, trace=trace) as client:
            with pytest.raises(PaginationError) as caught:
                await _walk(client, pages)

        assert [] == elsewhere.requests
        assert [origin.base_url + ORDERS] == started
        assert [ORDERS] == [r.path_qs for r in origin.requests]
        assert AUTHORIZATION == origin.requests[0].headers["Authorization"]
        assert [first] == [[o.id for o in p.data] for p in pages]
        assert link == caught.value.resume_from

    @pytest.mark.parametrize("template", _SAME_LISTENER.values(), ids=_SAME_LISTENER.keys())
    async def test_a_next_to_another_scheme_or_host_is_refused_before_any_request(
        self, origin: Origin, template: str
    ) -> None:
        """A next differing in scheme or host spelling is refused: the client starts no request."""
        link = template.format(here=origin.port)
        origin.page(ORDERS, _ids(1), next_link=link)
        trace, started = request_trace()
        pages: list[Page[Order]] = []

        async with _client(origin.base_url, trace=trace) as client:
            with pytest.raises(PaginationError):
                await _walk(client, pages)

        assert [origin.base_url + ORDERS] == started
        assert [ORDERS] == [r.path_qs for r in origin.requests]
        assert 1 == len(pages)

    async def test_a_next_to_127_0_0_1_is_refused_when_the_origin_is_localhost(
        self, origin: Origin
    ) -> None:
        """With base_url http://localhost:PORT, a next to http://127.0.0.1:PORT is another host."""
        link = f"http://127.0.0.1:{origin.port}{ORDERS}?page_number=1"
        origin.page(ORDERS, _ids(1), next_link=link)
        origin.page(f"{ORDERS}?page_number=1", _ids(1))
        trace, started = request_trace()

        async with _client(f"http://localhost:{origin.port}", trace=trace) as client:
            with pytest.raises(PaginationError):
                await _walk(client, [])

        assert [f"http://localhost:{origin.port}{ORDERS}"] == started
        assert [ORDERS] == [r.path_qs for r in origin.requests]

    @FUZZ
    @given(data=st.data(), items=VALID_ITEMS)
    async def test_a_hostile_next_is_pagination_error_after_one_request(
        self,
        origin: Origin,
        origin_client: Client,
        data: st.DataObject,
        items: list[tuple[Wire, Order, Wire]],
    ) -> None:
        """The generated page is yielded, then its hostile next is refused without a request."""
        link = data.draw(hostile_next(origin.port), label="next")
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        serve(origin, page_body(links, [w for w, _, _ in items], {}, 0))
        pages: list[Page[Order]] = []

        with pytest.raises(PaginationError):
            await collect_into(origin_client.orders.pages(CAMPAIGN), pages)

        assert [tuple(o for _, o, _ in items)] == [p.data for p in pages]
        assert [ORDERS] == origin.hits


_CONTROL = {
    "NUL": ORDERS + "?page_token=PA\x00x",
    "DEL": ORDERS + "?page_token=PA\x7fx",
    "unit separator": ORDERS + "?page_token=PA\x1fx",
    "DEL in an absolute link": "http://127.0.0.1:{here}" + ORDERS + "?page_token=PA\x7f",
}


_NOT_A_TARGET = {
    "a space": ORDERS + "?page_token=PA x",
    "CR LF and a header": ORDERS + "?page_token=PA\r\nX-Injected: 1",
    "a C1 control": ORDERS + "?page_token=PA\x85",
    "non-ASCII": ORDERS + "?page_token=PA\u00e9",
}


class TestUnsendableNext:
    @pytest.mark.parametrize("template", _CONTROL.values(), ids=_CONTROL.keys())
    async def test_a_next_with_control_characters_is_pagination_error(
        self, origin: Origin, template: str
    ) -> None:
        """
        A next with NUL, DEL or another C0 control is refused before any request.

        Today the client passes it to aiohttp, which raises a bare ValueError
        ("Forbidden control character ... header injection") that no
        ``except SignalWireError`` catches.
        """
        link = template.format(here=origin.port)
        origin.page(ORDERS, _ids(1), next_link=link)
        pages: list[Page[Order]] = []

        async with _client(origin.base_url) as client:
            with pytest.raises(PaginationError):
                await _walk(client, pages)

        assert 1 == len(pages)
        assert [ORDERS] == [r.path_qs for r in origin.requests]

    @pytest.mark.parametrize("link", _NOT_A_TARGET.values(), ids=_NOT_A_TARGET.keys())
    async def test_a_next_that_is_not_a_valid_target_is_refused_or_sent_encoded(
        self, origin: Origin, link: str
    ) -> None:
        """
        A next with whitespace or non-ASCII is PaginationError, or is sent percent-encoded.

        Either way the server never receives a malformed request line. Today
        it is sent raw, the server answers 400 and the walk ends in
        BadRequestError, blaming the request.
        """
        origin.page(ORDERS, _ids(1), next_link=link)
        origin.fallback = lambda: web.json_response(
            {"links": {"self": "/", "first": "/"}, "data": []}
        )
        pages: list[Page[Order]] = []

        async with _client(origin.base_url) as client:
            try:
                await _walk(client, pages)
            except PaginationError:
                refused = True
            else:
                refused = False

        assert (1 if refused else 2) == len(origin.requests) == len(pages)
        assert all(r.path_qs.isascii() and r.path_qs.isprintable() for r in origin.requests)
        assert all(" " not in r.path_qs for r in origin.requests)

    async def test_one_campaigns_unsendable_next_fails_that_campaign_only(
        self, origin: Origin
    ) -> None:
        """
        In list_many, a DEL in one campaign's next is that campaign's error; the other completes.

        Today the bare ValueError escapes the per-campaign fetch, list_many
        raises it and every other campaign's result is lost.
        """
        bad, good = CAMPAIGN, "3fa85f64-5717-4562-b3fc-2c963f66afa7"
        good_ids = _ids(2)
        origin.page(ORDERS, _ids(1), next_link=ORDERS + "?page_token=PA\x7f")
        origin.page(f"{PREFIX}/campaigns/{good}/orders", good_ids)

        async with _client(origin.base_url) as client:
            results = {r.campaign_id: r async for r in client.orders.list_many([bad, good])}

        assert isinstance(results[UUID(bad)].error, PaginationError)
        assert () == results[UUID(bad)].orders
        assert results[UUID(good)].ok
        assert good_ids == [o.id for o in results[UUID(good)].orders]

    @FUZZ
    @given(link=st.text(max_size=80), items=VALID_ITEMS)
    @example(link="/orders?page_token=\x7f", items=[])  # a raw ValueError escapes
    @example(link="/orders?page_token=a b", items=[])  # sent raw: the server answers 400
    async def test_any_next_string_is_followed_on_the_origin_or_refused(
        self,
        origin: Origin,
        origin_client: Client,
        link: str,
        items: list[tuple[Wire, Order, Wire]],
    ) -> None:
        """Arbitrary next text either leads to one more page here or is PaginationError."""
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        serve(origin, page_body(links, [w for w, _, _ in items], {}, 0))
        pages: list[Page[Order]] = []

        try:
            await collect_into(origin_client.orders.pages(CAMPAIGN), pages)
        except PaginationError:
            assert [ORDERS] == origin.hits
        else:
            assert 2 == len(origin.hits) == len(pages)
        assert tuple(o for _, o, _ in items) == pages[0].data


class TestRedirects:
    @pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
    async def test_a_redirect_to_another_origin_is_an_api_status_error_and_not_followed(
        self, origin: Origin, elsewhere: Origin, status: int
    ) -> None:
        """allow_redirects is off: the 3xx itself is the answer, and the target hears nothing."""
        origin.redirect(ORDERS, f"{elsewhere.base_url}{ORDERS}?token=abc", status)
        elsewhere.page(ORDERS, _ids(3))
        trace, started = request_trace()

        async with _client(origin.base_url, trace=trace) as client:
            with pytest.raises(APIStatusError) as caught:
                await _walk(client, [])

        assert [] == elsewhere.requests
        assert status == caught.value.status
        assert 1 == caught.value.attempts
        assert [origin.base_url + ORDERS] == started
        assert 1 == len(origin.requests)
        message = str(caught.value)  # said as what it is, where it pointed, query hidden
        assert f"unexpected redirect to {elsewhere.base_url}{ORDERS}" in message
        assert "token=abc" not in message
        assert "HTTP error" not in message

    async def test_a_redirect_on_a_later_page_is_not_followed_either(
        self, origin: Origin, elsewhere: Origin
    ) -> None:
        """A 302 answering page two stops the walk there, with resume_from set to page two."""
        second = f"{ORDERS}?page_number=1"
        origin.page(ORDERS, _ids(2), next_link=second)
        origin.redirect(second, f"{elsewhere.base_url}{second}", 302)
        pages: list[Page[Order]] = []

        async with _client(origin.base_url) as client:
            with pytest.raises(APIStatusError) as caught:
                await _walk(client, pages)

        assert [] == elsewhere.requests
        assert 1 == len(pages)
        assert origin.base_url + second == caught.value.resume_from


class TestLinkForms:
    async def test_a_relative_next_without_a_leading_slash_resolves_against_the_page(
        self, origin: Origin
    ) -> None:
        """A next of "orders?p=2" on .../campaigns/{id}/orders resolves to .../orders?p=2 there."""
        ids = _ids(2)
        origin.page(ORDERS, ids[:1], next_link="orders?p=2")
        origin.page(f"{ORDERS}?p=2", ids[1:])

        async with _client(origin.base_url) as client:
            actual = [order.id async for order in client.orders.list(CAMPAIGN)]

        assert ids == actual
        assert [ORDERS, f"{ORDERS}?p=2"] == [r.path_qs for r in origin.requests]

    async def test_the_host_of_an_absolute_next_is_compared_without_case(
        self, origin: Origin
    ) -> None:
        """HTTP://LOCALHOST:PORT is the same origin as http://localhost:PORT, so it is followed."""
        ids = _ids(2)
        second = f"{ORDERS}?p=2"
        origin.page(ORDERS, ids[:1], next_link=f"HTTP://LOCALHOST:{origin.port}{second}")
        origin.page(second, ids[1:])

        async with _client(f"http://localhost:{origin.port}") as client:
            actual = [order.id async for order in client.orders.list(CAMPAIGN)]

        assert ids == actual
        assert [AUTHORIZATION] * 2 == [r.headers["Authorization"] for r in origin.requests]

    @FUZZ
    @given(
        items=VALID_ITEMS,
        query=SAFE_QUERY,
        absolute=st.booleans(),
        style=STYLES,
    )
    @example(  # an absolute next whose percent-encoded cursor must reach the server untouched
        items=[({"id": ORDER_ID}, Order(id=UUID(ORDER_ID)), {})],
        query="PA%2Fx%3D%3D&page_number=1&page_size=2",
        absolute=True,
        style=0,
    )
    async def test_a_valid_page_with_a_same_origin_next_is_followed_as_given(
        self,
        origin: Origin,
        origin_client: Client,
        *,
        items: list[tuple[Wire, Order, Wire]],
        query: str,
        absolute: bool,
        style: int,
    ) -> None:
        """A next on the origin is fetched byte for byte, and the walk ends at the last page."""
        target = f"{ORDERS}?page_token={query}"
        link = origin.base_url + target if absolute else target
        links = {"self": ORDERS, "first": ORDERS, "next": link}
        serve(origin, page_body(links, [w for w, _, _ in items], {}, style))

        pages = await walk(origin_client)

        assert [tuple(o for _, o, _ in items), ()] == [p.data for p in pages]
        assert [ORDERS, target] == origin.hits
