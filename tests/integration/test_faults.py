"""
Bad input, faults and retries against the fake server: SPEC section 4, row by row.

Each test asserts the error class, what its message names (URL, status; never
the token) and how many requests the server saw. aiohttp 3.14 silently sends
an idempotent GET/DELETE once more after a server disconnect on a reused
connection, so where a test drops connections the server may see up to two
requests per client attempt; those tests say so and assert a range.

Generated broken page bodies (Hypothesis), served by a loopback `Origin`, fail
only with ``ResponseError``. Errors no retry can mend (a host name that does
not resolve, a TLS certificate that fails verification, TLS spoken to a
plain-HTTP port) fail at once and name the setting to check; refused
connections stay retried. The TLS cases run the fake behind a real TLS
listener with a certificate from a throwaway CA (trustme), which also proves
that ``SIGNALWIRE_REST_CA_FILE`` makes such a server trusted.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import socket
import ssl
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import aiohttp
import pytest
import trustme
from aiohttp.abc import AbstractResolver, ResolveResult
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    Client,
    Hooks,
    NotFoundError,
    Order,
    OutcomeUnknownError,
    Page,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    RetryEvent,
    RetryPolicy,
    ServerError,
)
from signalwire_orders.testing import FakeServer
from strategies import (
    CAMPAIGN,
    CONTENT_TYPES,
    FUZZ,
    JSON,
    ORDERS,
    Wire,
    broken_pages,
    encode,
    not_utf8,
    outcome,
    page_body,
    serve,
    walk,
)
from support import (
    NO_RETRY,
    NO_WAIT,
    ORDER_ID,
    UNKNOWN_ID,
    Origin,
    client_at,
    client_for,
    closed_port,
    collect_into,
    drain,
    instant,
    serving,
)

#: The retry budget of most tests: three attempts, no waiting.
BUDGET = NO_WAIT.attempts

#: Unless a test says otherwise: 1 brand x 2 campaigns x 120 orders (pages of 50, 50, 20).
pytestmark = pytest.mark.signalwire_fake_server(seed=31, brands=1, campaigns_per_brand=2)


def _orders_url(server: FakeServer, campaign_id: str) -> str:
    return f"{server.api_url}/campaigns/{campaign_id}/orders"


@pytest.fixture
def campaign_id(server: FakeServer) -> str:
    """A campaign of ``server`` (120 orders: three pages of 50, 50 and 20)."""
    return server.data.campaign_ids()[0]


_OPERATIONS: dict[str, Callable[[Client, str], Awaitable[object]]] = {
    "orders.pages": lambda c, i: drain(c.orders.pages(i)),
    "orders.get": lambda c, i: c.orders.get(i),
    "orders.create": lambda c, i: c.orders.create(i, ["+15558675309"]),
    "numbers.list": lambda c, i: drain(c.numbers.list(i)),
    "numbers.delete": lambda c, i: c.numbers.delete(i),
    "campaigns.get": lambda c, i: c.campaigns.get(i),
    "campaigns.list": lambda c, i: drain(c.campaigns.list(i)),
    "brands.get": lambda c, i: c.brands.get(i),
}


class TestBadIds:
    @pytest.mark.parametrize(
        "bad_id",
        ["not-a-uuid", "../../brands", "", "3fa85f64-5717-4562-b3fc-2c963f66afaZ", "a/b?c=d"],
    )
    async def test_a_non_uuid_campaign_id_is_refused_before_any_request(
        self, server: FakeServer, client: Client, bad_id: str
    ) -> None:
        """orders.list with a campaign id that is not a UUID raises ValueError and sends nothing."""
        with pytest.raises(ValueError, match="campaign_id"):
            async for _ in client.orders.list(bad_id):
                pass

        assert 0 == server.count()

    @pytest.mark.parametrize("operation", sorted(_OPERATIONS))
    async def test_every_operation_refuses_a_non_uuid_before_any_request(
        self, server: FakeServer, client: Client, operation: str
    ) -> None:
        """Each operation taking an id raises ValueError for ``../orders`` and sends nothing."""
        bad = "../orders"

        with pytest.raises(ValueError, match="must be a UUID"):
            await _OPERATIONS[operation](client, bad)

        assert 0 == server.count()


class TestAuthenticationAndNotFound:
    async def test_a_wrong_token_is_401_after_one_request_naming_url_and_scopes(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """A wrong token: AuthenticationError after one request, naming URL, status and scopes."""
        async with client_for(server, api_token="PT-wrong-secret-9f3e") as client:
            with pytest.raises(AuthenticationError) as caught:
                async for _ in client.orders.list(campaign_id):
                    pass

        message = str(caught.value)
        assert 401 == caught.value.status
        assert 1 == server.count()
        assert _orders_url(server, campaign_id) in message
        assert "401" in message
        assert "Messaging and Numbers" in message
        assert "PT-wrong-secret-9f3e" not in message + repr(caught.value)
        assert _orders_url(server, campaign_id) == caught.value.url

    @pytest.mark.signalwire_fake_server(seed=31, brands=1, campaigns_per_brand=2, forbidden=True)
    async def test_a_token_without_scopes_is_403_after_one_request(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """403 raises PermissionDeniedError naming URL, status and scopes, after one request."""
        with pytest.raises(PermissionDeniedError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        message = str(caught.value)
        assert 403 == caught.value.status
        assert _orders_url(server, campaign_id) in message
        assert "403" in message
        assert "Messaging and Numbers" in message
        assert server.api_token not in message + repr(caught.value)
        assert 1 == server.count()

    async def test_an_unknown_campaign_is_404_after_one_request(
        self, server: FakeServer, client: Client
    ) -> None:
        """A well-formed but unknown campaign UUID raises NotFoundError after one request."""
        with pytest.raises(NotFoundError) as caught:
            async for _ in client.orders.list(UNKNOWN_ID):
                pass

        message = str(caught.value)
        assert 404 == caught.value.status
        assert "GET" == caught.value.method
        assert _orders_url(server, UNKNOWN_ID) in message
        assert "404" in message
        assert server.api_token not in message + repr(caught.value)
        assert ["Not Found"] == [item.detail for item in caught.value.errors]
        assert 1 == server.count()

    async def test_the_404_carries_the_request_id(self, server: FakeServer, client: Client) -> None:
        """The error's request_id is the X-Request-Id the server sent."""
        with pytest.raises(NotFoundError) as caught:
            await client.campaigns.get(UNKNOWN_ID)

        assert server.requests[0].request_id == caught.value.request_id


