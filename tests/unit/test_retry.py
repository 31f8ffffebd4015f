"""Retries: which failures are retried, how long to wait, and tenacity kept behind our seam."""

from __future__ import annotations

import asyncio
import contextlib
import math
from collections.abc import Awaitable, Callable

import pytest
import tenacity
from hypothesis import given
from hypothesis import strategies as st

from signalwire_orders import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    NotFoundError,
    OutcomeUnknownError,
    PermissionDeniedError,
    RateLimitError,
    ResponseError,
    RetryPolicy,
    ServerError,
    UnprocessableEntityError,
)
from signalwire_orders._retry import backoff, build_retrying, should_retry

URL = "https://example.signalwire.com/api/relay/rest/registry/beta/orders/x"
_STATUS_CLASSES: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status(code: int, method: str = "GET", retry_after: float | None = None) -> APIStatusError:
    """An API status error of the class the protocol layer would pick."""
    cls = _STATUS_CLASSES.get(code, ServerError)
    return cls(
        f"{method} {URL} failed: {code}",
        status=code,
        method=method,
        url=URL,
        retry_after=retry_after,
    )


def connection(method: str = "GET", *, sent: bool = True) -> APIConnectionError:
    """A transport failure, sent or refused before sending."""
    return APIConnectionError("connection reset", method=method, url=URL, sent=sent)


def timeout(method: str = "GET") -> APITimeoutError:
    """A timeout of a request that may have been sent."""
    return APITimeoutError("timed out", method=method, url=URL, sent=True)


class Recorder:
    """The injected ``sleep``: records each delay instead of waiting."""

    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class Flaky:
    """An async operation that raises the given errors in turn, then returns ``"ok"``."""

    def __init__(self, *errors: BaseException) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


def run_with(
    policy: RetryPolicy, method: str, sleep: Recorder, rand: float = 0.5
) -> Callable[[Callable[[], Awaitable[str]]], Awaitable[str]]:
    """Build the retrying engine with an injected sleep and a fixed jitter."""
    retrying = build_retrying(policy, method, sleep=sleep, rand=lambda: rand)

    async def run(fn: Callable[[], Awaitable[str]]) -> str:
        result: str = await retrying(fn)
        return result

    return run


class TestShouldRetry:
    @pytest.mark.parametrize("method", ["GET", "DELETE"])
    @pytest.mark.parametrize(
        "make",
        [
            pytest.param(connection, id="connection"),
            pytest.param(lambda m: connection(m, sent=False), id="refused"),
            pytest.param(timeout, id="timeout"),
            pytest.param(lambda m: status(429, m), id="429"),
            pytest.param(lambda m: status(500, m), id="500"),
            pytest.param(lambda m: status(502, m), id="502"),
            pytest.param(lambda m: status(503, m), id="503"),
            pytest.param(lambda m: status(504, m), id="504"),
        ],
    )
    def test_idempotent_methods_retry_transient_failures(
        self, method: str, make: Callable[[str], BaseException]
    ) -> None:
        """GET and DELETE retry transport faults, 429 and 500/502/503/504."""
        actual = should_retry(method, make(method))

        assert actual is True

    @pytest.mark.parametrize("code", [400, 401, 403, 404, 422, 501, 418])
    def test_get_does_not_retry_client_errors(self, code: int) -> None:
        """A GET is not retried on 400/401/403/404/422 or a status outside the list."""
        actual = should_retry("GET", status(code))

        assert actual is False

    def test_method_case_does_not_matter(self) -> None:
        """``get`` is as idempotent as ``GET``."""
        actual = should_retry("get", status(503))

        assert actual is True

    @pytest.mark.parametrize("code", [500, 502, 503, 504])
    def test_post_never_retries_a_5xx(self, code: int) -> None:
        """A POST answered with a 5xx may have been processed, so it is not retried."""
        actual = should_retry("POST", status(code, "POST"))

        assert actual is False

    def test_post_retries_429(self) -> None:
        """A 429 was rejected before processing, so a POST may be retried."""
        actual = should_retry("POST", status(429, "POST"))

        assert actual is True

    def test_post_retries_a_connection_refused_before_sending(self) -> None:
        """A POST that never left the client is safe to retry."""
        actual = should_retry("POST", connection("POST", sent=False))

        assert actual is True

    def test_post_does_not_retry_a_connection_error_after_sending(self) -> None:
        """A POST whose connection dropped after sending is not retried."""
        actual = should_retry("POST", connection("POST", sent=True))

        assert actual is False

    def test_post_does_not_retry_a_timeout_after_sending(self) -> None:
        """A POST that timed out after sending is not retried."""
        actual = should_retry("POST", timeout("POST"))

        assert actual is False

    @pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
    def test_outcome_unknown_is_never_retried(self, method: str) -> None:
        """``OutcomeUnknownError`` is never retried, whatever the method."""
        error = OutcomeUnknownError("lost", method=method, url=URL, sent=True)

        actual = should_retry(method, error)

        assert actual is False

    @pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
    def test_a_permanent_transport_error_is_never_retried(self, method: str) -> None:
        """An error no retry can mend (DNS, TLS settings) is not retried, whatever the method."""
        error = APIConnectionError("bad TLS", method=method, url=URL, sent=False, retryable=False)

        actual = should_retry(method, error)

        assert actual is False

    @pytest.mark.parametrize(
        "error",
        [
            pytest.param(asyncio.CancelledError(), id="cancelled"),
            pytest.param(ResponseError("bad body", url=URL, status=200), id="response"),
            pytest.param(ValueError("bug"), id="value-error"),
            pytest.param(KeyboardInterrupt(), id="keyboard-interrupt"),
        ],
    )
    def test_other_errors_are_never_retried(self, error: BaseException) -> None:
        """Cancellation, bad bodies and anything not ours are never retried."""
        actual = should_retry("GET", error)

        assert actual is False


