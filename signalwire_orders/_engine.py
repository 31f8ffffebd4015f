"""
The request engine: retries, the whole-client 429 pause, pacing, slots, counters, hooks.

Everything between an operation and one HTTP exchange, written against a
``send`` callable (STYLE: gidgethub's ``abc.py`` writes everything once
against ``_request``/``sleep``). The client passes ``Transport.send``, the
aiohttp boundary; unit tests pass a fake and never open a socket.

One `Engine` serves one client and every task that uses it (SPEC section 4):

* at most ``max_concurrency`` requests in flight (one `ConcurrencyLimit`);
* optionally no more than ``requests_per_second`` started (`RateLimiter`);
* a 429 pauses every task until its ``Retry-After`` has passed;
* retries (tenacity, behind ``_retry``) with the waits outside any slot;
* ``raise_for_status`` turns a non-2xx answer into our error;
* counters (`Stats`) and hooks (`Hooks`) see every attempt.
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Protocol

import attrs
import tenacity as _t

from ._codec import dumps
from ._errors import APIConnectionError, APIStatusError, APITimeoutError, RateLimitError
from ._hooks import Hooks, PageEvent, RequestEvent, RetryEvent
from ._limits import ConcurrencyLimit, RateLimiter
from ._models import RateLimit
from ._protocol import Response, parse_rate_limit, raise_for_status
from ._retry import RetryPolicy, build_retrying, retry_after_of

__all__ = ["LOG", "Engine", "Stats"]

LOG: Final = logging.getLogger("signalwire_orders")

Sleep = Callable[[float], Awaitable[None]]


class Send(Protocol):
    """
    One HTTP exchange: the complete answer, whatever its status, or one of our errors.

    ``attempt`` (1-based) only words transport errors ("after 3 attempts").
    """

    def __call__(
        self, method: str, url: str, body: bytes | None, *, attempt: int
    ) -> Awaitable[Response]: ...


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


class Engine:
    """Sends requests for one client through ``send``; see the module docstring."""

    def __init__(
        self,
        send: Send,
        *,
        max_concurrency: int,
        retry: RetryPolicy,
        requests_per_second: float | None = None,
        adaptive_concurrency: bool = False,
        hooks: Hooks | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._send = send
        self._retry = retry
        self._slots = ConcurrencyLimit(max_concurrency, adaptive=adaptive_concurrency)
        self._pace = (
            None if requests_per_second is None else RateLimiter(requests_per_second, sleep=sleep)
        )
        self._hooks = hooks or Hooks()
        self.sleep: Final = sleep
        self._paused_until = 0.0
        self.rate_limit: RateLimit | None = None
        self._requests = 0
        self._bytes = 0
        self._rate_limited = 0
        self._pages = 0
        self._retry_reasons: Counter[str] = Counter()

    def __repr__(self) -> str:
        return f"<Engine {self._slots.in_flight} in flight of {self._slots.limit:g}>"

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

    async def request(self, method: str, url: str, *, json: object = None) -> Response:
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
            sleep=self.sleep,
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
            await self.sleep(delay)
            waited_for = until

    async def _attempt(self, method: str, url: str, data: bytes | None, attempt: int) -> Response:
        # Wait out a client-wide pause and the pace *before* taking a slot,
        # so that no slot is held while sleeping.
        loop = asyncio.get_running_loop()
        if self._paused_until > loop.time():  # rare: a 429's pause still runs
            await self._wait_if_paused()
        if self._pace is not None:
            await self._pace.wait()
        # A free slot is taken without a coroutine; the wait only when all are taken.
        epoch = self._slots.try_acquire()
        if epoch is None:
            epoch = await self._slots.acquire()
        started = loop.time()
        try:
            self._requests += 1
            response = await self._send(method, url, data, attempt=attempt)
        except Exception as exc:
            self._observe(method, url, attempt, None, loop.time() - started, 0, exc)
            raise
        finally:
            self._slots.release()
        elapsed = loop.time() - started
        status, headers, size = response.status, response.headers, len(response.body)
        self._bytes += size
        LOG.debug("%s %s -> %d (%d bytes, %.1f ms)", method, url, status, size, elapsed * 1e3)
        if (limits := parse_rate_limit(headers)) is not None:
            self.rate_limit = limits
        try:
            raise_for_status(
                status, headers, response.body, method=method, url=url, attempts=attempt
            )
        except APIStatusError as exc:
            if isinstance(exc, RateLimitError):
                self._rate_limited += 1
                self._slots.rate_limited(epoch)
                if (advice := retry_after_of(exc)) is not None:
                    self._pause(min(advice, self._retry.max_retry_after))
            self._observe(method, url, attempt, status, elapsed, size, exc)
            raise
        self._slots.succeeded()
        self._observe(method, url, attempt, status, elapsed, size, None)
        return response

    def _observe(  # noqa: PLR0917  # private, one call shape, on the hot path
        self,
        method: str,
        url: str,
        attempt: int,
        status: int | None,
        elapsed: float,
        size: int,
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
            size=size,
            error=None if exc is None else type(exc).__name__,
        )
        _call_hook(self._hooks.on_request, event)
