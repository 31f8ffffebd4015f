"""
Shared constants and small builders for the aioresponses tests in ``tests/http``.

The constants mirror ``tests/conftest.py`` (which is not importable as a module
under pytest's default import mode). ``record_sent`` shows each request exactly
as the library handed it to aiohttp: aioresponses itself only keeps URLs with a
re-encoded, sorted query.
"""

from __future__ import annotations

import asyncio
import types
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from typing import Any, NamedTuple, TypeVar

import aiohttp
from aioresponses import CallbackResult

from signalwire_orders import RetryPolicy

T = TypeVar("T")

SPACE_ENV = {
    "SIGNALWIRE_SPACE": "example",
    "SIGNALWIRE_PROJECT_ID": "b4a4bd0c-2c8a-4cf3-9a0b-2d6c4b7b1b11",
    "SIGNALWIRE_API_TOKEN": "PT-test-secret-token-4c2f",
}
PROJECT_ID = SPACE_ENV["SIGNALWIRE_PROJECT_ID"]
TOKEN = SPACE_ENV["SIGNALWIRE_API_TOKEN"]
ORIGIN = "https://example.signalwire.com"
PREFIX = "/api/relay/rest/registry/beta"
API = ORIGIN + PREFIX
#: Retries with no waiting, so retry tests run in milliseconds.
FAST_RETRY = RetryPolicy(attempts=4, initial_backoff=0.0, max_backoff=0.0, max_retry_after=0.0)

CAMPAIGN_ID = "6a1d5b8e-3f2c-4e7a-9b1d-0c2e4f6a8b1c"
ORDER_ID = "3fa85f64-5717-4562-b3fc-2c963f66afa6"
BRAND_ID = "9e8d7c6b-5a49-4382-a716-151413121110"
NUMBER_ID = "0f1e2d3c-4b5a-4697-8877-665544332211"


def uid(n: int) -> str:
    """A readable, distinct UUID string per integer."""
    return str(uuid.UUID(int=n))


class CompatResponse(aiohttp.ClientResponse):
    """A response class that aioresponses 0.7.9 can build on aiohttp 3.14 (for callbacks)."""

    def __init__(self, method: str, url: Any, *, stream_writer: Any = None, **kwargs: Any) -> None:
        writer: Any = stream_writer or types.SimpleNamespace(output_size=0)
        super().__init__(method, url, stream_writer=writer, **kwargs)


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
    at: float


def record_sent() -> list[Sent]:
    """
    Record every request from now on, with its URL exactly as the library gave it.

    Call it inside a test that uses ``mock_api``: it wraps the mock that
    aioresponses installed, and goes away when the fixture stops.
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
        at = asyncio.get_running_loop().time()
        headers = dict(kwargs.get("headers") or {})
        sent.append(Sent(session, method, str(url), headers, kwargs.get("data"), at))
        return await forward(session, method, url, *args, **kwargs)

    mocked.side_effect = recording
    return sent


def urls(sent: Sequence[Sent]) -> list[tuple[str, str]]:
    """The (method, URL) of each recorded request, in order."""
    return [(request.method, request.url) for request in sent]


async def collect_into(items: AsyncIterator[T], seen: list[T]) -> None:
    """Append each item to ``seen`` as it arrives, so items yielded before an error are kept."""
    async for item in items:
        seen.append(item)  # noqa: PERF401  # the list must fill up before the error, not after


async def until(condition: Callable[[], bool], *, turns: int = 10_000) -> None:
    """Let other tasks run until ``condition()`` holds (for public counters with no event)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    msg = "condition never became true"
    raise AssertionError(msg)