class TestBackoff:
    def test_retry_after_wins_over_jitter(self) -> None:
        """A ``Retry-After`` value is used as the wait."""
        expected = 3.0

        actual = backoff(RetryPolicy(), 1, 3.0, 0.99)

        assert expected == actual

    def test_retry_after_is_clamped_to_its_cap(self) -> None:
        """A ``Retry-After`` beyond ``max_retry_after`` waits only the cap."""
        expected = 10.0

        actual = backoff(RetryPolicy(max_retry_after=10.0), 1, 3600.0, 0.5)

        assert expected == actual

    def test_negative_retry_after_is_zero(self) -> None:
        """A negative ``Retry-After`` means no wait, never a negative one."""
        expected = 0.0

        actual = backoff(RetryPolicy(), 1, -5.0, 0.5)

        assert expected == actual

    def test_jitter_scales_the_exponential_ceiling(self) -> None:
        """Without ``Retry-After`` the wait is ``rand`` times the capped exponential."""
        policy = RetryPolicy(initial_backoff=1.0, multiplier=2.0, max_backoff=30.0)
        expected = [0.5, 1.0, 2.0, 4.0, 8.0, 15.0, 15.0]

        actual = [backoff(policy, attempt, None, 0.5) for attempt in range(1, 8)]

        assert expected == actual

    def test_zero_rand_is_no_wait(self) -> None:
        """Full jitter can pick no wait at all."""
        expected = 0.0

        actual = backoff(RetryPolicy(), 4, None, 0.0)

        assert expected == actual

    def test_huge_attempt_number_stays_capped(self) -> None:
        """An exponent that overflows a float still waits at most ``max_backoff``."""
        policy = RetryPolicy(multiplier=1e300, max_backoff=30.0)

        actual = backoff(policy, 10_000, None, 0.5)

        assert 0.0 <= actual <= 30.0

    @given(
        initial=st.floats(0, 100),
        multiplier=st.floats(0, 10),
        max_backoff=st.floats(0, 1000),
        attempt=st.integers(1, 50),
        rand=st.floats(0, 1, exclude_max=True),
    )
    def test_full_jitter_stays_within_bounds(
        self, initial: float, multiplier: float, max_backoff: float, attempt: int, rand: float
    ) -> None:
        """The wait is in ``[0, min(max_backoff, initial * multiplier ** (attempt - 1))]``."""
        policy = RetryPolicy(
            initial_backoff=initial, multiplier=multiplier, max_backoff=max_backoff
        )
        ceiling = min(max_backoff, initial * multiplier ** (attempt - 1))

        actual = backoff(policy, attempt, None, rand)

        assert 0.0 <= actual <= ceiling

    @given(
        retry_after=st.floats(allow_nan=False),
        cap=st.floats(0, 3600),
        rand=st.floats(0, 1, exclude_max=True),
    )
    def test_retry_after_always_within_zero_and_cap(
        self, retry_after: float, cap: float, rand: float
    ) -> None:
        """Any ``Retry-After`` gives a wait in ``[0, max_retry_after]``."""
        actual = backoff(RetryPolicy(max_retry_after=cap), 1, retry_after, rand)

        assert 0.0 <= actual <= cap


