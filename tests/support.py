"""
Shared test constants and helpers: imported (pytest's ``pythonpath``), never copied.

* the ``example`` space: credentials, URLs and ids;
* retry policies that never wait;
* clients of a `FakeServer` or of any loopback origin;
* expected records, built from wire dicts without the client's codec;
* loopback servers: an aiohttp app on a free port, a routed `Origin`, raw sockets;
* the fake over plain aiohttp (its own tests), and valid bodies of its writes;
* aioresponses on aiohttp 3.14, and each request exactly as the library handed it to aiohttp;
* small async helpers;
* samples on disk: hand-written bodies in ``tests/samples`` (`sample`, `sample_json`).

Fixtures live in the ``conftest.py`` files; this module holds what they and the
tests build on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import threading
import types
import uuid
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, NamedTuple, TypeVar
from urllib.parse import urljoin

import aiohttp
from aiohttp import web
from aioresponses import CallbackResult, aioresponses

from signalwire_orders import (
    AssignedNumber,
    AssignedPhoneNumber,
    AssignmentState,
    Brand,
    BrandState,
    Campaign,
    CampaignState,
    Client,
    Order,
    OrderState,
    RetryPolicy,
)
from signalwire_orders.testing import FakeServer

T = TypeVar("T")

# -- the example space -----------------------------------------------------------------------

PROJECT_ID = "b4a4bd0c-2c8a-4cf3-9a0b-2d6c4b7b1b11"
TOKEN = "PT-test-secret-token-4c2f"
#: The variables of a client for the ``example`` space.
SPACE_ENV = {
    "SIGNALWIRE_SPACE": "example",
    "SIGNALWIRE_PROJECT_ID": PROJECT_ID,
    "SIGNALWIRE_API_TOKEN": TOKEN,
}
ORIGIN = "https://example.signalwire.com"
PREFIX = "/api/relay/rest/registry/beta"
API = ORIGIN + PREFIX

#: The OpenAPI's example order id; the fake's seeded ids are random, so it is unknown there.
ORDER_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
UNKNOWN_ID = ORDER_ID
CAMPAIGN_ID = "4dd1fa5e-3c05-4a02-9dd4-e2e5d1d8a1a2"
BRAND_ID = "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b"
NUMBER_ID = "0f2c8a34-5c1d-4b55-9a0e-6d7e8f9a0b1c"
#: The vendor's OpenAPI beside the checkout (``../shared``); the tests that read it skip without it.
OPENAPI = Path(__file__).resolve().parents[2] / "shared" / "openapi" / "campaign-registry.yaml"


def uid(n: int) -> str:
    """A readable, distinct UUID string per integer."""
    return str(uuid.UUID(int=n))


# -- samples on disk ------------------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parent / "samples"


def sample(name: str) -> bytes:
    """The bytes of ``tests/samples/<name>``: a small body as the API (or a proxy) sends it."""
    return (SAMPLES / name).read_bytes()


def sample_json(name: str) -> Any:
    """``tests/samples/<name>`` parsed as JSON (a fresh copy each call)."""
    return json.loads(sample(name))


# -- retry policies that never wait ----------------------------------------------------------


def instant(attempts: int, *, max_retry_after: float = 0.0) -> RetryPolicy:
    """``attempts`` tries with no backoff; a ``Retry-After`` is waited out up to the cap."""
    return RetryPolicy(
        attempts=attempts, initial_backoff=0.0, max_backoff=0.0, max_retry_after=max_retry_after
    )


#: One attempt: no retry at all.
NO_RETRY = RetryPolicy(attempts=1)
#: Three instant attempts: the retry budget of the tests against a fake or a loopback origin.
NO_WAIT = instant(3)
#: Four instant attempts: the aioresponses tests' client.
FAST_RETRY = instant(4)
#: Enough instant attempts that a 30% fault rate never exhausts them (0.3**10 per request).
PATIENT = instant(10)


# -- clients ---------------------------------------------------------------------------------


def client_at(
    base_url: str,
    *,
    project_id: str = PROJECT_ID,
    api_token: str = TOKEN,
    retry: RetryPolicy = NO_WAIT,
    timeout: float = 5.0,
    env: Mapping[str, str] | None = None,
    **options: Any,
) -> Client:
    """A client of ``base_url`` with these credentials, `NO_WAIT` retries, no environment."""
    return Client(
        project_id=project_id,
        api_token=api_token,
        base_url=base_url,
        env={} if env is None else env,
        retry=retry,
        timeout=timeout,
        **options,
    )


def client_for(server: FakeServer, **options: Any) -> Client:
    """A client of ``server`` (its URL and credentials), as `client_at` makes them."""
    options.setdefault("project_id", server.project_id)
    options.setdefault("api_token", server.api_token)
    return client_at(server.base_url, **options)


def authorization(server: FakeServer) -> str:
    """The ``Authorization`` header value that ``server`` accepts."""
    return aiohttp.encode_basic_auth(server.project_id, server.api_token)


def auth_headers(server: FakeServer) -> dict[str, str]:
    """Headers for a plain aiohttp session that ``server`` accepts."""
    return {"Authorization": authorization(server)}


def request_trace() -> tuple[aiohttp.TraceConfig, list[str]]:
    """A trace config recording the URL of every request a client's session starts."""
    started: list[str] = []

    async def on_start(_: aiohttp.ClientSession, __: types.SimpleNamespace, params: Any) -> None:
        started.append(str(params.url))

    trace = aiohttp.TraceConfig()
    trace.on_request_start.append(on_start)
    return trace, started