class TestServerErrors:
    async def test_a_500_storm_longer_than_the_budget_is_a_server_error(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """Persistent 500s raise ServerError with attempts == budget after budget requests."""
        server.faults.script("list_orders", ["500"] * (BUDGET + 2))

        with pytest.raises(ServerError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        assert 500 == caught.value.status
        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert f"after {BUDGET} attempts" in str(caught.value)
        assert _orders_url(server, campaign_id) in str(caught.value)
        assert ["Internal Server Error"] == [item.detail for item in caught.value.errors]

    async def test_an_html_502_that_persists_is_a_server_error_with_a_snippet(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A proxy's HTML 502 is retried; past the budget ServerError carries an HTML snippet."""
        server.faults.script("list_orders", ["502"] * BUDGET)

        with pytest.raises(ServerError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        assert 502 == caught.value.status
        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert "<html>" in caught.value.body_snippet
        assert "502 Bad Gateway" in caught.value.body_snippet
        assert "502" in str(caught.value)
        assert "\n" not in str(caught.value)  # the HTML snippet is flattened to one line
        assert _orders_url(server, campaign_id) in str(caught.value)

    async def test_a_transient_html_502_is_retried_to_success(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """One HTML 502 then normal service yields the complete listing."""
        server.faults.script("list_orders", ["502"])

        actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 4 == server.count("list_orders")

    @pytest.mark.parametrize("status", ["503", "504"])
    async def test_503_and_504_are_retried(
        self, server: FakeServer, client: Client, status: str
    ) -> None:
        """A 503 or 504 from the proxy, twice, is retried and the get succeeds on the third try."""
        wire = server.data.orders_of(server.data.campaign_ids()[1])[5]
        server.faults.script("retrieve_order", [status, status])

        order = await client.orders.get(wire["id"])

        assert UUID(wire["id"]) == order.id
        assert 3 == server.count("retrieve_order")


class TestGetRetries:
    async def test_500s_on_page_2_refetch_page_2_only(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """Two 500s on page 2: page 2 is requested 3 times, page 1 once, the listing complete."""
        server.faults.script("list_orders", ["ok", "500", "500"])

        actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        fetched = Counter(r.query.get("page_number") for r in server.requests)
        assert {None: 1, "1": 3, "2": 1} == fetched

    async def test_429_retry_after_is_waited_out(self, server: FakeServer) -> None:
        """A 429 with Retry-After "1" and max_retry_after=1.0: the retry waits the full second."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        server.faults.script("retrieve_order", ["429"])
        retries: list[RetryEvent] = []
        hooks = Hooks(on_retry=retries.append)

        async with client_for(server, retry=instant(2, max_retry_after=1.0), hooks=hooks) as c:
            order = await c.orders.get(order_id)

        assert UUID(order_id) == order.id
        assert [(1.0, "429")] == [(e.delay, e.reason) for e in retries]
        assert 2 == server.count("retrieve_order")

    async def test_the_deadline_counts_a_slow_first_attempt(self, server: FakeServer) -> None:
        """A first answer 0.4 s late leaves no room under a 1.2 s deadline for a 1 s wait."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        server.faults.route("retrieve_order").latency = 0.4
        server.faults.script("retrieve_order", ["429"])
        policy = RetryPolicy(attempts=3, max_retry_after=1.0, deadline=1.2)

        async with client_for(server, retry=policy) as client:
            with pytest.raises(RateLimitError):
                await client.orders.get(order_id)

        assert 1 == server.count("retrieve_order")

    async def test_retry_after_as_an_http_date_is_honoured_within_the_cap(
        self, server: FakeServer
    ) -> None:
        """
        A Retry-After HTTP date 3 s ahead is waited out, clamped to max_retry_after=0.3 s.

        (A date only 1 s ahead is truncated to the whole second and may be a
        few milliseconds away, so 3 s with a smaller cap makes the wait
        exact: with the date ignored, the instant backoff would be 0 s.)
        """
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        when = datetime.now(UTC) + timedelta(seconds=3)
        server.faults.route("retrieve_order").retry_after = format_datetime(when, usegmt=True)
        server.faults.script("retrieve_order", ["429"])
        retries: list[RetryEvent] = []
        hooks = Hooks(on_retry=retries.append)

        async with client_for(server, retry=instant(2, max_retry_after=0.3), hooks=hooks) as c:
            await c.orders.get(order_id)

        assert [0.3] == [e.delay for e in retries]
        assert 2 == server.count("retrieve_order")

    async def test_an_http_date_retry_after_is_parsed_into_seconds(
        self, server: FakeServer
    ) -> None:
        """With no retries left, RateLimitError.retry_after is the date's distance in seconds."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        when = datetime.now(UTC) + timedelta(seconds=30)
        server.faults.route("retrieve_order").retry_after = format_datetime(when, usegmt=True)
        server.faults.script("retrieve_order", ["429"])

        async with client_for(server, retry=NO_RETRY) as client:
            with pytest.raises(RateLimitError) as caught:
                await client.orders.get(order_id)

        assert caught.value.retry_after is not None
        assert 28.0 <= caught.value.retry_after <= 30.0
        assert 1 == server.count("retrieve_order")

    async def test_a_long_retry_after_is_clamped_to_the_cap(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """Retry-After "1" under max_retry_after=0.05: each of two 429s waits 0.05 s, not 1 s."""
        server.faults.script("list_orders", ["429", "429"])
        retries: list[RetryEvent] = []
        capped = instant(BUDGET, max_retry_after=0.05)

        async with client_for(server, retry=capped, hooks=Hooks(on_retry=retries.append)) as c:
            actual = [order async for order in c.orders.list(campaign_id)]

        assert 120 == len(actual)
        assert [0.05, 0.05] == [e.delay for e in retries]
        assert 5 == server.count("list_orders")
        assert 2 == c.stats.rate_limited

    async def test_dropped_connections_are_retried(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """
        Two connections dropped without an answer are retried and the listing completes.

        Each drop costs one of the client's attempts, counted: aiohttp's own
        unseen re-send is off for the client's session.
        """
        server.faults.script("list_orders", ["drop", "drop"])

        actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 5 == server.count("list_orders")
        assert (2, 5) == (client.stats.retries, client.stats.requests)

    async def test_drops_past_the_budget_are_a_connection_error(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """
        Drops on every attempt raise APIConnectionError with attempts == budget.

        The server sees one request per attempt: aiohttp's own re-send is off.
        """
        server.faults.script("list_orders", ["drop"] * (2 * BUDGET + 2))

        with pytest.raises(APIConnectionError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        assert APIConnectionError is type(caught.value)
        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert _orders_url(server, campaign_id) in str(caught.value)

    async def test_a_read_timeout_is_retried(self, server: FakeServer, campaign_id: str) -> None:
        """A hung response times out after 0.3 s and is retried; the listing completes."""
        server.faults.script("list_orders", ["hang"])

        async with client_for(server, timeout=0.3) as client:
            actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 4 == server.count("list_orders")

    async def test_timeouts_past_the_budget_are_an_api_timeout_error(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """Hangs on every attempt raise APITimeoutError, attempts == budget, one request each."""
        server.faults.script("list_orders", ["hang"] * BUDGET)

        async with client_for(server, timeout=0.3) as client:
            with pytest.raises(APITimeoutError) as caught:
                async for _ in client.orders.list(campaign_id):
                    pass

        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert _orders_url(server, campaign_id) in str(caught.value)


class TestTruncatedBody:
    async def test_a_truncated_body_is_retried(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A body cut short of its Content-Length is retried; the listing is complete."""
        server.faults.script("list_orders", ["ok", "truncate"])

        actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 4 == server.count("list_orders")

    async def test_truncation_past_the_budget_is_a_connection_error(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """Truncated bodies past the budget raise APIConnectionError after budget requests."""
        server.faults.script("list_orders", ["truncate"] * BUDGET)

        with pytest.raises(APIConnectionError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        assert APIConnectionError is type(caught.value)
        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert _orders_url(server, campaign_id) in str(caught.value)

    async def test_no_partial_page_is_yielded_from_a_truncated_page(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """When page 2 stays truncated only page 1's 50 orders come out; resume_from is page 2."""
        server.faults.script("list_orders", ["ok", *["truncate"] * BUDGET])
        seen: list[Order] = []

        with pytest.raises(APIConnectionError) as caught:
            await collect_into(client.orders.list(campaign_id), seen)

        expected = [UUID(o["id"]) for o in server.data.orders_of(campaign_id)[:50]]
        assert expected == [order.id for order in seen]
        assert caught.value.resume_from is not None
        assert "page_number=1" in caught.value.resume_from


class TestMalformedBody:
    @pytest.mark.parametrize("fault", ["malformed", "wrong_shape"])
    async def test_a_bad_200_body_is_a_response_error_after_one_request(
        self, server: FakeServer, client: Client, campaign_id: str, fault: str
    ) -> None:
        """Non-JSON or wrong-shape JSON in a 200 is a ResponseError naming URL and status."""
        server.faults.script("list_orders", [fault])

        with pytest.raises(ResponseError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        message = str(caught.value)
        assert _orders_url(server, campaign_id) in message
        assert "status 200" in message
        assert 200 == caught.value.status
        assert caught.value.body_snippet
        assert server.api_token not in message + repr(caught.value)
        assert 1 == server.count("list_orders")

    @pytest.mark.parametrize("fault", ["malformed", "wrong_shape"])
    async def test_no_partial_page_is_yielded_from_a_bad_page(
        self, server: FakeServer, client: Client, campaign_id: str, fault: str
    ) -> None:
        """When page 2's body is bad, only page 1's orders were yielded, after two requests."""
        server.faults.script("list_orders", ["ok", fault])
        seen: list[Order] = []

        with pytest.raises(ResponseError) as caught:
            await collect_into(client.orders.list(campaign_id), seen)

        expected = [UUID(o["id"]) for o in server.data.orders_of(campaign_id)[:50]]
        assert expected == [order.id for order in seen]
        assert 2 == server.count("list_orders")
        assert caught.value.url.startswith(_orders_url(server, campaign_id) + "?page_number=1")

    async def test_a_malformed_single_object_is_a_response_error(
        self, server: FakeServer, client: Client
    ) -> None:
        """orders.get of a non-JSON 200 raises ResponseError naming the order's URL, unretried."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        server.faults.script("retrieve_order", ["malformed"])

        with pytest.raises(ResponseError) as caught:
            await client.orders.get(order_id)

        assert f"{server.api_url}/orders/{order_id}" in str(caught.value)
        assert 1 == server.count("retrieve_order")


class TestBrokenPages:
    @FUZZ
    @given(body=broken_pages() | not_utf8(), content_type=CONTENT_TYPES)
    async def test_a_broken_page_is_a_response_error_and_yields_nothing(
        self, origin: Origin, origin_client: Client, body: bytes, content_type: str
    ) -> None:
        """One defect anywhere is ResponseError naming URL and status 200; no page is yielded."""
        serve(origin, body, content_type)
        pages: list[Page[Order]] = []

        with pytest.raises(ResponseError) as caught:
            await collect_into(origin_client.orders.pages(CAMPAIGN), pages)

        assert [] == pages
        assert [ORDERS] == origin.hits
        assert 200 == caught.value.status
        assert origin.base_url + ORDERS == caught.value.url
        assert len(caught.value.body_snippet) <= 200
        assert caught.value.resume_from == origin.base_url + ORDERS

    @FUZZ
    @given(
        body=st.binary(max_size=2_000)
        | JSON.map(lambda doc: encode(doc, 0))
        | st.builds(lambda b, n: b * n, st.binary(min_size=1, max_size=8), st.integers(0, 12_500))
    )
    async def test_random_bytes_and_random_json_fail_only_as_documented(
        self, origin: Origin, origin_client: Client, body: bytes
    ) -> None:
        """Random bytes (up to 100 KB) or JSON raise ResponseError, or are a page that walks."""
        serve(origin, body)

        result = await outcome(origin_client)

        if isinstance(result, ResponseError):
            assert 200 == result.status
            assert [ORDERS] == origin.hits
        elif isinstance(result, PaginationError):
            assert 1 <= len(origin.hits) <= 2
        else:
            assert 1 <= len(result) <= 2


#: 100 KB where a short value belongs, by where it goes.
_HUGE = "1999-12-31T23:59:60\n" * 5_000


_HUGE_BODIES = {
    "an id": {"id": _HUGE},
    "a created_at": {"id": CAMPAIGN, "created_at": _HUGE},
    "a processed_at": {"id": CAMPAIGN, "processed_at": _HUGE},
    "an updated_at": {"id": CAMPAIGN, "updated_at": _HUGE},
}


class TestErrorMessages:
    @pytest.mark.parametrize("item", _HUGE_BODIES.values(), ids=_HUGE_BODIES.keys())
    async def test_a_huge_bad_value_gives_a_short_one_line_message(
        self, origin: Origin, origin_client: Client, item: Wire
    ) -> None:
        """
        A 100 KB invalid value is ResponseError whose message stays one line of under 2,000 chars.

        Today a bad date-time is quoted whole (``Invalid isoformat string: '...'``):
        the message, and any log line carrying it, is as long as the value.
        """
        serve(origin, page_body({"self": ORDERS, "first": ORDERS}, [item], {}, 0))

        with pytest.raises(ResponseError) as caught:
            await walk(origin_client)

        assert len(str(caught.value)) < 2_000
        assert "\n" not in str(caught.value)
        assert len(caught.value.body_snippet) <= 200

    async def test_a_huge_body_that_is_not_json_gives_a_short_message(
        self, origin: Origin, origin_client: Client
    ) -> None:
        """100 KB of text that is not JSON: ResponseError with a short message and snippet."""
        serve(origin, _HUGE.encode(), "text/html")

        with pytest.raises(ResponseError) as caught:
            await walk(origin_client)

        assert len(str(caught.value)) < 2_000
        assert len(caught.value.body_snippet) <= 200


class TestCreateRetries:
    @pytest.mark.parametrize("status", ["500", "502", "503", "504"])
    async def test_a_5xx_on_create_is_not_retried(
        self, server: FakeServer, client: Client, campaign_id: str, status: str
    ) -> None:
        """A create answered with a 5xx is a ServerError after exactly one POST, nothing created."""
        server.faults.script("create_order", [status])

        with pytest.raises(ServerError) as caught:
            await client.orders.create(campaign_id, ["+15558675309"])

        assert int(status) == caught.value.status
        assert "POST" == caught.value.method
        assert 1 == caught.value.attempts
        assert 1 == server.count("create_order")
        assert 120 == len(server.data.orders_of(campaign_id))

    async def test_a_dropped_create_is_outcome_unknown(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A dropped create is OutcomeUnknownError after one POST, though the order was created."""
        server.faults.script("create_order", ["drop"])

        with pytest.raises(OutcomeUnknownError) as caught:
            await client.orders.create(campaign_id, ["+15558675309"])

        assert "may have been processed" in str(caught.value)
        assert _orders_url(server, campaign_id) in str(caught.value)
        assert 1 == server.count("create_order")
        assert 121 == len(server.data.orders_of(campaign_id))

    async def test_a_create_that_times_out_is_outcome_unknown(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """A create that times out is OutcomeUnknownError after one POST; the order was created."""
        server.faults.script("create_order", ["hang"])

        async with client_for(server, timeout=0.3) as client:
            with pytest.raises(OutcomeUnknownError):
                await client.orders.create(campaign_id, ["+15558675309"])

        assert 1 == server.count("create_order")
        assert 121 == len(server.data.orders_of(campaign_id))

    async def test_a_rate_limited_create_is_retried_once_and_creates_one_order(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A 429 on create is retried (it was not processed); exactly one order is created."""
        server.faults.script("create_order", ["429"])

        created = await client.orders.create(campaign_id, ["+15558675309"])

        assert 2 == server.count("create_order")
        orders = server.data.orders_of(campaign_id)
        assert 121 == len(orders)
        assert str(created.id) == orders[-1]["id"]

    async def test_a_refused_create_is_retried_and_reported_as_not_sent(self) -> None:
        """A create refused before sending (nothing listens) is retried, then APIConnectionError."""
        async with FakeServer() as gone:
            base_url, project_id, api_token = gone.base_url, gone.project_id, gone.api_token
        # Closed: its port now refuses connections.
        refused = Client(
            project_id=project_id, api_token=api_token, base_url=base_url, env={}, retry=NO_WAIT
        )

        async with refused as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.orders.create(UNKNOWN_ID, ["+15558675309"])

        assert APIConnectionError is type(caught.value)
        assert (BUDGET, False) == (caught.value.attempts, caught.value.sent)


class TestDeleteRetries:
    async def test_a_delete_answered_500_is_retried(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A 500 on delete (nothing done) is retried; the assignment is then gone."""
        victim = server.data.numbers_of(campaign_id)[3]["id"]
        server.faults.script("delete_number_assignment", ["500"])

        await client.numbers.delete(victim)

        assert 2 == server.count("delete_number_assignment")
        assert victim not in {n["id"] for n in server.data.numbers_of(campaign_id)}

    async def test_a_delete_of_an_unknown_assignment_is_not_retried(
        self, server: FakeServer, client: Client
    ) -> None:
        """Deleting an unknown assignment raises NotFoundError after one DELETE."""
        with pytest.raises(NotFoundError) as caught:
            await client.numbers.delete(UNKNOWN_ID)

        assert "DELETE" == caught.value.method
        assert 1 == server.count("delete_number_assignment")

    async def test_a_404_after_a_lost_answer_counts_as_deleted(self) -> None:
        """The first DELETE deletes but times out; the retry's 404 means it is done."""
        async with FakeServer(seed=2, brands=1, campaigns_per_brand=1) as s:
            number_id = s.data.numbers_of(s.data.campaign_ids()[0])[0]["id"]
            s.faults.script("delete_number_assignment", ["hang"])
            async with Client(env=s.env, retry=NO_WAIT, timeout=0.3) as client:
                await client.numbers.delete(number_id)

            assert 2 == s.count("delete_number_assignment")
            assert [] == [
                n for n in s.data.numbers_of(s.data.campaign_ids()[0]) if n["id"] == number_id
            ]

    async def test_a_404_after_a_dropped_connection_counts_as_deleted(self) -> None:
        """
        The first DELETE deletes, then its connection drops: the retry's 404 means done.

        aiohttp would send it again itself, unseen, and its 404 came back as a
        first attempt's: NotFoundError for a delete that succeeded.
        """
        async with FakeServer(seed=2, brands=1, campaigns_per_brand=1) as s:
            campaign_id = s.data.campaign_ids()[0]
            number_id = s.data.numbers_of(campaign_id)[0]["id"]
            s.faults.script("delete_number_assignment", ["drop"])
            async with Client(env=s.env, retry=NO_WAIT) as client:
                await client.orders.get(s.data.orders_of(campaign_id)[0]["id"])  # kept alive
                await client.numbers.delete(number_id)

                assert (2, 1) == (s.count("delete_number_assignment"), client.stats.retries)
            assert [] == [n for n in s.data.numbers_of(campaign_id) if n["id"] == number_id]

    @pytest.mark.parametrize("route", ["retrieve_order", "delete_number_assignment"])
    async def test_one_attempt_is_one_send(self, route: str) -> None:
        """RetryPolicy(attempts=1) sends a dropped GET or DELETE once, not twice."""
        async with FakeServer(seed=2, brands=1, campaigns_per_brand=1) as s:
            campaign_id = s.data.campaign_ids()[0]
            order_id = s.data.orders_of(campaign_id)[0]["id"]
            s.faults.script(route, ["drop"])
            async with Client(env=s.env, retry=RetryPolicy(attempts=1)) as client:
                await client.brands.list().__anext__()  # a kept-alive connection to reuse
                number_id = s.data.numbers_of(campaign_id)[0]["id"]
                send = (
                    client.orders.get(order_id)
                    if route == "retrieve_order"
                    else client.numbers.delete(number_id)
                )
                with pytest.raises(APIConnectionError):
                    await send

            assert 1 == s.count(route)


class Unresolvable(AbstractResolver):
    """A resolver for which no host name exists (no DNS server is asked)."""

    def __init__(self) -> None:
        self.lookups = 0

    async def resolve(
        self,
        host: str,  # noqa: ARG002  # the interface's
        port: int = 0,  # noqa: ARG002
        family: socket.AddressFamily = socket.AF_INET,  # noqa: ARG002
    ) -> list[ResolveResult]:
        self.lookups += 1
        raise OSError(socket.EAI_NONAME, "Name or service not known")

    async def close(self) -> None:
        """Nothing to close."""


@pytest.fixture
def ca() -> trustme.CA:
    """A throwaway certificate authority."""
    return trustme.CA()


def _tls_client(base_url: str, fake: FakeServer, **options: Any) -> Client:
    """A client of the fake behind ``base_url`` (its own URL is not served)."""
    return client_at(base_url, project_id=fake.project_id, api_token=fake.api_token, **options)


@pytest.fixture
async def tls_fake(ca: trustme.CA) -> AsyncIterator[tuple[FakeServer, str]]:
    """The fake's app behind a TLS listener on 127.0.0.1 with a certificate from ``ca``."""
    fake = FakeServer(seed=3, brands=1, campaigns_per_brand=1)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    async with serving(fake.make_app(), ssl_context=context) as base_url:
        yield fake, base_url


class TestHostNameThatDoesNotResolve:
    async def test_one_lookup_then_an_error_naming_the_space_setting(self) -> None:
        """An unknown host is looked up once, and the error says to check SIGNALWIRE_SPACE."""
        resolver = Unresolvable()
        connector = aiohttp.TCPConnector(resolver=resolver, use_dns_cache=False)
        async with aiohttp.ClientSession(connector=connector) as session:
            client = Client("no-such-space", "project", "PT-token", session=session, retry=NO_WAIT)
            async with client:
                with pytest.raises(APIConnectionError) as caught:
                    await client.orders.get(ORDER_ID)

        assert 1 == resolver.lookups
        assert "SIGNALWIRE_SPACE" in str(caught.value)
        assert "no-such-space.signalwire.com" in str(caught.value)
        assert (False, False, 1) == (
            caught.value.retryable,
            caught.value.sent,
            caught.value.attempts,
        )


class TestCertificateThatFailsVerification:
    async def test_one_attempt_then_an_error_naming_the_ca_file_setting(
        self, tls_fake: tuple[FakeServer, str]
    ) -> None:
        """A certificate from an unknown CA is refused once, naming SIGNALWIRE_REST_CA_FILE."""
        fake, base_url = tls_fake

        async with _tls_client(base_url, fake) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.orders.get(ORDER_ID)

        assert "SIGNALWIRE_REST_CA_FILE" in str(caught.value)
        assert not caught.value.retryable
        assert 0 == fake.count()  # the handshake failed: no request reached the app

    async def test_the_ca_file_setting_makes_the_server_trusted(
        self, tls_fake: tuple[FakeServer, str], ca: trustme.CA, tmp_path: Path
    ) -> None:
        """With SIGNALWIRE_REST_CA_FILE naming the CA, the same server answers."""
        fake, base_url = tls_fake
        bundle = tmp_path / "ca.pem"
        ca.cert_pem.write_to_path(str(bundle))
        brand_id = fake.data.brands[0]["id"]

        async with _tls_client(
            base_url, fake, env={"SIGNALWIRE_REST_CA_FILE": str(bundle)}
        ) as client:
            brand = await client.brands.get(brand_id)

        assert brand_id == str(brand.id)


class TestTlsToAPlainHttpPort:
    async def test_one_attempt_then_an_error_asking_if_it_is_http(self) -> None:
        """https:// to the fake's plain-HTTP port fails once, asking if it is an http:// server."""
        async with FakeServer(seed=3, brands=1) as fake:
            base_url = fake.base_url.replace("http://", "https://")

            async with _tls_client(base_url, fake) as client:
                with pytest.raises(APIConnectionError) as caught:
                    await client.orders.get(ORDER_ID)

            assert "is this an http:// server?" in str(caught.value)
            assert not caught.value.retryable
            assert 0 == fake.count()


class TestRefusedConnection:
    async def test_refused_connections_are_still_retried(self) -> None:
        """A port nobody listens on is tried the whole budget, and stays retryable."""
        async with client_at(await closed_port()) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.orders.get(ORDER_ID)

        assert (True, BUDGET) == (caught.value.retryable, caught.value.attempts)
