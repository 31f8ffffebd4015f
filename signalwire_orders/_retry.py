"""
When to retry and how long to wait: our policy, tenacity's engine (kept private).

SPEC section 4: GET and DELETE retry on transport faults, 429 and
500/502/503/504; POST retries only when the request cannot have been
processed (429, refused before sending). Waits are exponential with full
jitter, capped; ``Retry-After`` is honoured within its own cap. An attempt
count and an optional deadline bound every call.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Final

import attrs
import tenacity as _t

from ._errors import (
    APIConnectionError,
    APIStatusError,
    OutcomeUnknownError,
)

__all__ = ["RetryPolicy", "backoff", "build_retrying", "retry_after_of", "should_retry"]

RETRYABLE_STATUSES: Final = frozenset({429, 500, 502, 503, 504})
_IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "DELETE", "PUT"})


def _non_negative(_: object, attribute: attrs.Attribute[float], value: float) -> None:
    if not value >= 0:  # also refuses NaN, for which every comparison is false
        msg = f"{attribute.name} must be >= 0, got {value!r}"
        raise ValueError(msg)


@attrs.frozen
class RetryPolicy:
    """
    How a client retries: attempts, backoff, ``Retry-After`` cap and deadline.

    Args:
        attempts: Total tries per request, the first included (1 disables retries).
        initial_backoff: Cap of the first wait, in seconds.
        max_backoff: Cap of any computed wait, in seconds.
        multiplier: Growth of the cap per attempt.
        max_retry_after: Longest ``Retry-After`` honoured; longer advice is
            clamped to it.
        deadline: Optional overall budget in seconds for one request, retries
            and waits included; no wait starts that would pass it.

    Example::

        client = Client(retry=RetryPolicy(attempts=8, deadline=120.0))
        no_retries = RetryPolicy(attempts=1)
    """

    attempts: int = attrs.field(default=5)
    initial_backoff: float = attrs.field(default=0.5, validator=_non_negative)
    max_backoff: float = attrs.field(default=30.0, validator=_non_negative)
    multiplier: float = attrs.field(default=2.0, validator=_non_negative)
    max_retry_after: float = attrs.field(default=60.0, validator=_non_negative)
    deadline: float | None = attrs.field(default=None)

    @attempts.validator
    def _check_attempts(self, _: attrs.Attribute[int], value: int) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            msg = f"attempts must be an int >= 1, got {value!r}"
            raise ValueError(msg)

    @deadline.validator
    def _check_deadline(self, _: attrs.Attribute[float | None], value: float | None) -> None:
        if value is not None and not value > 0:  # also refuses NaN
            msg = f"deadline must be > 0 seconds or None, got {value!r}"
            raise ValueError(msg)


def should_retry(method: str, exc: BaseException) -> bool:
    """
    Whether a failed attempt of ``method`` may be tried again.

    ``CancelledError`` and anything that is not ours is never retried.
    """
    if isinstance(exc, OutcomeUnknownError):
        return False
    idempotent = method.upper() in _IDEMPOTENT
    if isinstance(exc, APIConnectionError):
        if not exc.retryable:  # SPEC section 4: no retry mends DNS or TLS settings
            return False
        # A request refused before it was sent cannot have been processed.
        return idempotent or not exc.sent
    if isinstance(exc, APIStatusError):
        if exc.status == 429:  # noqa: PLR2004  # rejected before processing: safe for POST too
            return True
        return idempotent and exc.status in RETRYABLE_STATUSES
    return False


def backoff(policy: RetryPolicy, attempt: int, retry_after: float | None, rand: float) -> float:
    """
    Seconds to wait after failed ``attempt`` (1-based), given ``rand`` in [0, 1).

    ``Retry-After`` wins when present, clamped to ``policy.max_retry_after``;
    otherwise full jitter: uniform in [0, min(max_backoff, initial * multiplier**(attempt-1))].
    """
    if retry_after is not None:
        return min(max(retry_after, 0.0), policy.max_retry_after)
    try:
        ceiling = policy.initial_backoff * policy.multiplier ** (attempt - 1)
    except OverflowError:
        ceiling = policy.max_backoff
    return rand * min(policy.max_backoff, ceiling)


def retry_after_of(exc: BaseException | None) -> float | None:
    """The ``Retry-After`` advice an error carries, if any."""
    return exc.retry_after if isinstance(exc, APIStatusError) else None


def build_retrying(
    policy: RetryPolicy,
    method: str,
    *,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    before_sleep: Callable[[_t.RetryCallState], None] | None = None,
    rand: Callable[[], float] = random.random,
    elapsed: float = 0.0,
) -> _t.AsyncRetrying:
    """
    Build tenacity's engine for one request of ``method`` under ``policy``.

    ``elapsed`` is the time the request has taken already (a first attempt
    made without tenacity): the deadline counts it.
    """

    def wait(state: _t.RetryCallState) -> float:
        exc = state.outcome.exception() if state.outcome is not None else None
        return backoff(policy, state.attempt_number, retry_after_of(exc), rand())

    stop: _t.stop.stop_base = _t.stop_after_attempt(policy.attempts)
    if policy.deadline is not None:
        stop = stop | _t.stop_before_delay(policy.deadline - elapsed)
    return _t.AsyncRetrying(
        retry=_t.retry_if_exception(lambda exc: should_retry(method, exc)),
        wait=wait,
        stop=stop,
        sleep=sleep,
        before_sleep=before_sleep,
        reraise=True,  # callers see the last real error, never tenacity.RetryError
    )