# -- expected records, built without the client's codec -------------------------------------

_STATES: dict[type[Any], type[Any]] = {
    Order: OrderState,
    AssignedNumber: AssignmentState,
    Brand: BrandState,
    Campaign: CampaignState,
}


def typed(model: type[T], wire: Mapping[str, Any]) -> T:
    """Build the model a wire dict should decode to, independently of the client's codec."""
    values: dict[str, Any] = {}
    for key, value in wire.items():
        if value is None:
            values[key] = None
        elif key == "id" or key.endswith("_id"):
            values[key] = uuid.UUID(value)
        elif key.endswith("_at"):
            values[key] = datetime.fromisoformat(value)
        elif key == "state":
            values[key] = _STATES[model](value)
        elif key == "phone_number":
            values[key] = typed(AssignedPhoneNumber, value)
        elif isinstance(value, list):
            values[key] = tuple(value)
        else:
            values[key] = value
    return model(**values)


def typed_all(model: type[T], wires: Sequence[Mapping[str, Any]]) -> list[T]:
    """`typed` for each wire dict."""
    return [typed(model, wire) for wire in wires]


# -- loopback servers ------------------------------------------------------------------------


@contextlib.asynccontextmanager
async def serving(
    app: web.Application, *, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[str]:
    """Serve ``app`` on 127.0.0.1 and a free port; yield its origin (https with a context)."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=ssl_context)
        await site.start()
        scheme = "http" if ssl_context is None else "https"
        yield f"{scheme}://127.0.0.1:{runner.addresses[0][1]}"
    finally:
        await runner.cleanup()


@contextlib.contextmanager
def in_a_thread(server: FakeServer) -> Iterator[asyncio.AbstractEventLoop]:
    """
    Run a FakeServer on its own event loop in a daemon thread; yield that loop.

    For tests whose own code blocks or runs ``asyncio.run`` (the sync client,
    the CLI in-process, a client moved between loops). Change the server's
    state from the test through ``asyncio.run_coroutine_threadsafe`` on the loop.
    """
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, name="fake-server", daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(server.start(), loop).result(timeout=10)
    try:
        yield loop
    finally:
        asyncio.run_coroutine_threadsafe(server.close(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()


class Seen(NamedTuple):
    """One request an `Origin` received."""

    method: str
    path_qs: str
    headers: dict[str, str]


def not_found() -> web.StreamResponse:
    """The API's JSON 404."""
    return web.Response(
        body=sample("not_found_404.json"), status=404, content_type="application/json"
    )


class Origin:
    """
    A loopback API playing the servers the fake never imitates.

    It answers each path and query with what a test set for it (``fallback``
    otherwise, a JSON 404 unless changed) and records every request it receives.
    """

    def __init__(self) -> None:
        self.base_url = ""
        self.port = 0
        self.answers: dict[str, Callable[[], web.StreamResponse]] = {}
        self.fallback: Callable[[], web.StreamResponse] = not_found
        self.requests: list[Seen] = []

    @property
    def hits(self) -> list[str]:
        """The path and query of every request received, in order."""
        return [seen.path_qs for seen in self.requests]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        """Record the request; answer what was set for its path and query."""
        self.requests.append(Seen(request.method, request.path_qs, dict(request.headers)))
        return self.answers.get(request.path_qs, self.fallback)()

    def json(self, path_qs: str, body: object, *, status: int = 200) -> None:
        """Serve ``body`` as JSON at ``path_qs``."""
        self.answers[path_qs] = lambda: web.json_response(body, status=status)

    def page(self, path_qs: str, ids: Sequence[uuid.UUID], *, next_link: str | None = None) -> None:
        """Serve a page of pending orders with these ids at ``path_qs``."""
        path = path_qs.split("?", 1)[0]
        links: dict[str, str | None] = {"self": path_qs, "first": path, "prev": path}
        if next_link is not None:
            links["next"] = next_link
        self.json(
            path_qs, {"links": links, "data": [{"id": str(i), "state": "pending"} for i in ids]}
        )

    def redirect(self, path_qs: str, location: str, status: int) -> None:
        """Answer ``path_qs`` with a redirect to ``location``."""
        self.answers[path_qs] = lambda: web.Response(
            status=status, headers={"Location": location}, text="moved"
        )

    def first_then(self, body: bytes, content_type: str, then: bytes) -> None:
        """Forget what was served; answer the next request with ``body``, any later one ``then``."""
        self.requests.clear()
        self.answers.clear()

        def answer() -> web.StreamResponse:
            chosen = body if len(self.requests) == 1 else then
            response = web.Response(body=chosen, status=200)
            response.headers["Content-Type"] = (
                content_type if chosen is body else "application/json"
            )
            return response

        self.fallback = answer


@contextlib.asynccontextmanager
async def loopback_origin() -> AsyncIterator[Origin]:
    """A started `Origin` on a free loopback port."""
    origin = Origin()
    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", origin.handle)
    async with serving(app) as base_url:
        origin.base_url = base_url
        origin.port = int(base_url.rsplit(":", 1)[1])
        yield origin


async def _close_after(answer: bytes, writer: asyncio.StreamWriter) -> None:
    writer.write(answer)
    with contextlib.suppress(ConnectionError):
        await writer.drain()
    writer.close()


@contextlib.asynccontextmanager
async def _listening(
    handle: Callable[[asyncio.StreamReader, asyncio.StreamWriter], Any],
) -> AsyncIterator[str]:
    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    try:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()
        await server.wait_closed()


@contextlib.asynccontextmanager
async def raw_listener(answer: bytes) -> AsyncIterator[str]:
    """A loopback socket that reads a request and answers ``answer`` (not HTTP), then closes."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read(65536)
        await _close_after(answer, writer)

    async with _listening(handle) as origin:
        yield origin


@contextlib.asynccontextmanager
async def echo_listener(status: str, render: Callable[[bytes], bytes]) -> AsyncIterator[str]:
    """
    A loopback HTTP server that answers ``status`` with ``render(request)`` as its body.

    The request, headers and all, is what a misconfigured proxy echoes back.
    """

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        body = render(await reader.readuntil(b"\r\n\r\n"))
        head = f"HTTP/1.1 {status}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
        await _close_after(head.encode() + body, writer)

    async with _listening(handle) as origin:
        yield origin


async def closed_port() -> str:
    """An origin on a loopback port nobody listens on (connections are refused)."""
    async with _listening(lambda _r, _w: None) as origin:
        pass
    return origin


# -- the fake over plain aiohttp -------------------------------------------------------------


async def call(
    session: aiohttp.ClientSession, method: str, url: str, json: object = None
) -> tuple[int, Any]:
    """Send one request; return the status and the JSON body (``None`` when empty)."""
    async with session.request(method, url, json=json) as response:
        text = await response.text()
        return response.status, (await response.json()) if text else None


#: Where the sample write bodies ask for callbacks: not a loopback host, so none is sent.
CALLBACK_URL = "https://example.com/handle_callback"


def managed_brand_body() -> dict[str, Any]:
    """A valid ``CreateManagedBrandRequest`` body, every property given (a fresh dict)."""
    return {
        "name": "Acme Alerts",
        "company_name": "Acme Incorporated",
        "contact_email": "brand_info@example.com",
        "contact_phone": "+18995551212",
        "ein_issuing_country": "United States",
        "legal_entity_type": "PRIVATE_PROFIT",
        "ein": "12-3456789",
        "company_address": "123 Brand St, Hill Valley CA, 91905",
        "company_vertical": "HEALTHCARE",
        "company_website": "www.example.com",
        "status_callback_url": CALLBACK_URL,
    }


def csp_brand_body() -> dict[str, Any]:
    """A valid ``CreateCspBrandRequest`` body, every property given (a fresh dict)."""
    return {
        "csp_self_registered": True,
        "name": "Acme Self-Registered",
        "csp_brand_reference": "B123456",
        "status_callback_url": CALLBACK_URL,
    }


def managed_campaign_body(brand_id: str) -> dict[str, Any]:
    """A valid ``CreateManagedCampaignRequest`` body for ``brand_id`` (a fresh dict)."""
    return {
        "name": "Appointment reminders",
        "brand_id": brand_id,
        "sms_use_case": "MIXED",
        "sub_use_cases": ["CUSTOMER_CARE", "ACCOUNT_NOTIFICATION"],
        "description": "Reminders of appointments sent to patients who asked for them.",
        "sample1": "Hi Ana, your appointment is tomorrow at 2pm. Reply STOP to opt out.",
        "sample2": "Reminder: your visit is on Friday at 10am. Reply STOP to opt out.",
        "sample3": "Your prescription is ready for pickup. Reply STOP to opt out.",
        "dynamic_messages": "The patient's name, date and time change from message to message.",
        "message_flow": "Patients opt in on a paper form at the front desk of the clinic.",
        "opt_in_message": "Thanks for subscribing. Reply STOP to cancel at any time.",
        "opt_out_message": "You are unsubscribed and will get no more messages.",
        "help_message": "For help call 1-800-555-0123. Reply STOP to opt out.",
        "opt_in_keywords": "START,SUBSCRIBE",
        "number_pooling_required": False,
        "direct_lending": False,
        "embedded_link": False,
        "embedded_phone": False,
        "age_gated_content": False,
        "lead_generation": False,
        "terms_and_conditions": True,
        "status_callback_url": CALLBACK_URL,
    }


def partner_campaign_body(brand_id: str) -> dict[str, Any]:
    """A valid ``CreatePartnerCampaignRequest`` body for ``brand_id`` (a fresh dict)."""
    return {
        "name": "Partner alerts",
        "brand_id": brand_id,
        "csp_campaign_reference": "C123456",
        "status_callback_url": CALLBACK_URL,
    }


async def get_json(session: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    """GET ``url``; return the status and the JSON body."""
    async with session.get(url) as response:
        return response.status, await response.json()


async def get_bytes(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    """GET ``url``; return the status and the raw body."""
    async with session.get(url) as response:
        return response.status, await response.read()


async def walk_links(
    session: aiohttp.ClientSession, server: FakeServer, path: str
) -> tuple[list[Any], list[Any]]:
    """Follow ``links.next`` from ``path`` as given; return every item and each page's links."""
    url: str | None = server.base_url + path
    items: list[Any] = []
    pages: list[Any] = []
    while url is not None:
        status, body = await get_json(session, url)
        assert status == 200, body
        items.extend(body["data"])
        pages.append(body["links"])
        nxt = body["links"].get("next")
        url = urljoin(server.base_url, nxt) if nxt else None
    return items, pages


# -- aioresponses on aiohttp 3.14 ------------------------------------------------------------


class CompatResponse(aiohttp.ClientResponse):
    """A response class that aioresponses 0.7.9 can build on aiohttp 3.14 (``stream_writer``)."""

    def __init__(self, method: str, url: Any, *, stream_writer: Any = None, **kwargs: Any) -> None:
        # Only .output_size is read from it when the request was already sent.
        writer: Any = stream_writer or types.SimpleNamespace(output_size=0)
        super().__init__(method, url, stream_writer=writer, **kwargs)


class MockAPI(aioresponses):
    """aioresponses with a response class that works on aiohttp 3.14."""

    def add(self, url: Any, method: str = "GET", *args: Any, **kwargs: Any) -> None:
        """Register an answer, built with `CompatResponse`."""
        kwargs.setdefault("response_class", CompatResponse)
        super().add(url, method, *args, **kwargs)


class _CutShort:
    """A body stream that yields part of a body, then fails as a dropped connection does."""

    def __init__(self, head: bytes) -> None:
        self._head = head

    def feed_data(self, _: bytes) -> None:
        """Ignore the full body aioresponses offers."""

    def feed_eof(self) -> None:
        """Ignore the end of that body."""

    def exception(self) -> BaseException | None:
        """No stored error: the failure comes while reading."""
        return None

    def set_exception(self, *_: Any) -> None:
        """Ignore aiohttp's close-time notification."""

    async def iter_chunked(self, _: int) -> Any:
        yield self._head
        msg = "Response payload is not completed"
        raise aiohttp.ClientPayloadError(msg)

    async def read(self, _: int = -1) -> bytes:
        msg = "Response payload is not completed"
        raise aiohttp.ClientPayloadError(msg)


class TruncatedResponse(CompatResponse):
    """A 200 whose body stops halfway: the connection drops mid-body."""

    @property
    def content(self) -> Any:
        return _CutShort(b'{"links": {"self": "/x", "first": "/x"}, "data": [{"id": "3fa8')

    @content.setter
    def content(self, _: Any) -> None:
        pass  # aioresponses assigns a full stream; the cut-short one is always served


def reply(
    status: int = 200,
    *,
    payload: Mapping[str, Any] | None = None,
    body: str = "",
    headers: Mapping[str, str] | None = None,
) -> CallbackResult:
    """A callback answer that aioresponses can build on aiohttp 3.14."""
    return CallbackResult(
        status=status,
        payload=None if payload is None else dict(payload),
        body=body,
        headers=None if headers is None else dict(headers),
        response_class=CompatResponse,
    )


def order(order_id: str = ORDER_ID, **fields: Any) -> dict[str, Any]:
    """An Order as the API sends it."""
    return {"id": order_id, "state": "pending", "created_at": "2024-01-15T09:30:00Z", **fields}


def page(
    items: Sequence[Mapping[str, Any]], *, next_link: str | None = None, self_link: str = "/"
) -> dict[str, Any]:
    """A list body ``{links, data}``; ``next`` only when given."""
    links = {"self": self_link, "first": self_link}
    if next_link is not None:
        links["next"] = next_link
    return {"links": links, "data": [dict(item) for item in items]}


class Sent(NamedTuple):
    """One request as the library passed it to aiohttp."""

    session: aiohttp.ClientSession
    method: str
    url: str
    headers: Mapping[str, str]
    data: bytes | None


def record_sent() -> list[Sent]:
    """
    Record every request from now on, with its URL exactly as the library gave it.

    aioresponses itself only keeps URLs with a re-encoded, sorted query. Call it
    inside a test that uses ``mock_api``: it wraps the mock that aioresponses
    installed, and goes away when the fixture stops.
    """
    mocked: Any = aiohttp.ClientSession._request
    forward = mocked.side_effect
    if forward is None:  # pragma: no cover - a mistake in the test itself
        msg = "record_sent() needs the mock_api fixture"
        raise RuntimeError(msg)
    sent: list[Sent] = []

    async def recording(
        session: aiohttp.ClientSession, method: str, url: Any, *args: Any, **kwargs: Any
    ) -> Any:
        headers = dict(kwargs.get("headers") or {})
        sent.append(Sent(session, method, str(url), headers, kwargs.get("data")))
        return await forward(session, method, url, *args, **kwargs)

    mocked.side_effect = recording
    return sent


def urls(sent: Sequence[Sent]) -> list[tuple[str, str]]:
    """The (method, URL) of each recorded request, in order."""
    return [(request.method, request.url) for request in sent]


# -- small async helpers ---------------------------------------------------------------------


async def collect_into(items: AsyncIterator[T], seen: list[T]) -> None:
    """Append each item to ``seen`` as it arrives, so items yielded before an error are kept."""
    async for item in items:
        seen.append(item)  # noqa: PERF401  # the list must fill up before the error, not after


async def drain(items: AsyncIterator[object]) -> None:
    """Iterate ``items`` to the end, dropping them."""
    async for _ in items:
        pass


async def until(condition: Callable[[], bool], *, turns: int = 10_000) -> None:
    """Let other tasks run until ``condition()`` holds (for public counters with no event)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    msg = "condition never became true"
    raise AssertionError(msg)


async def eventually(check: Callable[[], bool], *, within: float = 10.0) -> bool:
    """Poll ``check`` until it holds or ``within`` seconds pass; return its last value."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not check() and loop.time() < deadline:  # noqa: ASYNC110  # outside state, no event
        await asyncio.sleep(0.01)
    return check()
