"""
The wire protocol, with no I/O: ids, query strings, status -> error, headers.

Everything here is a pure function so that it can be tested without an event
loop (STYLE: gidgethub's sansio).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final
from urllib.parse import quote, urlencode
from uuid import UUID

import attrs

from ._codec import loads, snippet
from ._config import shown
from ._errors import (
    APIErrorItem,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableEntityError,
)
from ._models import OpenStrEnum, RateLimit

__all__ = [
    "Response",
    "error_items",
    "parse_id",
    "parse_rate_limit",
    "parse_retry_after",
    "path_id",
    "phone_numbers",
    "query_string",
    "raise_for_status",
    "state_filter",
    "text_filter",
]

MAX_PAGE_SIZE: Final = 1000
_E164: Final = re.compile(r"\+[1-9][0-9]{1,14}")
_STATUS_ERRORS: Final[Mapping[int, type[APIStatusError]]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}
_REASONS: Final = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@attrs.frozen
class Response:
    """A complete answer: status, headers and the whole body (any status)."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


def path_id(value: UUID | str, name: str) -> str:
    """
    Return an id in canonical UUID form, safe to put in a path.

    Raises:
        ValueError: ``value`` is not a UUID (checked before any request).
        TypeError: ``value`` is neither a ``UUID`` nor a ``str``.
    """
    return str(parse_id(value, name))


def parse_id(value: UUID | str, name: str) -> UUID:
    """
    Return an id as a `uuid.UUID`, parsed once (``path_id``'s check, without the text).

    Raises:
        ValueError: ``value`` is not a UUID.
        TypeError: ``value`` is neither a ``UUID`` nor a ``str``.
    """
    if type(value) is UUID:
        return value
    if isinstance(value, UUID):  # a subclass: a plain UUID, as from a str
        return UUID(int=value.int)
    if not isinstance(value, str):
        msg = f"{name} must be a UUID or str, got {type(value).__name__}"
        raise TypeError(msg)
    try:
        return UUID(value)
    except ValueError:
        msg = f"{name} must be a UUID, got {value!r}"
        raise ValueError(msg) from None


def state_filter(value: str | None, states: type[OpenStrEnum]) -> str | None:
    """
    Return a ``state=`` filter's wire value: an enum member's, or a documented value.

    A member made from a value the library does not know (``OrderState("new")``)
    is how to ask for a state the API added later; any other string is a typo
    that would silently match nothing (SPEC section 3).

    Raises:
        ValueError: A string that is not one of the documented values.
        TypeError: Not a string at all.
    """
    if value is None:
        return None
    if isinstance(value, states):
        return value.value
    if not isinstance(value, str):
        msg = f"state must be a {states.__name__} or a str, got {type(value).__name__}"
        raise TypeError(msg)
    allowed = [member.value for member in states]
    if value in allowed:
        return str(value)  # a member of another enum becomes its plain value
    msg = (
        f"state must be one of {', '.join(map(repr, allowed))} or a {states.__name__} member, "
        f"got {value!r} (for a state the API added later, pass {states.__name__}({value!r}))"
    )
    raise ValueError(msg)


def text_filter(value: str | None, name: str) -> str | None:
    """
    Return a text filter (``name=``) as given, or refuse what is not a string.

    Raises:
        TypeError: Not a string.
    """
    if value is not None and not isinstance(value, str):
        msg = f"{name} must be a str, got {type(value).__name__}"
        raise TypeError(msg)
    return value


def query_string(**params: str | int | None) -> str:
    """
    Build ``?a=b&...`` from the parameters that are not ``None`` (or ``""``).

    Raises:
        ValueError: ``page_size`` is outside 1..1000.
    """
    page_size = params.get("page_size")
    if page_size is not None and (
        isinstance(page_size, bool)
        or not isinstance(page_size, int)
        or not 1 <= page_size <= MAX_PAGE_SIZE
    ):
        msg = f"page_size must be an int in 1..{MAX_PAGE_SIZE}, got {page_size!r}"
        raise ValueError(msg)
    pairs = [(k, str(v)) for k, v in params.items() if v is not None and v != ""]
    return "?" + urlencode(pairs, quote_via=quote) if pairs else ""


