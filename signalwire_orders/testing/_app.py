"""
The fake server's aiohttp.web application: routes, Basic auth, faults, recording.

Paths, parameters and bodies follow ``campaign-registry.yaml`` (the vendor's
OpenAPI); the wire dicts and JSON answers are `_wire`'s, paging is `_paging`'s.
Nothing is shared with the client's decoder.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import collections
import functools
import hmac
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import attrs
from aiohttp import web

from ._data import FakeData
from ._faults import Fault, Faults, Outcome
from ._paging import Listing, PageCache, PageKey, PagingError, render_page
from ._wire import API_PREFIX, invalid, json_bytes_response, json_response, not_found

__all__ = ["STATE", "RecordedRequest", "ServerState", "make_app"]

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
        return json_response(
            401, {"error": "Unauthorized"}, {"WWW-Authenticate": 'Basic realm="SignalWire"'}
        )
    if state.forbidden:
        return json_response(403, {"error": "Forbidden"})
    exception = request.match_info.http_exception
    if isinstance(exception, web.HTTPMethodNotAllowed):
        return json_response(
            405, {"error": "Method Not Allowed"}, {"Allow": ", ".join(exception.allowed_methods)}
        )
    if exception is not None:
        return not_found()
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
        return json_response(429, {"error": "Too Many Requests"}, headers)
    if fault is Fault.MALFORMED:
        broken = b'{"links": {"self": "' + API_PREFIX.encode() + b'"}, "data": [{"id": '
        return web.Response(status=200, body=broken, content_type="application/json")
    if fault is Fault.WRONG_SHAPE:
        return json_response(200, {"data": "nope"})
    return json_response(500, {"error": "Internal Server Error"})


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
        return not_found()
    scope = "|".join([route, parent.lower(), *(chosen.get(name, "") for name in filters)])
    try:
        number, size = state.data.check_page(
            scope,
            request.query.get("page_number"),
            request.query.get("page_size"),
            request.query.get("page_token"),
        )
    except PagingError as exc:
        return invalid((exc.code, exc.detail))
    if state.link_origin is not None:
        origin = state.link_origin.rstrip("/")
    else:
        origin = str(request.url.origin()) if state.absolute_links else ""
    key = PageKey(
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
        body = state.pages.put(key, render_page(key, items, state.data))
    return json_bytes_response(200, body)


async def _list_brands(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    return _page(request, "list_brands", data.list_brands, ("filter_name", "filter_state"))


async def _list_campaigns(request: web.Request) -> web.Response:
    listing = functools.partial(request.app[STATE].data.list_campaigns, request.match_info["id"])
    return _page(request, "list_campaigns", listing, ("filter_name", "filter_state"))


async def _list_numbers(request: web.Request) -> web.Response:
    listing = functools.partial(request.app[STATE].data.list_numbers, request.match_info["id"])
    return _page(request, "list_number_assignments", listing, ("filter_state",))


async def _list_orders(request: web.Request) -> web.Response:
    listing = functools.partial(request.app[STATE].data.list_orders, request.match_info["id"])
    return _page(request, "list_orders", listing, ("filter_state",))


# -- single-object routes -------------------------------------------------------------------


def _lookup(request: web.Request, find: Callable[[str], dict[str, Any]]) -> web.Response:
    try:
        return json_response(200, find(request.match_info["id"]))
    except KeyError:
        return not_found()


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
        return not_found()
    return web.Response(status=204)


async def _create_order(request: web.Request) -> web.Response:
    data = request.app[STATE].data
    campaign_id = request.match_info["id"]
    try:
        data.campaign(campaign_id)
    except KeyError:
        return not_found()
    try:
        body = json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return invalid(("invalid_json", "the request body must be a JSON object"))
    errors = _order_errors(body)
    if errors:
        return invalid(*errors)
    order = data.create_order(campaign_id, body["phone_numbers"], body.get("status_callback_url"))
    return json_response(200, order)


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
