"""
A hostile or broken server's ``next`` links: SPEC section 4, Safety.

Credentials go only to the configured origin, so a ``next`` link to another
scheme, host or port, a protocol-relative link and a redirect are refused, and
the other listener is checked to have received no request at all (and so no
``Authorization`` header). A link back to a page already fetched stops the walk
after a bounded number of requests. Tiny ``aiohttp.web`` apps on 127.0.0.1 play
the servers the fake never imitates; each records every request it receives,
and a client-side trace records every request the client starts.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import contextlib
import math
from collections.abc import AsyncIterator, Callable
from types import SimpleNamespace
from typing import Any, NamedTuple
from uuid import UUID, uuid4

import aiohttp
import pytest
from aiohttp import web

from signalwire_orders import (
    APIStatusError,
    Client,
    Order,
    OrderState,
    Page,
    PaginationError,
    RetryPolicy,
)
from signalwire_orders.testing import FakeServer

PREFIX = "/api/relay/rest/registry/beta"
CAMPAIGN = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
ORDERS = f"{PREFIX}/campaigns/{CAMPAIGN}/orders"
PROJECT = "hostile-paging-project"
TOKEN = "PT-hostile-paging-secret-9f3b"
AUTHORIZATION = aiohttp.encode_basic_auth(PROJECT, TOKEN)
NO_WAIT = RetryPolicy(attempts=3, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.01)


class _Seen(NamedTuple):
    method: str
    path_qs: str
    headers: dict[str, str]


class _Origin:
    """A tiny loopback API: a fixed answer per path and query, a record of every request."""

    def __init__(self) -> None:
        self.port = 0
        self.answers: dict[str, Callable[[], web.StreamResponse]] = {}
        self.fallback: Callable[[], web.StreamResponse] = lambda: web.json_response(
            {"error": "Not Found"}, status=404
        )
        self.requests: list[_Seen] = []

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(_Seen(request.method, request.path_qs, dict(request.headers)))
        return self.answers.get(request.path_qs, self.fallback)()

    def page(self, path_qs: str, ids: list[UUID], *, next_link: str | None = None) -> None:
        """Serve an orders page of ``ids`` (state pending) at ``path_qs``."""
        links: dict[str, str | None] = {"self": path_qs, "first": ORDERS, "prev": ORDERS}
        if next_link is not None:
            links["next"] = next_link
        body = {"links": links, "data": [{"id": str(i), "state": "pending"} for i in ids]}
        self.answers[path_qs] = lambda: web.json_response(body)

    def raw(self, path_qs: str, body: object) -> None:
        """Serve ``body`` as JSON at ``path_qs``."""
        self.answers[path_qs] = lambda: web.json_response(body)

    def redirect(self, path_qs: str, location: str, status: int) -> None:
        """Answer ``path_qs`` with a redirect to ``location``."""
        self.answers[path_qs] = lambda: web.Response(
            status=status, headers={"Location": location}, text="moved"
        )


@contextlib.asynccontextmanager
async def _serving() -> AsyncIterator[_Origin]:
    origin = _Origin()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", origin.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        origin.port = runner.addresses[0][1]
        yield origin
    finally:
        await runner.cleanup()


@pytest.fixture
async def origin() -> AsyncIterator[_Origin]:
    """The configured origin: a tiny API on a free loopback port."""
    async with _serving() as served:
        yield served


@pytest.fixture
async def elsewhere() -> AsyncIterator[_Origin]:
    """Another listener on another loopback port: it must never hear from the client."""
    async with _serving() as served:
        yield served


def _trace() -> tuple[aiohttp.TraceConfig, list[str]]:
    """A trace config recording the URL of every request the client's session starts."""
    started: list[str] = []

    async def on_start(_: aiohttp.ClientSession, __: SimpleNamespace, params: Any) -> None:
        started.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return trace, started


def _client(base_url: str, *, trace: aiohttp.TraceConfig | None = None) -> Client:
    return Client(
        project_id=PROJECT,
        api_token=TOKEN,
        base_url=base_url,
        env={},
        retry=NO_WAIT,
        timeout=5.0,
        trace_configs=() if trace is None else (trace,),
    )


async def _walk(client: Client, into: list[Page[Order]], campaign_id: str = CAMPAIGN) -> None:
    """Append each page to ``into`` as it comes, so the pages before an error are kept."""
    async for page in client.orders.pages(campaign_id):
        into.append(page)  # noqa: PERF401  # a comprehension would lose them on error


