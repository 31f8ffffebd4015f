"""
Bad input, faults and retries against the fake server: SPEC section 4, row by row.

Each test asserts the error class, what its message names (URL, status; never
the token) and how many requests the server saw. aiohttp 3.14 silently sends
an idempotent GET/DELETE once more after a server disconnect on a reused
connection, so where a test drops connections the server may see up to two
requests per client attempt; those tests say so and assert a range.
"""

# STYLE.md asks for `assert expected == actual`; SIM300 would flip it.

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from types import SimpleNamespace
from typing import Any, TypeVar
from uuid import UUID

import aiohttp
import pytest
from aiohttp import web

from signalwire_orders import (
    APIConnectionError,
    APITimeoutError,
    AssignmentState,
    AuthenticationError,
    BrandState,
    CampaignState,
    Client,
    ConfigurationError,
    NotFoundError,
    Order,
    OrderState,
    OutcomeUnknownError,
    PaginationError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    RetryPolicy,
    ServerError,
)
from signalwire_orders.testing import FakeServer

T = TypeVar("T")

PREFIX = "/api/relay/rest/registry/beta"
#: The retry budget of most tests: three attempts, no waiting, Retry-After clamped to 50 ms.
BUDGET = 3
NO_WAIT = RetryPolicy(attempts=BUDGET, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.05)
UNKNOWN_UUID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"

#: Unless a test says otherwise: 1 brand x 2 campaigns x 120 orders (pages of 50, 50, 20).
pytestmark = pytest.mark.signalwire_fake_server(seed=31, brands=1, campaigns_per_brand=2)


def _client(
    server: FakeServer,
    *,
    retry: RetryPolicy = NO_WAIT,
    timeout: float = 5.0,
    api_token: str | None = None,
    max_concurrency: int = 32,
    trace_configs: tuple[aiohttp.TraceConfig, ...] = (),
) -> Client:
    return Client(
        project_id=server.project_id,
        api_token=server.api_token if api_token is None else api_token,
        base_url=server.base_url,
        env={},
        retry=retry,
        timeout=timeout,
        max_concurrency=max_concurrency,
        trace_configs=trace_configs,
    )


def _request_starts() -> tuple[aiohttp.TraceConfig, list[float]]:
    """A trace config recording the loop time at which each request starts."""
    starts: list[float] = []

    async def on_start(_: aiohttp.ClientSession, __: SimpleNamespace, ___: Any) -> None:
        starts.append(asyncio.get_running_loop().time())

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return trace, starts


def _orders_url(server: FakeServer, campaign_id: str) -> str:
    return f"{server.api_url}/campaigns/{campaign_id}/orders"


@pytest.fixture
def server(signalwire_fake_server: FakeServer) -> FakeServer:
    """The plugin's fake server: by default 1 brand x 2 campaigns x 120 orders."""
    return signalwire_fake_server


@pytest.fixture
def campaign_id(server: FakeServer) -> str:
    """A campaign of ``server`` (120 orders: three pages of 50, 50 and 20)."""
    return server.data.campaign_ids()[0]


@pytest.fixture
async def client(server: FakeServer) -> AsyncIterator[Client]:
    """A client of ``server`` with a budget of three instant attempts."""
    async with _client(server) as c:
        yield c


class _Stub:
    """A tiny API serving fixed JSON bodies by path and query: shapes the fake never emits."""

    def __init__(self) -> None:
        self.base_url = ""
        self.bodies: dict[str, object] = {}
        self.hits: Counter[str] = Counter()

    async def handle(self, request: web.Request) -> web.Response:
        self.hits[request.path_qs] += 1
        if request.path_qs not in self.bodies:
            return web.json_response({"error": "Not Found"}, status=404)
        return web.json_response(self.bodies[request.path_qs])

    def client(self) -> Client:
        return Client(
            project_id="stub-project",
            api_token="stub-token",
            base_url=self.base_url,
            env={},
            retry=NO_WAIT,
            timeout=5.0,
        )


