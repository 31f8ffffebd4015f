"""
The aiohttp boundary: one session, one concurrency bound, retries, errors ours.

This is the only module that calls aiohttp. It owns (or borrows) the
``ClientSession``, enforces ``max_concurrency`` with one semaphore shared by
every task of a client, caps body sizes, pauses the whole client after a 429,
and turns every aiohttp exception into one of ours at a single boundary.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from typing import Any, Final

import aiohttp
import attrs
import tenacity as _t
import yarl
from multidict import CIMultiDict, CIMultiDictProxy

from ._codec import dumps
from ._config import Settings
from ._errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    ConfigurationError,
    OutcomeUnknownError,
    RateLimitError,
    ResponseError,
)
from ._hooks import Hooks, PageEvent, RequestEvent, RetryEvent
from ._limits import ConcurrencyLimit, RateLimiter
from ._models import RateLimit
from ._protocol import parse_rate_limit, raise_for_status
from ._retry import RetryPolicy, build_retrying, retry_after_of

__all__ = ["DEFAULT_MAX_BODY_SIZE", "Response", "Stats", "Transport"]

LOG: Final = logging.getLogger("signalwire_orders")
DEFAULT_MAX_BODY_SIZE: Final = 16 * 1024 * 1024
_READ_CHUNK: Final = 64 * 1024


@attrs.frozen
class Response:
    """A complete, successful answer: status, headers and the whole body."""

    status: int
    headers: Mapping[str, str]
    body: bytes
    url: str


@attrs.frozen
class Stats:
    """
    Counters of one client since it was created.

    Example::

        print(client.stats.requests, client.stats.retries, dict(client.stats.retry_reasons))
    """

    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    bytes_received: int = 0
    pages: int = 0
    retry_reasons: Mapping[str, int] = attrs.field(factory=dict)
    #: The current bound on requests in flight (lower than max_concurrency
    #: while adaptive concurrency is backing off from 429s).
    concurrency_limit: float = 0.0


@contextlib.contextmanager
def _translate(method: str, url: str, attempt: int) -> Iterator[None]:
    """Turn aiohttp's and asyncio's transport exceptions into ours."""
    where = f"{method} {url}"
    after = f" (after {attempt} attempts)" if attempt > 1 else ""
    try:
        yield
    except aiohttp.ConnectionTimeoutError as exc:  # most specific first: never sent
        msg = f"{where}: timed out connecting{after}"
        raise APITimeoutError(msg, method=method, url=url, attempts=attempt, sent=False) from exc
    except TimeoutError as exc:  # includes aiohttp.ServerTimeoutError
        msg = f"{where}: timed out waiting for the response{after}"
        raise _sent_error(APITimeoutError, msg, method, url, attempt) from exc
    except aiohttp.ClientConnectorError as exc:
        msg = f"{where}: cannot connect: {exc.os_error}{after}"
        raise APIConnectionError(msg, method=method, url=url, attempts=attempt, sent=False) from exc
    except aiohttp.ClientPayloadError as exc:
        msg = f"{where}: response body cut short ({type(exc).__name__}){after}"
        raise _sent_error(APIConnectionError, msg, method, url, attempt) from exc
    except aiohttp.ClientResponseError as exc:
        _scrub(exc)  # its repr shows the request headers, Authorization included
        msg = f"{where}: invalid response: {type(exc).__name__}: {exc.message}{after}"
        raise _sent_error(APIConnectionError, msg, method, url, attempt) from exc
    except aiohttp.ClientError as exc:
        msg = f"{where}: connection failed: {type(exc).__name__}: {exc}{after}"
        raise _sent_error(APIConnectionError, msg, method, url, attempt) from exc


def _scrub(exc: aiohttp.ClientResponseError) -> None:
    info = exc.request_info
    headers = CIMultiDict(info.headers)
    headers.popall("Authorization", None)
    exc.request_info = aiohttp.RequestInfo(
        info.url, info.method, CIMultiDictProxy(headers), info.real_url
    )


def _sent_error(
    cls: type[APIConnectionError], msg: str, method: str, url: str, attempt: int
) -> APIConnectionError:
    # SPEC section 4: a POST that may have been processed is never retried
    # silently; it gets its own error class.
    if method == "POST":
        text = f"{msg}; the request was sent, so it may have been processed: check before retrying"
        return OutcomeUnknownError(text, method=method, url=url, attempts=attempt, sent=True)
    return cls(msg, method=method, url=url, attempts=attempt, sent=True)


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, APIStatusError):
        return str(exc.status)
    if isinstance(exc, APITimeoutError):
        return "timeout"
    return "connection" if isinstance(exc, APIConnectionError) else type(exc).__name__


def _call_hook(hook: Callable[[Any], object], event: object) -> None:
    try:
        hook(event)
    except Exception:  # a hook observes; its bugs must not fail requests
        LOG.exception("signalwire_orders hook %r raised; ignored", hook)


class Transport:
    """Sends requests for one client; see the module docstring."""

    def __init__(
        self,
        settings: Settings,
        *,
        session: aiohttp.ClientSession | None,
        max_concurrency: int,
        timeout: float | None,
        retry: RetryPolicy,
        max_body_size: int = DEFAULT_MAX_BODY_SIZE,
        user_agent: str,
        requests_per_second: float | None = None,
        adaptive_concurrency: bool = False,
        hooks: Hooks | None = None,
        trace_configs: Sequence[aiohttp.TraceConfig] = (),
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if session is not None and trace_configs:
            msg = "trace_configs apply to the client's own session: add them to yours instead"
            raise ValueError(msg)
        self._settings = settings
        self._origin = settings.origin
        self._headers = {
            "Authorization": aiohttp.encode_basic_auth(settings.project_id, settings.api_token),
            "Accept": "application/json",
            "User-Agent": user_agent,
        }
        self._session = session
        self._owns_session = session is None
        self._closed = False
        self._max_concurrency = max_concurrency
        self._slots = ConcurrencyLimit(max_concurrency, adaptive=adaptive_concurrency)
        self._pace = (
            None if requests_per_second is None else RateLimiter(requests_per_second, sleep=sleep)
        )
        self._hooks = hooks or Hooks()
        self._trace_configs = list(trace_configs)
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._retry = retry
        self._max_body_size = max_body_size
        self._sleep = sleep
        self._paused_until = 0.0
        self._ssl: ssl.SSLContext | None = None
        if settings.ca_file:
            try:
                self._ssl = ssl.create_default_context(cafile=settings.ca_file)
            except (OSError, ssl.SSLError) as exc:
                msg = f"SIGNALWIRE_REST_CA_FILE cannot be loaded: {settings.ca_file!r}: {exc}"
                raise ConfigurationError(msg) from exc
        self.rate_limit: RateLimit | None = None
        self._requests = 0
        self._bytes = 0
        self._rate_limited = 0
        self._pages = 0
        self._retry_reasons: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"<Transport {self._settings.base_url} max_concurrency={self._max_concurrency}>"

    @property
    def stats(self) -> Stats:
        """A snapshot of the counters."""
        return Stats(
            requests=self._requests,
            retries=sum(self._retry_reasons.values()),
            rate_limited=self._rate_limited,
            bytes_received=self._bytes,
            pages=self._pages,
            retry_reasons=dict(self._retry_reasons),
            concurrency_limit=self._slots.limit,
        )

    def note_page(self, url: str, items: int, *, has_next: bool) -> None:
        """Count a decoded page and tell the ``on_page`` hook."""
        self._pages += 1
        if self._hooks.on_page is not None:
            _call_hook(self._hooks.on_page, PageEvent(url=url, items=items, has_next=has_next))

    @property
    def origin(self) -> tuple[str, str, int]:
        """The (scheme, host, port) credentials are sent to."""
        return self._origin

    def _get_session(self) -> aiohttp.ClientSession:
        if self._closed:
            msg = "the client is closed"
            raise RuntimeError(msg)
        if self._session is None:
            connector = aiohttp.TCPConnector(
                limit=self._max_concurrency,
                ssl=self._ssl if self._ssl is not None else True,
            )
            self._session = aiohttp.ClientSession(
                connector=connector, trace_configs=self._trace_configs or None
            )
        return self._session

    async def open(self) -> None:
        """Create the owned session now (inside the running loop)."""
        self._get_session()

    async def close(self) -> None:
        """Close the session if this transport created it; a borrowed one is left open."""
        self._closed = True
        if self._owns_session and self._session is not None:
            session, self._session = self._session, None
            await session.close()

    async def request(self, method: str, url: str, *, json: Any = None) -> Response:
        """
        Send one request with retries; return the complete 2xx response.

        ``url`` must be absolute and on the configured origin (callers check
        links with ``_pagination.resolve_link``).
        """
        data = None if json is None else dumps(json)
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            # Most requests succeed at once: they need no retry machinery (tenacity
            # costs a fifth of a small request's CPU), so it starts at the first
            # failure and decides, as for any attempt, whether to retry it.
            return await self._attempt(method, url, data, 1)
        except Exception as exc:  # noqa: BLE001  # handed to tenacity below, which re-raises
            first_failure = exc

        def before_sleep(state: _t.RetryCallState) -> None:
            self._before_sleep(state, method, url)

        retrying = build_retrying(
            self._retry,
            method,
            sleep=self._sleep,
            before_sleep=before_sleep,
            elapsed=loop.time() - started,
        )
        async for attempt in retrying:
            with attempt:
                number = attempt.retry_state.attempt_number
                if number == 1:
                    raise first_failure  # tenacity's attempt 1 is the one made above
                return await self._attempt(method, url, data, number)
        raise AssertionError  # pragma: no cover - tenacity either returns or re-raises

    def _before_sleep(self, state: _t.RetryCallState, method: str, url: str) -> None:
        exc = state.outcome.exception() if state.outcome is not None else None
        delay = state.next_action.sleep if state.next_action is not None else 0.0
        reason = _reason(exc)
        self._retry_reasons[reason] += 1
        if isinstance(exc, RateLimitError):
            self._pause(delay)
        if self._hooks.on_retry is not None:
            event = RetryEvent(
                method=method, url=url, attempt=state.attempt_number, delay=delay, reason=reason
            )
            _call_hook(self._hooks.on_retry, event)
        LOG.info(
            "retrying %s %s in %.2fs (attempt %d of %d) after %s",
            method,
            url,
            delay,
            state.attempt_number + 1,
            self._retry.attempts,
            reason,
            extra={"retry_delay": delay, "retry_reason": reason},
        )

    def _pause(self, seconds: float) -> None:
        # SPEC section 4: a 429 pauses every task of the client, not one coroutine.
        loop = asyncio.get_running_loop()
        self._paused_until = max(self._paused_until, loop.time() + seconds)

    async def _wait_if_paused(self) -> None:
        loop = asyncio.get_running_loop()
        waited_for = 0.0
        while (until := self._paused_until) > waited_for and (delay := until - loop.time()) > 0:
            await self._sleep(delay)
            waited_for = until

    async def _attempt(self, method: str, url: str, data: bytes | None, attempt: int) -> Response:
        # Wait out a client-wide pause and the pace *before* taking a slot,
        # so that no slot is held while sleeping.
        await self._wait_if_paused()
        if self._pace is not None:
            await self._pace.wait()
        session = self._get_session()
        headers = (
            self._headers if data is None else {**self._headers, "Content-Type": "application/json"}
        )
        loop = asyncio.get_running_loop()
        epoch = await self._slots.acquire()
        started = loop.time()
        status: int | None = None
        body = b""
        try:
            self._requests += 1
            with _translate(method, url, attempt):
                async with session.request(
                    method,
                    yarl.URL(url, encoded=True),  # follow links exactly as given
                    data=data,
                    headers=headers,
                    timeout=self._timeout,
                    allow_redirects=False,  # a redirect could carry credentials elsewhere
                    raise_for_status=False,  # a borrowed session's setting must not change errors
                    ssl=self._ssl if self._ssl is not None else True,
                ) as resp:
                    body = await self._read(resp, method, url)
                    status, resp_headers = resp.status, resp.headers
        except Exception as exc:
            self._observe(
                method,
                url,
                attempt=attempt,
                status=status,
                elapsed=loop.time() - started,
                body=body,
                exc=exc,
            )
            raise
        finally:
            self._slots.release()
        elapsed = loop.time() - started
        LOG.debug("%s %s -> %d (%d bytes, %.1f ms)", method, url, status, len(body), elapsed * 1e3)
        if (limits := parse_rate_limit(resp_headers)) is not None:
            self.rate_limit = limits
        try:
            raise_for_status(status, resp_headers, body, method=method, url=url, attempts=attempt)
        except RateLimitError as exc:
            self._rate_limited += 1
            self._slots.rate_limited(epoch)
            if (advice := retry_after_of(exc)) is not None:
                self._pause(min(advice, self._retry.max_retry_after))
            self._observe(
                method, url, attempt=attempt, status=status, elapsed=elapsed, body=body, exc=exc
            )
            raise
        except APIStatusError as exc:
            self._observe(
                method, url, attempt=attempt, status=status, elapsed=elapsed, body=body, exc=exc
            )
            raise
        self._slots.succeeded()
        self._observe(
            method, url, attempt=attempt, status=status, elapsed=elapsed, body=body, exc=None
        )
        return Response(status=status, headers=resp_headers, body=body, url=url)

    def _observe(
        self,
        method: str,
        url: str,
        *,
        attempt: int,
        status: int | None,
        elapsed: float,
        body: bytes,
        exc: BaseException | None,
    ) -> None:
        if self._hooks.on_request is None:
            return
        event = RequestEvent(
            method=method,
            url=url,
            attempt=attempt,
            status=status,
            elapsed=elapsed,
            size=len(body),
            error=None if exc is None else type(exc).__name__,
        )
        _call_hook(self._hooks.on_request, event)

    async def _read(self, resp: aiohttp.ClientResponse, method: str, url: str) -> bytes:
        limit = self._max_body_size
        length = resp.content_length
        if length is not None and length > limit:
            raise self._too_large(resp.status, url, length)
        if length is not None:
            body = await resp.read()
        else:
            chunks: list[bytes] = []
            size = 0
            async for chunk in resp.content.iter_chunked(_READ_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise self._too_large(resp.status, url, size)
                chunks.append(chunk)
            body = b"".join(chunks)
        if length is not None and len(body) != length:  # pragma: no cover - aiohttp raises first
            msg = f"{method} {url}: body is {len(body)} bytes, Content-Length said {length}"
            raise APIConnectionError(msg, method=method, url=url)
        self._bytes += len(body)
        return body

    def _too_large(self, status: int, url: str, size: int) -> ResponseError:
        cap = self._max_body_size
        msg = f"{url}: response body of {size}+ bytes (status {status}) exceeds the cap of {cap}"
        return ResponseError(msg, url=url, status=status)