def phone_numbers(numbers: Iterable[str]) -> list[str]:
    """
    Check phone numbers are E.164 (``+15558675309``) before a create request.

    Raises:
        ValueError: The list is empty or a number is not E.164.
        TypeError: A single string was passed instead of a list of numbers.
    """
    if isinstance(numbers, str):
        msg = "phone_numbers must be a list of E.164 strings, not one string"
        raise TypeError(msg)
    result = list(numbers)
    if not result:
        msg = "phone_numbers must not be empty"
        raise ValueError(msg)
    for number in result:
        if not isinstance(number, str) or not _E164.fullmatch(number):
            msg = f"phone number must be E.164 like '+15558675309', got {number!r}"
            raise ValueError(msg)
    return result


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """
    Parse ``Retry-After`` (delay-seconds or an HTTP date) into seconds >= 0.

    Garbage gives ``None`` (the caller falls back to its own backoff); a date in
    the past gives 0. The caller clamps the result to its cap.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        pass
    else:
        # delay-seconds is 1*DIGIT (RFC 9110): negative or non-finite is garbage.
        return seconds if math.isfinite(seconds) and seconds >= 0 else None
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


def _int_header(headers: Mapping[str, str], *names: str) -> int | None:
    for name in names:
        raw = headers.get(name)
        if raw is not None:
            try:
                return int(raw.strip())
            except ValueError:
                return None
    return None


def parse_rate_limit(headers: Mapping[str, str]) -> RateLimit | None:
    """Return the ``X-RateLimit-*`` / ``RateLimit-*`` headers, or ``None`` if absent."""
    limit = _int_header(headers, "X-RateLimit-Limit", "RateLimit-Limit")
    remaining = _int_header(headers, "X-RateLimit-Remaining", "RateLimit-Remaining")
    reset = _int_header(headers, "X-RateLimit-Reset", "RateLimit-Reset")
    if limit is None and remaining is None and reset is None:
        return None
    return RateLimit(
        limit=limit, remaining=remaining, reset=None if reset is None else float(reset)
    )


def error_items(body: bytes) -> tuple[APIErrorItem, ...]:
    """Parse ``{"error": "..."}`` or ``{"errors": [{detail, title, ...}]}``; never raises."""
    try:
        doc = loads(body)
    except ValueError:
        return ()
    if not isinstance(doc, dict):
        return ()
    items: list[APIErrorItem] = []
    single = doc.get("error")
    if isinstance(single, str):
        items.append(APIErrorItem(detail=single))
    many = doc.get("errors")
    if isinstance(many, Sequence) and not isinstance(many, str):
        items.extend(_item(raw) for raw in many if isinstance(raw, dict))
    return tuple(items)


def _item(raw: Mapping[str, Any]) -> APIErrorItem:
    def text(key: str) -> str | None:
        value = raw.get(key)
        return None if value is None else str(value)

    detail = text("detail") or text("title") or "unspecified error"
    return APIErrorItem(
        detail=detail, title=text("title"), code=text("code"), status=text("status")
    )


def raise_for_status(
    status: int,
    headers: Mapping[str, str],
    body: bytes,
    *,
    method: str,
    url: str,
    attempts: int = 1,
) -> None:
    """
    Return for a 2xx status; otherwise raise the matching ``APIStatusError``.

    Raises:
        APIStatusError: A subclass chosen by status (400, 401, 403, 404, 422,
            429, 5xx); carrying the parsed items, a body snippet, the request
            id and ``Retry-After``.
    """
    if 200 <= status < 300:  # noqa: PLR2004  # the 2xx range
        return
    cls = _STATUS_ERRORS.get(status, ServerError if status >= 500 else APIStatusError)  # noqa: PLR2004
    items = error_items(body)
    if 300 <= status < 400:  # noqa: PLR2004  # redirects are never followed (SPEC section 4)
        location = headers.get("Location")
        target = f"to {shown(location)}" if location else "with no Location"
        msg = (
            f"{method} {url} failed: {status} unexpected redirect {target}; redirects are "
            "not followed, so that credentials go only to the configured origin"
        )
    else:
        reason = _REASONS.get(status, "HTTP error")
        detail = (
            "; ".join(item.detail for item in items[:3]) or snippet(body, 120) or "(empty body)"
        )
        msg = f"{method} {url} failed: {status} {reason}: {detail}"
    if attempts > 1:
        msg += f" (after {attempts} attempts)"
    if hint := cls.hint():
        msg += f"; {hint}"
    raise cls(
        msg,
        status=status,
        method=method,
        url=url,
        errors=items,
        body_snippet=snippet(body),
        request_id=headers.get("X-Request-Id") or headers.get("X-Request-ID"),
        attempts=attempts,
        retry_after=parse_retry_after(headers.get("Retry-After")),
    )