async def _walk_items(client: Client, into: list[UUID]) -> None:
    """Append each order id to ``into`` as it comes, so the items before an error are kept."""
    async for order in client.orders.list(CAMPAIGN):
        into.append(order.id)  # noqa: PERF401  # a comprehension would lose them on error


def _ids(count: int) -> list[UUID]:
    return [uuid4() for _ in range(count)]


#: Hostile ``next`` links that would reach ``elsewhere`` if followed ({here}/{other}: ports).
_TO_ELSEWHERE = {
    "another port": "http://127.0.0.1:{other}" + ORDERS + "?page_number=1",
    "another host and port": "http://localhost:{other}" + ORDERS + "?page_number=1",
    "protocol-relative to another port": "//127.0.0.1:{other}" + ORDERS + "?page_number=1",
    "userinfo that looks like our origin": "http://127.0.0.1:{here}@127.0.0.1:{other}/x",
    "our credentials-shaped userinfo": "http://u:p@127.0.0.1:{other}/x",
}

#: Hostile ``next`` links that differ from the origin only in scheme or host spelling.
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
    async def test_a_next_to_another_fake_server_is_refused_and_it_gets_no_request(self) -> None:
        """A next to a second FakeServer's port is PaginationError; that server sees nothing."""
        async with (
            FakeServer(seed=5, brands=1, campaigns_per_brand=1) as other,
            FakeServer(seed=5, brands=1, campaigns_per_brand=1) as server,
        ):
            server.state.link_origin = other.base_url
            campaign_id = server.data.campaign_ids()[0]
            pages: list[Page[Order]] = []
            async with _client_of(server) as client:
                with pytest.raises(PaginationError) as caught:
                    await _walk(client, pages, campaign_id)

            assert [] == other.requests
            assert 0 == other.count()
            assert 1 == len(pages)
            assert [200] == [r.status for r in server.requests]
            assert _authorization(server) == server.requests[0].headers["Authorization"]
            assert other.base_url in str(caught.value)
            assert caught.value.resume_from is not None
            assert caught.value.resume_from.startswith(other.base_url)

    @pytest.mark.parametrize("template", _TO_ELSEWHERE.values(), ids=_TO_ELSEWHERE.keys())
    async def test_a_next_that_would_reach_another_listener_never_reaches_it(
        self, origin: _Origin, elsewhere: _Origin, template: str
    ) -> None:
        """The first page is fetched, its next is refused, and the other listener hears nothing."""
        link = template.format(here=origin.port, other=elsewhere.port)
        first = _ids(2)
        origin.page(ORDERS, first, next_link=link)
        trace, started = _trace()
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
        self, origin: _Origin, template: str
    ) -> None:
        """A next differing in scheme or host spelling is refused: the client starts no request."""
        link = template.format(here=origin.port)
        origin.page(ORDERS, _ids(1), next_link=link)
        trace, started = _trace()
        pages: list[Page[Order]] = []

        async with _client(origin.base_url, trace=trace) as client:
            with pytest.raises(PaginationError):
                await _walk(client, pages)

        assert [origin.base_url + ORDERS] == started
        assert [ORDERS] == [r.path_qs for r in origin.requests]
        assert 1 == len(pages)

    async def test_a_next_to_127_0_0_1_is_refused_when_the_origin_is_localhost(
        self, origin: _Origin
    ) -> None:
        """With base_url http://localhost:PORT, a next to http://127.0.0.1:PORT is another host."""
        link = f"http://127.0.0.1:{origin.port}{ORDERS}?page_number=1"
        origin.page(ORDERS, _ids(1), next_link=link)
        origin.page(f"{ORDERS}?page_number=1", _ids(1))
        trace, started = _trace()

        async with _client(f"http://localhost:{origin.port}", trace=trace) as client:
            with pytest.raises(PaginationError):
                await _walk(client, [])

        assert [f"http://localhost:{origin.port}{ORDERS}"] == started
        assert [ORDERS] == [r.path_qs for r in origin.requests]