class TestRetryPolicy:
    def test_defaults_are_the_documented_ones(self) -> None:
        """5 attempts, 0.5 s doubling to 30 s, ``Retry-After`` up to 60 s, no deadline."""
        expected = (5, 0.5, 30.0, 2.0, 60.0, None)

        policy = RetryPolicy()
        actual = (
            policy.attempts,
            policy.initial_backoff,
            policy.max_backoff,
            policy.multiplier,
            policy.max_retry_after,
            policy.deadline,
        )

        assert expected == actual

    @pytest.mark.parametrize("attempts", [0, -1, True, False, 2.0, "3"])
    def test_bad_attempts_are_refused(self, attempts: object) -> None:
        """Attempts must be an int of at least 1 (a bool is not)."""
        with pytest.raises(ValueError, match="attempts"):
            RetryPolicy(attempts=attempts)  # type: ignore[arg-type]  # the mistake under test

    @pytest.mark.parametrize(
        "field", ["initial_backoff", "max_backoff", "multiplier", "max_retry_after"]
    )
    def test_negative_durations_are_refused(self, field: str) -> None:
        """Negative waits, caps and multipliers raise ``ValueError`` naming the field."""
        with pytest.raises(ValueError, match=field):
            RetryPolicy(**{field: -0.1})  # type: ignore[arg-type]  # kwargs by name

    @pytest.mark.parametrize(
        "field", ["initial_backoff", "max_backoff", "multiplier", "max_retry_after", "deadline"]
    )
    def test_nan_settings_are_refused(self, field: str) -> None:
        """A NaN wait, cap or deadline is refused rather than reaching ``sleep`` or ``stop``."""
        with pytest.raises(ValueError, match=field):
            RetryPolicy(**{field: math.nan})  # type: ignore[arg-type]  # kwargs by name

    @pytest.mark.parametrize("deadline", [0, 0.0, -1.0])
    def test_deadline_must_be_positive(self, deadline: float) -> None:
        """A deadline of zero or below raises ``ValueError``."""
        with pytest.raises(ValueError, match="deadline"):
            RetryPolicy(deadline=deadline)

    def test_one_attempt_is_allowed(self) -> None:
        """``attempts=1`` disables retries and is valid."""
        expected = 1

        actual = RetryPolicy(attempts=1).attempts

        assert expected == actual

    def test_policy_is_frozen(self) -> None:
        """A policy shared by tasks cannot be changed under them."""
        policy = RetryPolicy()

        with pytest.raises(AttributeError):
            policy.attempts = 9  # type: ignore[misc]  # the mistake under test


