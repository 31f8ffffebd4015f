"""
The fake server's aiohttp.web application: routes, Basic auth, paging, faults, recording.

Paths, parameters and bodies follow ``campaign-registry.yaml`` (the vendor's
OpenAPI); this module writes the wire format itself and shares nothing with
the client's decoder.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Callable, Hashable, Mapping
from typing import Any
from urllib.parse import quote, urlencode

import attrs
from aiohttp import web

from ._data import FakeData, Listing, PagingError
from ._faults import Fault, Faults, Outcome

__all__ = ["API_PREFIX", "STATE", "PageCache", "RecordedRequest", "ServerState", "make_app"]

API_PREFIX = "/api/relay/rest/registry/beta"
_E164 = re.compile(r"^\+[1-9]\d{1,14}$")
_ORDER_FIELDS = frozenset({"phone_numbers", "status_callback_url"})
# What nginx in front of an API sends for 502/503/504 (SPEC section 2: "often HTML").
_HTML = (
    "<html>\r\n<head><title>{0}</title></head>\r\n<body>\r\n"
    "<center><h1>{0}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_HTML_FAULTS = {
    Fault.BAD_GATEWAY: (502, "502 Bad Gateway"),
    Fault.UNAVAILABLE: (503, "503 Service Temporarily Unavailable"),
    Fault.GATEWAY_TIMEOUT: (504, "504 Gateway Time-out"),
}
# Faults that lose the answer run the handler first (a POST is processed, its answer lost).
_LOSING = frozenset({Fault.OK, Fault.DROP, Fault.TRUNCATE, Fault.HANG})
_Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@attrs.frozen
class RecordedRequest:
    """
    One request the fake server received, and what it did with it.

    Attributes:
        method: ``GET``, ``POST`` or ``DELETE``.
        path: The path, without the query string.
        query: The query parameters (the first value of a repeated one).
        headers: The request headers (``Authorization`` included; first of repeats).
        body: The raw request body (``b""`` for none).
        route: The operationId (``"list_orders"``...), ``None`` for an unknown path.
        fault: The fault applied (`Fault.OK` for normal service).
        status: The status sent, ``None`` when no status line was (drop, hang).
        request_id: The ``X-Request-Id`` header of the answer.

    Example::

        last = server.requests[-1]
        assert (last.route, last.status) == ("list_orders", 200)
    """

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = attrs.field(repr=False)
    body: bytes = attrs.field(repr=False)
    route: str | None
    fault: Fault
    status: int | None
    request_id: str


class PageCache:
    """
    Rendered list pages (JSON bytes) by request, least recently used first out.

    Rendering a page of orders costs far more CPU than serving it: under a
    load test the fake would otherwise be the bottleneck it is meant to rule
    out. Keys carry `FakeData.revision`, so a change to the records makes
    every older page unreachable (they age out).

    Args:
        max_bytes: The most body bytes kept; ``0`` turns caching off.

    Example::

        cache = PageCache(max_bytes=8 * 2**20)
        body = cache.get(key) or cache.put(key, render())
    """

    def __init__(self, max_bytes: int = 32 * 2**20) -> None:
        self.max_bytes = max_bytes
        self._pages: collections.OrderedDict[Hashable, bytes] = collections.OrderedDict()
        self._size = 0

    def __repr__(self) -> str:
        return f"<PageCache {len(self._pages)} pages, {self._size} of {self.max_bytes} bytes>"

    def __len__(self) -> int:
        return len(self._pages)

    def get(self, key: Hashable) -> bytes | None:
        """
        Return the page cached under ``key`` (now the most recently used), or ``None``.

        Example::

            body = cache.get(("list_orders", 0))
        """
        body = self._pages.get(key)
        if body is not None:
            self._pages.move_to_end(key)
        return body

    def put(self, key: Hashable, body: bytes) -> bytes:
        """
        Cache ``body`` under ``key``, evicting the least recently used to fit; return it.

        A body larger than the whole budget is returned without being kept.

        Example::

            cache.put(("list_orders", 0), b'{"links":{},"data":[]}')
        """
        if len(body) > self.max_bytes:
            return body
        old = self._pages.pop(key, None)
        self._size += len(body) - (0 if old is None else len(old))
        self._pages[key] = body
        while self._size > self.max_bytes:
            _, evicted = self._pages.popitem(last=False)
            self._size -= len(evicted)
        return body

    def clear(self) -> None:
        """
        Forget every cached page.

        Example::

            cache.clear()
        """
        self._pages.clear()
        self._size = 0


@attrs.define(eq=False)
class ServerState:
    """
    Everything the handlers read and the `FakeServer` exposes; one per server.

    Example::

        app = make_app(ServerState(data=FakeData(), faults=Faults(), project_id="p", api_token="t"))
    """

    data: FakeData
    faults: Faults
    project_id: str
    api_token: str = attrs.field(repr=False)
    forbidden: bool = False
    absolute_links: bool = False
    link_origin: str | None = None
    process_after_polls: int | None = 2
    recording: bool = True
    requests: list[RecordedRequest] = attrs.Factory(list)
    counts: collections.Counter[str | None] = attrs.Factory(collections.Counter)
    in_flight: int = 0
    peak_in_flight: int = 0
    closing: asyncio.Event = attrs.Factory(asyncio.Event)
    pages: PageCache = attrs.Factory(PageCache)

    def reset_stats(self) -> None:
        """
        Forget recorded requests and restart the peak from the requests in flight now.

        Example::

            state.reset_stats()
        """
        self.requests.clear()
        self.counts.clear()
        self.peak_in_flight = self.in_flight

    async def pause(self, seconds: float) -> None:
        """
        Sleep, but wake up early when the server closes.

        Example::

            await state.pause(0.05)
        """
        try:
            async with asyncio.timeout(seconds):
                await self.closing.wait()
        except TimeoutError:
            pass


STATE = web.AppKey("signalwire_fake_state", ServerState)


def make_app(state: ServerState) -> web.Application:
    """
    Build the aiohttp application that serves the Campaign Registry routes from ``state``.

    Example::

        runner = web.AppRunner(make_app(state))
    """
    app = web.Application(middlewares=[_middleware])
    app[STATE] = state
    for route, (method, path, handler) in _ROUTES.items():
        app.router.add_route(method, API_PREFIX + path, handler, name=route)
    return app


# -- middleware: stats, latency, auth, faults, recording --------------------------------------


@web.middleware
async def _middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    state = request.app[STATE]
    route = request.match_info.route.name if request.match_info.http_exception is None else None
    outcome = state.faults.over_quota(state.faults.pick(route), state.in_flight)
    state.in_flight += 1
    state.peak_in_flight = max(state.peak_in_flight, state.in_flight)
    try:
        if outcome.latency > 0:
            await state.pause(outcome.latency)
        body = await request.read() if request.body_exists else b""
        request_id = str(uuid.uuid4())
        response = await _answer(request, handler, state, outcome)
        response.headers["X-Request-Id"] = request_id
        state.counts[route] += 1
        if state.recording:
            _record(
                state,
                request,
                response,
                body=body,
                route=route,
                fault=outcome.fault,
                request_id=request_id,
            )
        return await _deliver(request, response, state, outcome)
    finally:
        state.in_flight -= 1


def _record(
    state: ServerState,
    request: web.Request,
    response: web.StreamResponse,
    *,
    body: bytes,
    route: str | None,
    fault: Fault,
    request_id: str,
) -> None:
    state.requests.append(
        RecordedRequest(
            method=request.method,
            path=request.path,
            query=dict(request.query),
            headers=dict(request.headers),
            body=body,
            route=route,
            fault=fault,
            status=_sent_status(response, fault),
            request_id=request_id,
        )
    )


async def _answer(
    request: web.Request, handler: _Handler, state: ServerState, outcome: Outcome
) -> web.StreamResponse:
    if outcome.fault not in _LOSING:
        return _fault_response(outcome)
    if not _authorized(request.headers.get("Authorization"), state):
        return _json(
            401, {"error": "Unauthorized"}, {"WWW-Authenticate": 'Basic realm="SignalWire"'}
        )
    if state.forbidden:
        return _json(403, {"error": "Forbidden"})
    exception = request.match_info.http_exception
    if isinstance(exception, web.HTTPMethodNotAllowed):
        return _json(
            405, {"error": "Method Not Allowed"}, {"Allow": ", ".join(exception.allowed_methods)}
        )
    if exception is not None:
        return _not_found()
    return await handler(request)


def _body(response: web.StreamResponse) -> bytes:
    body = response.body if isinstance(response, web.Response) else None
    return body if isinstance(body, bytes) else b""


def _sent_status(response: web.StreamResponse, fault: Fault) -> int | None:
    # None when no status line reaches the client (drop, hang, truncating an empty body).
    if fault in {Fault.DROP, Fault.HANG} or (fault is Fault.TRUNCATE and not _body(response)):
        return None
    return response.status


async def _deliver(
    request: web.Request, response: web.StreamResponse, state: ServerState, outcome: Outcome
) -> web.StreamResponse:
    body = _body(response)
    if outcome.fault is Fault.TRUNCATE and body:
        partial = web.StreamResponse(status=response.status, headers=response.headers)
        partial.content_length = len(body)
        await partial.prepare(request)
        await partial.write(body[: len(body) // 2])
        _hang_up(request)
        return partial
    if outcome.fault is Fault.HANG:
        await state.pause(outcome.hang_seconds)
    if outcome.fault in {Fault.DROP, Fault.TRUNCATE, Fault.HANG}:
        _hang_up(request)  # aiohttp then fails to write the answer, quietly
    return response


def _hang_up(request: web.Request) -> None:
    if request.transport is not None:
        request.transport.close()


def _fault_response(outcome: Outcome) -> web.Response:
    fault = outcome.fault
    if fault in _HTML_FAULTS:
        status, title = _HTML_FAULTS[fault]
        return web.Response(status=status, text=_HTML.format(title), content_type="text/html")
    if fault is Fault.RATE_LIMITED:
        headers = {"Retry-After": outcome.retry_after} if outcome.retry_after else {}
        return _json(429, {"error": "Too Many Requests"}, headers)
    if fault is Fault.MALFORMED:
        broken = b'{"links": {"self": "' + API_PREFIX.encode() + b'"}, "data": [{"id": '
        return web.Response(status=200, body=broken, content_type="application/json")
    if fault is Fault.WRONG_SHAPE:
        return _json(200, {"data": "nope"})
    return _json(500, {"error": "Internal Server Error"})


def _authorized(header: str | None, state: ServerState) -> bool:
    scheme, _, encoded = (header or "").partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return False
    user, _, password = decoded.partition(":")
    same_user = hmac.compare_digest(user.encode(), state.project_id.encode())
    return hmac.compare_digest(password.encode(), state.api_token.encode()) and same_user


def _json(status: int, body: object, headers: Mapping[str, str] | None = None) -> web.Response:
    return _json_bytes(status, _dumps(body), headers)


def _json_bytes(status: int, body: bytes, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(
        status=status,
        body=body,
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def _dumps(body: object) -> bytes:
    return json.dumps(body, separators=(",", ":")).encode()


def _not_found() -> web.Response:
    return _json(404, {"error": "Not Found"})


def _invalid(*errors: tuple[str, str]) -> web.Response:
    # OpenAPI Types.StatusCodes.ValidationError: {"errors": [SpaceApiErrorItem]}.
    items = [
        {"detail": detail, "status": "422", "title": "Invalid Parameter", "code": code}
        for code, detail in errors
    ]
    return _json(422, {"errors": items})


# -- list routes: paging per SPEC section 2 -------------------------------------------------


def _page(
    request: web.Request, route: str, listing: Callable[..., Listing], filters: tuple[str, ...]
) -> web.Response:
    state = request.app[STATE]
    parent = request.match_info.get("id", "")
    chosen = {name: request.query[name] for name in filters if request.query.get(name)}
    try:
        items = listing(**{name.removeprefix("filter_"): v for name, v in chosen.items()})
    except KeyError:
        return _not_found()
    scope = "|".join([route, parent.lower(), *(chosen.get(name, "") for name in filters)])
    try:
        number, size = state.data.check_page(
            scope,
            request.query.get("page_number"),
            request.query.get("page_size"),
            request.query.get("page_token"),
        )
    except PagingError as exc:
        return _invalid((exc.code, exc.detail))
    if state.link_origin is not None:
        origin = state.link_origin.rstrip("/")
    else:
        origin = str(request.url.origin()) if state.absolute_links else ""
    key = _PageKey(
        revision=state.data.revision,
        scope=scope,
        filters=tuple(chosen.items()),
        number=number,
        size=size,
        origin=origin,
        path=request.rel_url.raw_path,
    )
    body = state.pages.get(key)
    if body is None:
        body = state.pages.put(key, _render_page(key, items, state.data))
    return _json_bytes(200, body)


@attrs.frozen
class _PageKey:
    # Everything a rendered page depends on: the cache key of `_render_page`.
    revision: int
    scope: str
    filters: tuple[tuple[str, str], ...]
    number: int
    size: int
    origin: str
    path: str


def _render_page(key: _PageKey, items: Listing, data: FakeData) -> bytes:
    number, size = key.number, key.size

    def link(page_number: int) -> str:
        params = [*key.filters, ("page_number", str(page_number)), ("page_size", str(size))]
        if page_number > 0:
            params.append(("page_token", data.page_token(key.scope, page_number, size)))
        return f"{key.origin}{key.path}?{urlencode(params, quote_via=quote)}"

    start = number * size
    links = {"self": link(number), "first": link(0)}
    if start + size < len(items):
        links["next"] = link(number + 1)
    if number > 0:
        links["prev"] = link(number - 1)
    return _dumps({"links": links, "data": items.slice(start, start + size)})


async def _list_brands(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    return _page(request, "list_brands", data.list_brands, ("filter_name", "filter_state"))


async def _list_campaigns(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    brand_id = request.match_info["id"]

    def listing(**filters: Any) -> Listing:
        return data.list_campaigns(brand_id, **filters)

    return _page(request, "list_campaigns", listing, ("filter_name", "filter_state"))


async def _list_numbers(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    campaign_id = request.match_info["id"]

    def listing(**filters: Any) -> Listing:
        return data.list_numbers(campaign_id, **filters)

    return _page(request, "list_number_assignments", listing, ("filter_state",))


async def _list_orders(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    campaign_id = request.match_info["id"]

    def listing(**filters: Any) -> Listing:
        return data.list_orders(campaign_id, **filters)

    return _page(request, "list_orders", listing, ("filter_state",))


# -- single-object routes -------------------------------------------------------------------


def _lookup(request: web.Request, find: Callable[[str], dict[str, Any]]) -> web.Response:
    try:
        return _json(200, find(request.match_info["id"]))
    except KeyError:
        return _not_found()


async def _retrieve_brand(request: web.Request) -> web.Response:
    return _lookup(request, request.app[STATE].data.brand)


async def _retrieve_campaign(request: web.Request) -> web.Response:
    return _lookup(request, request.app[STATE].data.campaign)


async def _retrieve_order(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return _lookup(request, lambda i: state.data.poll_order(i, state.process_after_polls))


async def _delete_number(request: web.Request) -> web.Response:
    try:
        request.app[STATE].data.delete_number(request.match_info["id"])
    except KeyError:
        return _not_found()
    return web.Response(status=204)


async def _create_order(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    campaign_id = request.match_info["id"]
    try:
        data.campaign(campaign_id)
    except KeyError:
        return _not_found()
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return _invalid(("invalid_json", "the request body must be a JSON object"))
    errors = _order_errors(body)
    if errors:
        return _invalid(*errors)
    order = data.create_order(campaign_id, body["phone_numbers"], body.get("status_callback_url"))
    return _json(200, order)


def _order_errors(body: object) -> list[tuple[str, str]]:
    # OpenAPI CreateOrderRequest: phone_numbers (E.164 strings), status_callback_url; nothing else.
    if not isinstance(body, dict):
        return [("invalid_json", "the request body must be a JSON object")]
    errors = [
        ("unknown_attribute", f"unknown attribute {key!r}") for key in body.keys() - _ORDER_FIELDS
    ]
    numbers = body.get("phone_numbers")
    if not isinstance(numbers, list) or not numbers:
        errors.append(("invalid_phone_numbers", "phone_numbers must be a non-empty list"))
    else:
        errors.extend(
            ("invalid_phone_number", f"{number!r} is not an E.164 phone number")
            for number in numbers
            if not isinstance(number, str) or not _E164.match(number)
        )
    callback = body.get("status_callback_url")
    if callback is not None and (not isinstance(callback, str) or not callback):
        errors.append(("invalid_status_callback_url", "status_callback_url must be a URL"))
    return errors


_ROUTES: dict[str, tuple[str, str, _Handler]] = {
    "list_brands": ("GET", "/brands", _list_brands),
    "retrieve_brand": ("GET", "/brands/{id}", _retrieve_brand),
    "list_campaigns": ("GET", "/brands/{id}/campaigns", _list_campaigns),
    "retrieve_campaign": ("GET", "/campaigns/{id}", _retrieve_campaign),
    "list_number_assignments": ("GET", "/campaigns/{id}/numbers", _list_numbers),
    "list_orders": ("GET", "/campaigns/{id}/orders", _list_orders),
    "create_order": ("POST", "/campaigns/{id}/orders", _create_order),
    "retrieve_order": ("GET", "/orders/{id}", _retrieve_order),
    "delete_number_assignment": ("DELETE", "/numbers/{id}", _delete_number),
}