@pytest.fixture
async def stub() -> AsyncIterator[_Stub]:
    """A started `_Stub` on a free loopback port."""
    api = _Stub()
    app = web.Application()
    app.router.add_get("/{tail:.*}", api.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        api.base_url = f"http://127.0.0.1:{runner.addresses[0][1]}"
        yield api
    finally:
        await runner.cleanup()


def _links(path: str, *, next_query: str | None = None) -> dict[str, str]:
    links = {"self": path, "first": path}
    if next_query is not None:
        links["next"] = f"{path}?{next_query}"
    return links


async def _exhaust(items: AsyncIterator[object]) -> None:
    async for _ in items:
        pass


async def _collect(items: AsyncIterator[T], into: list[T]) -> None:
    """Append each item to ``into`` as it comes, so the items before an error are kept."""
    async for item in items:
        into.append(item)  # noqa: PERF401  # a comprehension would lose them on error


#: Every operation that takes an id, called with a given id.
_OPERATIONS: dict[str, Callable[[Client, str], Awaitable[object]]] = {
    "orders.pages": lambda c, i: _exhaust(c.orders.pages(i)),
    "orders.get": lambda c, i: c.orders.get(i),
    "orders.create": lambda c, i: c.orders.create(i, ["+15558675309"]),
    "numbers.list": lambda c, i: _exhaust(c.numbers.list(i)),
    "numbers.delete": lambda c, i: c.numbers.delete(i),
    "campaigns.get": lambda c, i: c.campaigns.get(i),
    "campaigns.list": lambda c, i: _exhaust(c.campaigns.list(i)),
    "brands.get": lambda c, i: c.brands.get(i),
}


class TestMissingCredentials:
    def test_no_credentials_names_both_variables(self) -> None:
        """With neither argument nor variable, ConfigurationError names both variables to set."""
        with pytest.raises(ConfigurationError) as caught:
            Client(base_url="http://127.0.0.1:1", env={})

        assert "SIGNALWIRE_PROJECT_ID" in str(caught.value)
        assert "SIGNALWIRE_API_TOKEN" in str(caught.value)

    async def test_an_empty_token_names_the_token_variable_and_sends_nothing(
        self, server: FakeServer
    ) -> None:
        """An empty (blank) token is missing: ConfigurationError names SIGNALWIRE_API_TOKEN."""
        with pytest.raises(ConfigurationError) as caught:
            Client(project_id=server.project_id, api_token="  ", base_url=server.base_url, env={})

        assert "SIGNALWIRE_API_TOKEN" in str(caught.value)
        assert "SIGNALWIRE_PROJECT_ID" not in str(caught.value)
        assert 0 == server.count()

    def test_credentials_come_from_the_environment_mapping(self) -> None:
        """An env with only the token still names the missing project id variable."""
        with pytest.raises(ConfigurationError, match="SIGNALWIRE_PROJECT_ID"):
            Client(base_url="http://127.0.0.1:1", env={"SIGNALWIRE_API_TOKEN": "t"})


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
    async def test_a_wrong_token_is_401_after_one_request(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """A wrong token raises AuthenticationError (401) after exactly one request."""
        async with _client(server, api_token="PT-wrong-secret-9f3e") as client:
            with pytest.raises(AuthenticationError) as caught:
                async for _ in client.orders.list(campaign_id):
                    pass

        assert 401 == caught.value.status
        assert 1 == server.count()

    async def test_401_message_names_url_status_and_scopes_never_the_token(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """The 401 message names the URL and status and hints at the scopes; the token is hidden."""
        async with _client(server, api_token="PT-wrong-secret-9f3e") as client:
            with pytest.raises(AuthenticationError) as caught:
                async for _ in client.orders.list(campaign_id):
                    pass

        message = str(caught.value)
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
            async for _ in client.orders.list(UNKNOWN_UUID):
                pass

        message = str(caught.value)
        assert 404 == caught.value.status
        assert "GET" == caught.value.method
        assert _orders_url(server, UNKNOWN_UUID) in message
        assert "404" in message
        assert server.api_token not in message + repr(caught.value)
        assert ["Not Found"] == [item.detail for item in caught.value.errors]
        assert 1 == server.count()

    async def test_the_404_carries_the_request_id(self, server: FakeServer, client: Client) -> None:
        """The error's request_id is the X-Request-Id the server sent."""
        with pytest.raises(NotFoundError) as caught:
            await client.campaigns.get(UNKNOWN_UUID)

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
            await _collect(client.orders.list(campaign_id), seen)

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
            await _collect(client.orders.list(campaign_id), seen)

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


class TestUnsafeNextLinks:
    async def test_a_next_link_to_another_host_is_refused(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """A next link to a second server's origin is a PaginationError; it sees no request."""
        seen: list[Order] = []
        async with FakeServer(seed=31, brands=1, campaigns_per_brand=2) as other:
            elsewhere = other.base_url
            server.state.link_origin = elsewhere

            with pytest.raises(PaginationError) as caught:
                await _collect(client.orders.list(campaign_id), seen)

        assert 0 == other.count()
        assert 50 == len(seen)
        assert 1 == server.count()
        assert elsewhere.removeprefix("http://") in str(caught.value)
        assert server.api_token not in str(caught.value) + repr(caught.value)

    async def test_the_refused_link_is_kept_as_resume_from(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """
        PaginationError mid-walk carries the refused next link as resume_from ("stopped at").

        SPEC section 4: an error raised mid-walk carries the last next link;
        `PaginationError`'s docstring prints ``exc.resume_from`` as where the walk stopped.
        """
        async with FakeServer(seed=31, brands=1, campaigns_per_brand=2) as other:
            elsewhere = other.base_url
            server.state.link_origin = elsewhere

            with pytest.raises(PaginationError) as caught:
                await _exhaust(client.orders.list(campaign_id))

        assert caught.value.resume_from is not None
        assert caught.value.resume_from.startswith(f"{elsewhere}{PREFIX}/campaigns/{campaign_id}/")

    async def test_a_next_link_that_loops_is_refused(self, stub: _Stub) -> None:
        """Page 2 linking back to page 1 raises PaginationError after two requests, not forever."""
        path = f"{PREFIX}/campaigns/{UNKNOWN_UUID}/orders"
        order = {"id": "11111111-1111-4111-8111-111111111111"}
        stub.bodies[path] = {"links": _links(path, next_query="page_number=1"), "data": [order]}
        stub.bodies[f"{path}?page_number=1"] = {
            "links": {"self": f"{path}?page_number=1", "first": path, "next": path},
            "data": [order],
        }

        async with stub.client() as client:
            with pytest.raises(PaginationError, match="loops"):
                async for _ in client.orders.list(UNKNOWN_UUID):
                    pass

        assert 2 == stub.hits.total()


class TestUnknownFieldsAndStates:
    async def test_unknown_order_state_and_fields_are_kept(self, stub: _Stub) -> None:
        """An order with state "archived" and a new field is listed, the state and field kept."""
        path = f"{PREFIX}/campaigns/{UNKNOWN_UUID}/orders"
        wire = {"id": UNKNOWN_UUID, "state": "archived", "priority": "high", "tags": ["a"]}
        stub.bodies[path] = {"links": _links(path), "data": [wire]}

        async with stub.client() as client:
            [order] = [o async for o in client.orders.list(UNKNOWN_UUID)]

        assert UUID(UNKNOWN_UUID) == order.id
        assert "archived" == order.state
        assert isinstance(order.state, OrderState)
        assert order.state is not None
        assert not order.state.is_known
        assert {"priority": "high", "tags": ["a"]} == dict(order.extra)

    async def test_an_order_with_only_an_id_is_accepted(self, stub: _Stub) -> None:
        """Every Order field but id may be absent: they decode as None."""
        stub.bodies[f"{PREFIX}/orders/{UNKNOWN_UUID}"] = {"id": UNKNOWN_UUID}

        async with stub.client() as client:
            order = await client.orders.get(UNKNOWN_UUID)

        assert Order(id=UUID(UNKNOWN_UUID)) == order

    async def test_unknown_states_of_other_records_are_kept(self, stub: _Stub) -> None:
        """Brands, campaigns and number assignments keep states the library does not know."""
        brand_id, campaign_id, number_id = (
            "22222222-2222-4222-8222-222222222222",
            "33333333-3333-4333-8333-333333333333",
            "44444444-4444-4444-8444-444444444444",
        )
        numbers = f"{PREFIX}/campaigns/{campaign_id}/numbers"
        stub.bodies[f"{PREFIX}/brands/{brand_id}"] = {"id": brand_id, "state": "suspended"}
        stub.bodies[f"{PREFIX}/campaigns/{campaign_id}"] = {"id": campaign_id, "state": "expired"}
        stub.bodies[numbers] = {
            "links": _links(numbers),
            "data": [{"id": number_id, "state": "porting", "carrier": "X"}],
        }

        async with stub.client() as client:
            brand = await client.brands.get(brand_id)
            campaign = await client.campaigns.get(campaign_id)
            [number] = [n async for n in client.numbers.list(campaign_id)]

        assert (BrandState("suspended"), "suspended") == (brand.state, brand.state)
        assert (CampaignState("expired"), "expired") == (campaign.state, campaign.state)
        assert (AssignmentState("porting"), {"carrier": "X"}) == (number.state, dict(number.extra))


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
        """A 429 with Retry-After "1" and max_retry_after=1.0: the retry starts >= 0.9 s later."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        server.faults.script("retrieve_order", ["429"])
        trace, starts = _request_starts()
        patient = RetryPolicy(attempts=2, initial_backoff=0.0, max_backoff=0.0, max_retry_after=1.0)

        async with _client(server, retry=patient, trace_configs=(trace,)) as client:
            order = await client.orders.get(order_id)

        assert UUID(order_id) == order.id
        assert 2 == len(starts)
        assert starts[1] - starts[0] >= 0.9
        assert 2 == server.count("retrieve_order")

    async def test_the_deadline_counts_a_slow_first_attempt(self, server: FakeServer) -> None:
        """A first answer 0.4 s late leaves no room under a 1.2 s deadline for a 1 s wait."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        server.faults.route("retrieve_order").latency = 0.4
        server.faults.script("retrieve_order", ["429"])
        policy = RetryPolicy(attempts=3, max_retry_after=1.0, deadline=1.2)

        async with _client(server, retry=policy) as client:
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
        measurable: with the date ignored, the instant backoff would be ~0 s.)
        """
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        when = datetime.now(UTC) + timedelta(seconds=3)
        server.faults.route("retrieve_order").retry_after = format_datetime(when, usegmt=True)
        server.faults.script("retrieve_order", ["429"])
        trace, starts = _request_starts()
        capped = RetryPolicy(attempts=2, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.3)

        async with _client(server, retry=capped, trace_configs=(trace,)) as client:
            await client.orders.get(order_id)

        assert 2 == len(starts)
        assert 0.25 <= starts[1] - starts[0] < 1.5

    async def test_an_http_date_retry_after_is_parsed_into_seconds(
        self, server: FakeServer
    ) -> None:
        """With no retries left, RateLimitError.retry_after is the date's distance in seconds."""
        order_id = server.data.orders_of(server.data.campaign_ids()[0])[0]["id"]
        when = datetime.now(UTC) + timedelta(seconds=30)
        server.faults.route("retrieve_order").retry_after = format_datetime(when, usegmt=True)
        server.faults.script("retrieve_order", ["429"])

        async with _client(server, retry=RetryPolicy(attempts=1)) as client:
            with pytest.raises(RateLimitError) as caught:
                await client.orders.get(order_id)

        assert caught.value.retry_after is not None
        assert 28.0 <= caught.value.retry_after <= 30.0
        assert 1 == server.count("retrieve_order")

    async def test_a_long_retry_after_is_clamped_to_the_cap(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """Retry-After "1" under max_retry_after=0.05 costs far less than a second per 429."""
        server.faults.script("list_orders", ["429", "429"])

        started = time.monotonic()
        actual = [order async for order in client.orders.list(campaign_id)]
        elapsed = time.monotonic() - started

        assert 120 == len(actual)
        assert elapsed < 0.8
        assert 5 == server.count("list_orders")
        assert 2 == client.stats.rate_limited

    async def test_dropped_connections_are_retried(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """
        Two connections dropped without an answer are retried and the listing completes.

        aiohttp may re-send a dropped GET itself once, so the two drops may
        cost one or two of the client's attempts; either way the server sees
        both drops and then one request per page.
        """
        server.faults.script("list_orders", ["drop", "drop"])

        actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 5 == server.count("list_orders")

    async def test_drops_past_the_budget_are_a_connection_error(
        self, server: FakeServer, client: Client, campaign_id: str
    ) -> None:
        """
        Drops on every attempt raise APIConnectionError with attempts == budget.

        aiohttp re-sends a dropped GET once by itself, so the server sees
        between one and two requests per client attempt.
        """
        server.faults.script("list_orders", ["drop"] * (2 * BUDGET + 2))

        with pytest.raises(APIConnectionError) as caught:
            async for _ in client.orders.list(campaign_id):
                pass

        assert APIConnectionError is type(caught.value)
        assert BUDGET == caught.value.attempts
        assert BUDGET <= server.count("list_orders") <= 2 * BUDGET
        assert _orders_url(server, campaign_id) in str(caught.value)

    async def test_a_read_timeout_is_retried(self, server: FakeServer, campaign_id: str) -> None:
        """A hung response times out after 0.3 s and is retried; the listing completes."""
        server.faults.script("list_orders", ["hang"])

        async with _client(server, timeout=0.3) as client:
            actual = [order.id async for order in client.orders.list(campaign_id)]

        assert [UUID(o["id"]) for o in server.data.orders_of(campaign_id)] == actual
        assert 4 == server.count("list_orders")

    async def test_timeouts_past_the_budget_are_an_api_timeout_error(
        self, server: FakeServer, campaign_id: str
    ) -> None:
        """Hangs on every attempt raise APITimeoutError, attempts == budget, one request each."""
        server.faults.script("list_orders", ["hang"] * BUDGET)

        async with _client(server, timeout=0.3) as client:
            with pytest.raises(APITimeoutError) as caught:
                async for _ in client.orders.list(campaign_id):
                    pass

        assert BUDGET == caught.value.attempts
        assert BUDGET == server.count("list_orders")
        assert _orders_url(server, campaign_id) in str(caught.value)


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

        async with _client(server, timeout=0.3) as client:
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
                await client.orders.create(UNKNOWN_UUID, ["+15558675309"])

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
            await client.numbers.delete(UNKNOWN_UUID)

        assert "DELETE" == caught.value.method
        assert 1 == server.count("delete_number_assignment")


class TestMaxConcurrency:
    async def test_requests_in_flight_never_exceed_max_concurrency(
        self, server: FakeServer
    ) -> None:
        """40 concurrent gets with 20 ms latency and max_concurrency=4: 4 in flight at most."""
        order_ids = [o["id"] for o in server.data.orders_of(server.data.campaign_ids()[0])[:40]]
        server.faults.latency = 0.02

        async with _client(server, max_concurrency=4) as client:
            orders = await asyncio.gather(*(client.orders.get(oid) for oid in order_ids))

        assert [UUID(oid) for oid in order_ids] == [order.id for order in orders]
        assert 4 == server.peak_in_flight  # reached, never exceeded
        assert 40 == server.count("retrieve_order")

    async def test_the_bound_holds_while_requests_fail_and_retry(self, server: FakeServer) -> None:
        """With 30% 500s the 40 gets still all succeed and never exceed 4 in flight."""
        order_ids = [o["id"] for o in server.data.orders_of(server.data.campaign_ids()[0])[:40]]
        server.faults.latency = 0.02
        server.faults.route("retrieve_order").error_rate = 0.3
        patient = RetryPolicy(attempts=12, initial_backoff=0.0, max_backoff=0.0)

        async with _client(server, max_concurrency=4, retry=patient) as client:
            orders = await asyncio.gather(*(client.orders.get(oid) for oid in order_ids))

        assert [UUID(oid) for oid in order_ids] == [order.id for order in orders]
        assert 4 >= server.peak_in_flight
        assert server.count("retrieve_order") > 40