#: next links with control characters that aiohttp refuses to put in a request line.
_CONTROL = {
    "NUL": ORDERS + "?page_token=PA\x00x",
    "DEL": ORDERS + "?page_token=PA\x7fx",
    "unit separator": ORDERS + "?page_token=PA\x1fx",
    "DEL in an absolute link": "http://127.0.0.1:{here}" + ORDERS + "?page_token=PA\x7f",
}
#: next links that are not valid request targets as given: whitespace, CR LF, a C1 control.
_NOT_A_TARGET = {
    "a space": ORDERS + "?page_token=PA x",
    "CR LF and a header": ORDERS + "?page_token=PA\r\nX-Injected: 1",
    "a C1 control": ORDERS + "?page_token=PA\x85",
    "non-ASCII": ORDERS + "?page_token=PA\u00e9",
}


class TestUnsendableNext:
    @pytest.mark.parametrize("template", _CONTROL.values(), ids=_CONTROL.keys())
    async def test_a_next_with_control_characters_is_pagination_error(
        self, origin: _Origin, template: str
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
        self, origin: _Origin, link: str
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
        self, origin: _Origin
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


class TestRedirects:
    @pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
    async def test_a_redirect_to_another_origin_is_an_api_status_error_and_not_followed(
        self, origin: _Origin, elsewhere: _Origin, status: int
    ) -> None:
        """allow_redirects is off: the 3xx itself is the answer, and the target hears nothing."""
        origin.redirect(ORDERS, f"{elsewhere.base_url}{ORDERS}", status)
        elsewhere.page(ORDERS, _ids(3))
        trace, started = _trace()

        async with _client(origin.base_url, trace=trace) as client:
            with pytest.raises(APIStatusError) as caught:
                await _walk(client, [])

        assert [] == elsewhere.requests
        assert status == caught.value.status
        assert 1 == caught.value.attempts
        assert [origin.base_url + ORDERS] == started
        assert 1 == len(origin.requests)

    async def test_a_redirect_on_a_later_page_is_not_followed_either(
        self, origin: _Origin, elsewhere: _Origin
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


class TestLoops:
    async def test_a_page_whose_next_is_itself_stops_after_one_request(
        self, origin: _Origin
    ) -> None:
        """A page linking to itself is PaginationError after exactly one request."""
        origin.page(ORDERS, _ids(2), next_link=ORDERS)
        pages: list[Page[Order]] = []

        async with _client(origin.base_url) as client:
            with pytest.raises(PaginationError) as caught:
                await _walk(client, pages)

        assert 1 == len(origin.requests)
        assert 1 == len(pages)
        assert "loop" in str(caught.value)

    async def test_page_two_linking_back_to_page_one_stops_after_two_requests(
        self, origin: _Origin
    ) -> None:
        """Page 2 whose next is page 1 (spelt as an absolute URL) stops after two requests."""
        second = f"{ORDERS}?page_number=1&page_token=PA2"
        origin.page(ORDERS, _ids(2), next_link=second)
        origin.page(second, _ids(2), next_link=f"{origin.base_url}{ORDERS}")
        pages: list[Page[Order]] = []

        async with _client(origin.base_url) as client:
            with pytest.raises(PaginationError):
                await _walk(client, pages)

        assert [ORDERS, second] == [r.path_qs for r in origin.requests]
        assert 2 == len(pages)

    async def test_a_longer_cycle_stops_when_it_comes_round(self, origin: _Origin) -> None:
        """Pages 1 -> 2 -> 3 -> 2 stop after three requests, without fetching page 2 again."""
        paths = [ORDERS, f"{ORDERS}?p=2", f"{ORDERS}?p=3"]
        origin.page(paths[0], _ids(1), next_link=paths[1])
        origin.page(paths[1], _ids(1), next_link=paths[2])
        origin.page(paths[2], _ids(1), next_link=paths[1])

        async with _client(origin.base_url) as client:
            with pytest.raises(PaginationError):
                await _walk(client, [])

        assert paths == [r.path_qs for r in origin.requests]

    async def test_a_loop_is_caught_through_the_items_iterator_too(self, origin: _Origin) -> None:
        """orders.list() over a self-linking page yields its items once, then PaginationError."""
        ids = _ids(3)
        origin.page(ORDERS, ids, next_link=ORDERS)
        seen: list[UUID] = []

        async with _client(origin.base_url) as client:
            with pytest.raises(PaginationError):
                await _walk_items(client, seen)

        assert ids == seen
        assert 1 == len(origin.requests)


class TestEndOfWalk:
    async def test_empty_pages_that_still_have_next_are_followed(self, origin: _Origin) -> None:
        """Two empty pages with next, then a page of two: both orders come, in three requests."""
        paths = [ORDERS, f"{ORDERS}?p=2", f"{ORDERS}?p=3"]
        last = _ids(2)
        origin.page(paths[0], [], next_link=paths[1])
        origin.page(paths[1], [], next_link=paths[2])
        origin.page(paths[2], last)

        async with _client(origin.base_url) as client:
            actual = [order.id async for order in client.orders.list(CAMPAIGN)]

        assert last == actual
        assert paths == [r.path_qs for r in origin.requests]

    async def test_a_last_page_without_next_ends_the_walk(self, origin: _Origin) -> None:
        """A page without next (prev present) ends the walk after one request."""
        ids = _ids(4)
        origin.page(ORDERS, ids)

        async with _client(origin.base_url) as client:
            pages = [page async for page in client.orders.pages(CAMPAIGN)]

        assert [ids] == [[o.id for o in p.data] for p in pages]
        assert pages[0].links.next is None
        assert 1 == len(origin.requests)

    async def test_a_null_next_ends_the_walk(self, origin: _Origin) -> None:
        """A next of JSON null is the same as no next: one request, the page's items."""
        order = uuid4()
        body = {
            "links": {"self": ORDERS, "first": ORDERS, "next": None},
            "data": [{"id": str(order), "state": "processed"}],
        }
        origin.raw(ORDERS, body)

        async with _client(origin.base_url) as client:
            actual = [o async for o in client.orders.list(CAMPAIGN)]

        assert [Order(id=order, state=OrderState.PROCESSED)] == actual
        assert 1 == len(origin.requests)


class TestLinkForms:
    @pytest.mark.signalwire_fake_server(seed=17, brands=1, campaigns_per_brand=1)
    @pytest.mark.parametrize("absolute", [False, True], ids=["relative", "absolute"])
    async def test_relative_and_absolute_next_both_walk_every_page(
        self, signalwire_fake_server: FakeServer, absolute: bool
    ) -> None:
        """The fake's next links, as paths or as absolute URLs, give every order once."""
        server = signalwire_fake_server
        server.state.absolute_links = absolute
        campaign_id = server.data.campaign_ids()[0]
        expected = [UUID(wire["id"]) for wire in server.data.orders_of(campaign_id)]

        async with _client_of(server) as client:
            pages = [p async for p in client.orders.pages(campaign_id, page_size=7)]

        assert expected == [order.id for page in pages for order in page.data]
        assert math.ceil(len(expected) / 7) == len(pages) == server.count("list_orders")
        assert all(p.links.next is None or ("://" in p.links.next) == absolute for p in pages)
        assert {_authorization(server)} == {r.headers["Authorization"] for r in server.requests}

    async def test_a_relative_next_without_a_leading_slash_resolves_against_the_page(
        self, origin: _Origin
    ) -> None:
        """A next of "orders?p=2" on .../campaigns/{id}/orders resolves to .../orders?p=2 there."""
        ids = _ids(2)
        origin.page(ORDERS, ids[:1], next_link="orders?p=2")
        origin.page(f"{ORDERS}?p=2", ids[1:])

        async with _client(origin.base_url) as client:
            actual = [order.id async for order in client.orders.list(CAMPAIGN)]

        assert ids == actual
        assert [ORDERS, f"{ORDERS}?p=2"] == [r.path_qs for r in origin.requests]

    async def test_an_absolute_next_is_followed_exactly_as_given(self, origin: _Origin) -> None:
        """The query of an absolute next (its cursor) reaches the server byte for byte."""
        second = f"{ORDERS}?page_number=1&page_size=2&page_token=PA%2Fx%3D%3D"
        ids = _ids(3)
        origin.page(ORDERS, ids[:2], next_link=origin.base_url + second)
        origin.page(second, ids[2:])

        async with _client(origin.base_url) as client:
            actual = [order.id async for order in client.orders.list(CAMPAIGN)]

        assert ids == actual
        assert [ORDERS, second] == [r.path_qs for r in origin.requests]

    async def test_the_host_of_an_absolute_next_is_compared_without_case(
        self, origin: _Origin
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


def _authorization(server: FakeServer) -> str:
    """The Authorization header a client of ``server`` sends."""
    return aiohttp.encode_basic_auth(server.project_id, server.api_token)


def _client_of(server: FakeServer) -> Client:
    return Client(
        project_id=server.project_id,
        api_token=server.api_token,
        base_url=server.base_url,
        env={},
        retry=NO_WAIT,
        timeout=5.0,
    )
