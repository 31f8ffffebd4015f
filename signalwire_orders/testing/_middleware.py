"""
The fake server's one middleware: in-flight counting, faults, Basic auth, recording.

Every request passes through `middleware`, which counts it in flight, sleeps
its latency, answers a fault that replaces the answer (before auth, as a
proxy would), checks the credentials, runs the route's handler, records the
request, and delivers the answer or loses it (drop, truncate, hang).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from ._faults import Fault, Outcome
from ._responses import json_response, not_found
from ._state import STATE, RecordedRequest, ServerState
from ._wire import API_PREFIX

__all__ = ["middleware"]

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


@web.middleware
async def middleware(request: web.Request, handler: _Handler) -> web.StreamResponse:
    """
    Serve one request as the API would, with the faults `Faults.pick` chose for it.

    Example::

        app = web.Application(middlewares=[middleware])
    """
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
