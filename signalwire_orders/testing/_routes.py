"""
The twelve route handlers of the Campaign Registry API, and their route table.

Paths, parameters and bodies follow ``campaign-registry.yaml`` (the vendor's
OpenAPI). List routes page per SPEC section 2 (`_paging`), serving each
rendered page from the state's cache; the others look one record up (a GET
is a poll: it may move a created object on) or change the records
(`FakeData`, which checks write bodies with `_validation`). Auth and faults
are the middleware's.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ._paging import Listing, PageKey, PagingError, render_page
from ._responses import invalid, json_bytes_response, json_response, not_found
from ._state import STATE
from ._validation import E164, NOT_AN_OBJECT, RequestError, check, update_problems

__all__ = ["ROUTES"]

_ORDER_FIELDS = frozenset({"phone_numbers", "status_callback_url"})


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
    state = request.app[STATE]
    return _lookup(request, lambda i: state.data.poll_brand(i, state.process_after_polls))


async def _retrieve_campaign(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return _lookup(request, lambda i: state.data.poll_campaign(i, state.process_after_polls))


async def _retrieve_order(request: web.Request) -> web.Response:
    state = request.app[STATE]
    return _lookup(request, lambda i: state.data.poll_order(i, state.process_after_polls))


async def _delete_number(request: web.Request) -> web.Response:
    try:
        request.app[STATE].data.delete_number(request.match_info["id"])
    except KeyError:
        return not_found()
    return web.Response(status=204)


# -- writes: a 404 for an unknown parent first, then every problem of the body at once -------


async def _json_body(request: web.Request) -> object:
    try:
        return json.loads(await request.read())
    except (ValueError, UnicodeDecodeError):
        return None  # not JSON: answered as a body that is not an object


async def _write(
    request: web.Request,
    status: int,
    write: Callable[[dict[str, Any]], dict[str, Any]],
    parent: Callable[[str], object] | None = None,
) -> web.Response:
    # `parent` looks up the path's id (a brand, a campaign): unknown, it is a 404 whatever the body.
    if parent is not None:
        try:
            parent(request.match_info["id"])
        except KeyError:
            return not_found()
    body = await _json_body(request)
    if not isinstance(body, dict):
        return invalid(NOT_AN_OBJECT)
    try:
        return json_response(status, write(body))
    except RequestError as exc:
        return invalid(*exc.problems)


async def _create_brand(request: web.Request) -> web.Response:
    return await _write(request, 201, request.app[STATE].data.create_brand)


async def _create_campaign(request: web.Request) -> web.Response:
    data, brand_id = request.app[STATE].data, request.match_info["id"]
    return await _write(request, 201, lambda body: data.create_campaign(brand_id, body), data.brand)


async def _update_campaign(request: web.Request) -> web.Response:
    data, campaign_id = request.app[STATE].data, request.match_info["id"]

    def update(body: dict[str, Any]) -> dict[str, Any]:
        check(update_problems(body))
        return data.update_campaign(campaign_id, body.get("name"))

    return await _write(request, 200, update, data.campaign)


async def _create_order(request: web.Request) -> web.Response:
    data, campaign_id = request.app[STATE].data, request.match_info["id"]

    def create(body: dict[str, Any]) -> dict[str, Any]:
        check(_order_errors(body))
        numbers, callback = body["phone_numbers"], body.get("status_callback_url")
        return data.create_order(campaign_id, numbers, callback)

    return await _write(request, 200, create, data.campaign)


def _order_errors(body: dict[str, Any]) -> list[tuple[str, str]]:
    # OpenAPI CreateOrderRequest: phone_numbers (E.164 strings), status_callback_url; nothing else.
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
            if not isinstance(number, str) or not E164.fullmatch(number)
        )
    callback = body.get("status_callback_url")
    if callback is not None and (not isinstance(callback, str) or not callback):
        errors.append(("invalid_status_callback_url", "status_callback_url must be a URL"))
    return errors


# The operationIds (`ROUTE_NAMES` in _faults), each with its method and path under API_PREFIX.
ROUTES: dict[str, tuple[str, str, Callable[[web.Request], Awaitable[web.StreamResponse]]]] = {
    "list_brands": ("GET", "/brands", _list_brands),
    "create_brand": ("POST", "/brands", _create_brand),
    "retrieve_brand": ("GET", "/brands/{id}", _retrieve_brand),
    "list_campaigns": ("GET", "/brands/{id}/campaigns", _list_campaigns),
    "create_campaign": ("POST", "/brands/{id}/campaigns", _create_campaign),
    "retrieve_campaign": ("GET", "/campaigns/{id}", _retrieve_campaign),
    "update_campaign": ("PUT", "/campaigns/{id}", _update_campaign),
    "list_number_assignments": ("GET", "/campaigns/{id}/numbers", _list_numbers),
    "list_orders": ("GET", "/campaigns/{id}/orders", _list_orders),
    "create_order": ("POST", "/campaigns/{id}/orders", _create_order),
    "retrieve_order": ("GET", "/orders/{id}", _retrieve_order),
    "delete_number_assignment": ("DELETE", "/numbers/{id}", _delete_number),
}
