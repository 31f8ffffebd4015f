"""
The fake's answers as JSON: compact bytes, aiohttp responses, the documented error bodies.

Every JSON answer of the fake is sent through here, ``application/json; charset=utf-8``:
the OpenAPI-shaped dicts of `_wire`, and the error bodies of
``Types.StatusCodes`` (``{"error": "Not Found"}``, the 422 ``ValidationError``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from aiohttp import web

__all__ = ["dumps", "invalid", "json_bytes_response", "json_response", "not_found"]


def dumps(body: object) -> bytes:
    """
    Encode a body as compact JSON bytes, as every answer of the fake is sent.

    Example::

        assert dumps({"error": "Not Found"}) == b'{"error":"Not Found"}'
    """
    return json.dumps(body, separators=(",", ":")).encode()


def json_response(
    status: int, body: object, headers: Mapping[str, str] | None = None
) -> web.Response:
    """
    Answer ``status`` with ``body`` as ``application/json; charset=utf-8``.

    Example::

        return json_response(403, {"error": "Forbidden"})
    """
    return json_bytes_response(status, dumps(body), headers)


def json_bytes_response(
    status: int, body: bytes, headers: Mapping[str, str] | None = None
) -> web.Response:
    """
    Answer ``status`` with JSON already encoded (a cached page).

    Example::

        return json_bytes_response(200, cached_page)
    """
    return web.Response(
        status=status,
        body=body,
        content_type="application/json",
        charset="utf-8",
        headers=headers,
    )


def not_found() -> web.Response:
    """
    Answer 404 with the documented body ``{"error": "Not Found"}``.

    Example::

        return not_found()
    """
    return json_response(404, {"error": "Not Found"})


def invalid(*errors: tuple[str, str]) -> web.Response:
    """
    Answer 422 with one error item per ``(code, detail)``.

    Example::

        return invalid(("invalid_page_size", "page_size must be an integer from 1 to 1000"))
    """
    # OpenAPI Types.StatusCodes.ValidationError: {"errors": [SpaceApiErrorItem]}.
    items = [
        {"detail": detail, "status": "422", "title": "Invalid Parameter", "code": code}
        for code, detail in errors
    ]
    return json_response(422, {"errors": items})