class TestBuildRetrying:
    async def test_retries_until_success(self) -> None:
        """Two transient failures then success: three calls, the result returned."""
        sleep = Recorder()
        fn = Flaky(status(503), connection())
        expected = ("ok", 3)

        result = await run_with(RetryPolicy(attempts=5), "GET", sleep)(fn)
        actual = (result, fn.calls)

        assert expected == actual

    async def test_records_one_jittered_delay_per_retry(self) -> None:
        """Each retry waits the full-jitter backoff, through the injected sleep."""
        sleep = Recorder()
        policy = RetryPolicy(attempts=5, initial_backoff=1.0, multiplier=2.0, max_backoff=30.0)
        expected = [0.5, 1.0, 2.0]

        await run_with(policy, "GET", sleep, rand=0.5)(Flaky(timeout(), timeout(), timeout()))
        actual = sleep.delays

        assert expected == actual

    async def test_stops_at_attempts_and_reraises_the_last_error(self) -> None:
        """After ``attempts`` failures the last real error is raised, never ``RetryError``."""
        errors = [status(502), status(503), status(504)]
        fn = Flaky(*errors, status(500))

        with pytest.raises(ServerError) as info:
            await run_with(RetryPolicy(attempts=3), "GET", Recorder())(fn)

        assert info.value is errors[-1]
        assert not isinstance(info.value, tenacity.RetryError)

    async def test_stops_after_exactly_attempts_calls(self) -> None:
        """The operation is called ``attempts`` times and waits between them only."""
        sleep = Recorder()
        fn = Flaky(*(status(500) for _ in range(10)))
        expected = (4, 3)

        with pytest.raises(ServerError):
            await run_with(RetryPolicy(attempts=4), "GET", sleep)(fn)
        actual = (fn.calls, len(sleep.delays))

        assert expected == actual

    async def test_one_attempt_means_no_retry(self) -> None:
        """With ``attempts=1`` a retryable failure is raised at once."""
        fn = Flaky(status(503))

        with pytest.raises(ServerError):
            await run_with(RetryPolicy(attempts=1), "GET", Recorder())(fn)

        assert fn.calls == 1

    async def test_non_retryable_error_is_raised_at_once(self) -> None:
        """A 404 is raised after one call and no wait."""
        sleep = Recorder()
        fn = Flaky(status(404))
        expected: tuple[int, list[float]] = (1, [])

        with pytest.raises(NotFoundError):
            await run_with(RetryPolicy(attempts=5), "GET", sleep)(fn)
        actual = (fn.calls, sleep.delays)

        assert expected == actual

    async def test_post_is_not_retried_on_500(self) -> None:
        """A POST answered 500 is raised after one call."""
        fn = Flaky(status(500, "POST"))

        with pytest.raises(ServerError):
            await run_with(RetryPolicy(attempts=5), "POST", Recorder())(fn)

        assert fn.calls == 1

    async def test_post_is_retried_on_429(self) -> None:
        """A POST answered 429 is retried, waiting its ``Retry-After``."""
        sleep = Recorder()
        fn = Flaky(status(429, "POST", retry_after=2.0))
        expected = ("ok", 2, [2.0])

        result = await run_with(RetryPolicy(attempts=5), "POST", sleep)(fn)
        actual = (result, fn.calls, sleep.delays)

        assert expected == actual

    async def test_retry_after_is_clamped_when_waiting(self) -> None:
        """A long ``Retry-After`` waits only ``max_retry_after``."""
        sleep = Recorder()
        policy = RetryPolicy(attempts=3, max_retry_after=10.0)
        expected = [10.0]

        await run_with(policy, "GET", sleep)(Flaky(status(429, retry_after=120.0)))
        actual = sleep.delays

        assert expected == actual

    async def test_deadline_stops_a_wait_that_would_pass_it(self) -> None:
        """A 429 asking for 5 s under a 1 s deadline is raised, not waited out."""
        sleep = Recorder()
        policy = RetryPolicy(attempts=5, max_retry_after=10.0, deadline=1.0)
        fn = Flaky(status(429, retry_after=5.0))
        expected: tuple[int, list[float]] = (1, [])

        with pytest.raises(RateLimitError):
            await run_with(policy, "GET", sleep)(fn)
        actual = (fn.calls, sleep.delays)

        assert expected == actual

    async def test_deadline_allows_a_wait_within_it(self) -> None:
        """A wait that ends before the deadline is taken."""
        sleep = Recorder()
        policy = RetryPolicy(attempts=5, max_retry_after=10.0, deadline=30.0)
        expected = ("ok", [5.0])

        result = await run_with(policy, "GET", sleep)(Flaky(status(429, retry_after=5.0)))
        actual = (result, sleep.delays)

        assert expected == actual

    @pytest.mark.parametrize(("elapsed", "expected_waits"), [(0.0, [5.0]), (26.0, [])])
    async def test_deadline_counts_time_already_spent(
        self, elapsed: float, expected_waits: list[float]
    ) -> None:
        """With 26 s of a 30 s deadline gone before tenacity starts, a 5 s wait is not taken."""
        sleep = Recorder()
        policy = RetryPolicy(attempts=5, max_retry_after=10.0, deadline=30.0)
        retrying = build_retrying(policy, "GET", sleep=sleep, elapsed=elapsed)
        fn = Flaky(status(429, retry_after=5.0))

        with contextlib.suppress(RateLimitError):
            await retrying(fn)

        assert expected_waits == sleep.delays

    async def test_cancellation_is_never_retried(self) -> None:
        """A ``CancelledError`` from the operation propagates after one call, with no wait."""
        sleep = Recorder()
        fn = Flaky(asyncio.CancelledError())
        expected: tuple[int, list[float]] = (1, [])

        with pytest.raises(asyncio.CancelledError):
            await run_with(RetryPolicy(attempts=5), "GET", sleep)(fn)
        actual = (fn.calls, sleep.delays)

        assert expected == actual

    async def test_outcome_unknown_post_is_raised_at_once(self) -> None:
        """A POST whose answer was lost is raised after one call."""
        fn = Flaky(OutcomeUnknownError("lost", method="POST", url=URL, sent=True))

        with pytest.raises(OutcomeUnknownError):
            await run_with(RetryPolicy(attempts=5), "POST", Recorder())(fn)

        assert fn.calls == 1
